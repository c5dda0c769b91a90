"""Replies to our acknowledgements: a status follow-up, unless they bring documents for the case."""

from __future__ import annotations

from intake.intents import Intent
from tests.classifiers.mails import mail, verdict

OUR_ACK = "<intake.7f3a9c@stad.gent>"
PDF = b"%PDF-1.4\n" + b"0" * 2000


def test_a_reply_to_our_acknowledgement_is_a_status_followup() -> None:
    got = verdict(
        mail(
            "Is er al nieuws? Mijn kaart vervalt binnenkort.",
            subject="Re: [GNT-2026-000123] F+ kaart",
            in_reply_to=OUR_ACK,
        )
    )
    assert got.intent is Intent.STATUS_FOLLOWUP
    assert any("reply to our acknowledgement" in e.detail for e in got.evidence)


def test_our_ticket_tag_in_the_subject_is_enough_without_threading_headers() -> None:
    got = verdict(
        mail("Hebben jullie mijn mail ontvangen?", subject="RE: [GNT-2026-000123] K-kaart")
    )
    assert got.intent is Intent.STATUS_FOLLOWUP


def test_documents_sent_on_the_thread_keep_the_intent_of_the_case() -> None:
    got = verdict(
        mail(
            "Hierbij mijn loonfiches voor mijn aanvraag van een K-kaart.",
            subject="RE: [GNT-2026-000123] aanvraag K-kaart",
            in_reply_to=OUR_ACK,
            attachments=[("loonfiches.pdf", "application/pdf", PDF)],
        )
    )
    assert got.intent is Intent.KL_CARD_SWITCH
    assert any(e.source == "documents" for e in got.evidence)


def test_the_own_domain_is_a_parameter() -> None:
    raw = mail(
        "Thank you, that is clear.",
        subject="Re: your request",
        in_reply_to="<abc@helpdesk.example.org>",
    )
    assert verdict(raw, own_domain="helpdesk.example.org").intent is Intent.STATUS_FOLLOWUP
    assert verdict(raw).intent is not Intent.STATUS_FOLLOWUP


def test_a_reply_from_someone_else_is_not_threaded_to_us() -> None:
    got = verdict(
        mail(
            "Mijn verblijfskaart is gestolen.",
            subject="Re: gestolen",
            in_reply_to="<x@example.com>",
        )
    )
    assert got.intent is Intent.CARD_LOST


def test_a_clearly_new_request_on_the_thread_is_that_request() -> None:
    body = (
        "Bedankt. Nog iets anders: gisteren is mijn verblijfskaart gestolen op de tram. "
        "Ik heb aangifte gedaan bij de politie. Wat moet ik doen?"
    )
    got = verdict(mail(body, subject="Re: [GNT-2026-000123] F+ kaart", in_reply_to=OUR_ACK))
    assert got.intent is Intent.CARD_LOST


def test_a_worry_mentioned_in_a_follow_up_does_not_make_it_a_new_request() -> None:
    body = (
        "It has been four weeks and I have not heard anything. My F card expires on 12 March, I am "
        "worried."
    )
    got = verdict(mail(body, subject="Re: [GNT-2026-000123] F+ card", in_reply_to=OUR_ACK))
    assert got.intent is Intent.STATUS_FOLLOWUP
