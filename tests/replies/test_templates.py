"""Reply templates: every case in every language, rendered strictly, with nothing left over."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from jinja2 import UndefinedError

from intake import PROJECT_ROOT
from intake.classifiers import Classification
from intake.config import load_settings
from intake.errors import ConfigError
from intake.handlers import HANDLERS, missing_handlers, plan_for
from intake.handlers.plan import REPLY_SECTIONS
from intake.intents import NON_ACTIONABLE, Intent
from intake.replies import ReplyContext, ReplyRenderer, greeting_name, reply_subject
from intake.routing import Routing, load_routing
from intake.statuses import TicketStatus
from tests.replies.helpers import (
    ADDED_TO_FILE,
    CASES,
    LANGUAGES,
    NO_NEED_TO_WRITE_AGAIN,
    check_acknowledgement,
)

REFERENCE = "GNT-2026-000123"


@pytest.fixture(scope="module")
def routing() -> Routing:
    return load_routing(load_settings().routing_file)


@pytest.fixture(scope="module")
def renderer(routing: Routing) -> ReplyRenderer:
    return ReplyRenderer(load_settings(), routing)


def context(
    plan, name: str = "Amina Test", subject: str = "Vraag", with_documents: bool = False
) -> ReplyContext:
    return ReplyContext(
        REFERENCE, name, subject, plan, plan.documents, "Dienst Migratie Stad Gent", with_documents
    )


def test_the_template_languages_are_the_eight_of_the_mailbox(renderer: ReplyRenderer) -> None:
    assert set(renderer.languages) == set(LANGUAGES)
    renderer.check_templates()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("label,fields", CASES, ids=[c[0] for c in CASES])
def test_every_case_renders_in_every_language(
    renderer: ReplyRenderer, routing: Routing, language: str, label: str, fields: dict
) -> None:
    plan = plan_for(Classification(confidence=0.9, language=language, **fields), routing)

    reply = renderer.render("ack", context(plan), language)

    check_acknowledgement(reply.text, reply.html, plan, routing, language, REFERENCE)
    assert reply.languages == (language,)


@pytest.mark.parametrize("language", LANGUAGES)
def test_added_to_file_says_so_in_every_language(
    renderer: ReplyRenderer, routing: Routing, language: str
) -> None:
    plan = plan_for(Classification(Intent.FPLUS_CARD, 0.9, language), routing)

    reply = renderer.render("added", context(plan, with_documents=True), language)

    assert ADDED_TO_FILE[language] in reply.text
    assert REFERENCE in reply.text and REFERENCE in reply.subject
    assert NO_NEED_TO_WRITE_AGAIN[language].split()[-1] in reply.text
    assert "{{" not in reply.text + reply.html


def test_arabic_html_reads_right_to_left_with_links_left_to_right(
    renderer: ReplyRenderer, routing: Routing
) -> None:
    plan = plan_for(Classification(Intent.CARD_RENEWAL, 0.9, "ar"), routing)

    html = renderer.render("ack", context(plan, name="أمينة"), "ar").html

    assert '<html lang="ar" dir="rtl">' in html
    assert 'dir="rtl" style="text-align: right;"' in html
    assert f'<a href="{plan.appointment_url}" dir="ltr"' in html
    assert "padding-right: 24px" in html  # the list indents on the right


def test_a_language_without_templates_gets_dutch_and_english_together(
    renderer: ReplyRenderer, routing: Routing
) -> None:
    plan = plan_for(Classification(Intent.CARD_LOST, 0.9, "pl"), routing)

    reply = renderer.render("ack", context(plan), "pl")

    assert reply.languages == ("nl", "en")
    check_acknowledgement(
        reply.text.split("-----")[0],
        reply.html.replace('lang="en" dir="ltr"', ""),
        plan,
        routing,
        "nl",
        REFERENCE,
    )
    assert NO_NEED_TO_WRITE_AGAIN["en"] in reply.text
    assert 'lang="en" dir="ltr"' in reply.html


def test_no_language_at_all_gets_dutch_and_english(
    renderer: ReplyRenderer, routing: Routing
) -> None:
    plan = plan_for(Classification(Intent.GENERAL_QUESTION, 0.2, None), routing)
    assert renderer.render("ack", context(plan), None).languages == ("nl", "en")


def test_an_undefined_variable_in_a_template_is_an_error(tmp_path: Path, routing: Routing) -> None:
    shutil.copytree(PROJECT_ROOT / "templates", tmp_path / "templates")
    ack = tmp_path / "templates" / "replies" / "nl" / "ack.txt.j2"
    ack.write_text(
        ack.read_text(encoding="utf-8").replace("{{ reference }}", "{{ referentie }}"),
        encoding="utf-8",
    )
    renderer = ReplyRenderer(load_settings(templates_dir=tmp_path / "templates"), routing)
    plan = plan_for(Classification(Intent.FPLUS_CARD, 0.9, "nl"), routing)

    with pytest.raises(UndefinedError):
        renderer.render("ack", context(plan), "nl")


def test_a_reply_section_a_template_does_not_word_is_an_error(
    renderer: ReplyRenderer, routing: Routing
) -> None:
    from dataclasses import replace

    plan = replace(
        plan_for(Classification(Intent.FPLUS_CARD, 0.9, "nl"), routing), reply_section="by_pigeon"
    )
    with pytest.raises(ValueError, match="no reply section"):
        renderer.render("ack", context(plan), "nl")


def test_start_up_refuses_a_language_missing_one_of_its_templates(
    tmp_path: Path, routing: Routing
) -> None:
    shutil.copytree(PROJECT_ROOT / "templates", tmp_path / "templates")
    (tmp_path / "templates" / "replies" / "tr" / "added.txt.j2").unlink()

    with pytest.raises(ConfigError, match="tr/added.txt.j2"):
        ReplyRenderer(
            load_settings(templates_dir=tmp_path / "templates"), routing
        ).check_templates()


def test_every_intent_has_a_handler_and_every_answered_one_a_reply_section(
    routing: Routing,
) -> None:
    assert missing_handlers() == []
    for intent in Intent:
        plan = plan_for(Classification(intent, 0.9, "nl"), routing)
        assert plan.intent == intent and plan.queue == routing.route(intent).queue
        if intent in NON_ACTIONABLE:
            assert (plan.send_ack, plan.template, plan.reply_section) == (False, None, None)
        else:
            assert plan.send_ack and plan.template == "ack" and plan.reply_section in REPLY_SECTIONS
    assert set(HANDLERS) == set(Intent)


def test_handlers_decide_status_and_appointment_link_from_the_routing_file(
    routing: Routing,
) -> None:
    waiting = plan_for(
        Classification(Intent.REFUGEE_DATA_UPDATE, 0.9, "nl", missing_documents=True), routing
    )
    assert waiting.status == TicketStatus.WAITING_FOR_DOCUMENTS and waiting.documents == (
        "cgrs_documents",
    )
    received = plan_for(Classification(Intent.REFUGEE_DATA_UPDATE, 0.9, "nl"), routing)
    assert received.status == TicketStatus.NEW and received.documents == ()
    lost = plan_for(Classification(Intent.CARD_LOST, 0.9, "nl"), routing)
    assert lost.appointment_url == routing.route(Intent.CARD_LOST).appointment_url
    assert "police_attestation" in lost.documents
    fplus = plan_for(Classification(Intent.FPLUS_CARD, 0.9, "nl"), routing)
    assert (fplus.needs_appointment, fplus.appointment_url) == (False, None)
    for centre in routing.service_centres.without_appointment:
        free = plan_for(Classification(Intent.CARD_COLLECTION, 0.9, "nl", centre), routing)
        assert (free.needs_appointment, free.appointment_url, free.reply_section) == (
            False,
            None,
            "collection_free",
        )
    drongen = plan_for(Classification(Intent.CARD_COLLECTION, 0.9, "nl", "Drongen"), routing)
    assert drongen.appointment_url == routing.centre_appointment_url("Drongen")
    anywhere = plan_for(Classification(Intent.CARD_COLLECTION, 0.9, "nl"), routing)
    assert anywhere.reply_section == "collection_any" and anywhere.appointment_url


@pytest.mark.parametrize(
    "original,subject",
    [
        ("Aanvraag F+ kaart", f"[{REFERENCE}] Re: Aanvraag F+ kaart"),
        (f"RE: Re: [{REFERENCE}] Re: Aanvraag F+ kaart", f"[{REFERENCE}] Re: Aanvraag F+ kaart"),
        ("AW: Antw: Fwd: vraag", f"[{REFERENCE}] Re: vraag"),
        ("", f"[{REFERENCE}]"),
        ("evil\r\nBcc: x@example.net", f"[{REFERENCE}] Re: evil Bcc: x@example.net"),
        # An undecodable leftover is not read as an encoded word again on the way out.
        ("carte =?ut-8?q?=C3=A0?= \udcc3", f"[{REFERENCE}] Re: carte = ?ut-8?q?=C3=A0?= \ufffd"),
    ],
)
def test_the_subject_carries_the_reference_and_the_original(original: str, subject: str) -> None:
    assert reply_subject(REFERENCE, original) == subject


@pytest.mark.parametrize(
    "name,greeted",
    [
        ("Amina Test", "Amina Test"),
        ("AMINA TEST", "Amina Test"),
        ("Jean-Luc O'Neill", "Jean-Luc O'Neill"),
        ("Олена Шевченко", "Олена Шевченко"),
        ("أمينة", "أمينة"),
        ("amina@example.com", ""),
        ("Win a prize at https://evil.example", ""),
        ("Call 0470 12 34 56", ""),
        ("", ""),
    ],
)
def test_only_a_plain_name_is_printed_in_the_greeting(name: str, greeted: str) -> None:
    assert greeting_name(name) == greeted
