"""Automatic answers are never answered: an automation header, or out-of-office text."""

from __future__ import annotations

import pytest

from intake.intents import Intent
from tests.classifiers.examples import all_examples
from tests.classifiers.mails import mail, verdict

OUT_OF_OFFICE = [ex for ex in all_examples() if ex.id.startswith("oo")]


@pytest.mark.parametrize(
    "header",
    [
        ("Auto-Submitted", "auto-replied"),
        ("Auto-Submitted", "auto-generated"),
        ("X-Autoreply", "yes"),
        ("X-Autorespond", "yes"),
        ("X-Auto-Response-Suppress", "All"),
        ("Precedence", "auto_reply"),
        ("X-Loop", "yes"),
        ("List-Id", "<neighbours.example.org>"),
        ("Return-Path", "<>"),
    ],
)
def test_a_message_with_an_automation_header_gets_no_acknowledgement(
    header: tuple[str, str],
) -> None:
    got = verdict(
        mail("Ik wil een F+ kaart aanvragen.", subject="F+ kaart", headers=dict([header]))
    )
    assert got.intent is Intent.AUTO_REPLY
    assert not got.send_ack
    assert any(header[0].lower() in e.detail.lower() for e in got.evidence), got.evidence


def test_auto_submitted_no_is_a_person_writing() -> None:
    got = verdict(
        mail("Ik wil een F+ kaart aanvragen.", subject="F+ kaart", headers={"Auto-Submitted": "no"})
    )
    assert got.send_ack


def test_a_citizen_whose_mail_only_has_x_mailer_is_answered() -> None:
    got = verdict(
        mail(
            "Mijn verblijfskaart is gestolen, wat moet ik doen?",
            subject="kaart gestolen",
            headers={"X-Mailer": "iPhone Mail (22D63)"},
        )
    )
    assert got.send_ack
    assert got.intent is Intent.CARD_LOST


@pytest.mark.parametrize(
    "sender",
    [
        "MAILER-DAEMON@mx.example.net",
        "noreply@example.com",
        "no-reply@tickets.example.org",
        "postmaster@example.org",
    ],
)
def test_robot_senders_are_not_answered(sender: str) -> None:
    assert not verdict(mail("Your request was received.", subject="Info", sender=sender)).send_ack


def test_mail_from_our_own_domain_is_a_loop_and_not_answered() -> None:
    got = verdict(
        mail(
            "Beste, we hebben uw bericht ontvangen.", sender="Dienst Migratie <migratie@stad.gent>"
        )
    )
    assert not got.send_ack


@pytest.mark.parametrize("example", OUT_OF_OFFICE, ids=[ex.id for ex in OUT_OF_OFFICE])
def test_out_of_office_text_without_any_header_is_recognised_in_ten_languages(example) -> None:  # type: ignore[no-untyped-def]
    got = verdict(example.raw())
    assert got.intent is Intent.AUTO_REPLY
    assert not got.send_ack
    assert got.language == example.language
    assert any("out-of-office" in e.detail for e in got.evidence)


def test_out_of_office_examples_cover_at_least_ten_languages() -> None:
    assert len({ex.language for ex in OUT_OF_OFFICE}) >= 10


def test_a_citizen_on_holiday_who_lost_a_card_is_answered() -> None:
    body = (
        "I am on holiday in Spain and my residence card was stolen. What should I do when I am "
        "back?"
    )
    got = verdict(mail(body, subject="stolen card"))
    assert got.send_ack
    assert got.intent is Intent.CARD_LOST


def test_a_citizen_who_was_absent_at_an_appointment_is_answered() -> None:
    body = (
        "Bonjour, j'étais absent au rendez-vous pour ma carte de séjour qui expire. Un nouveau "
        "rendez-vous ?"
    )
    assert verdict(mail(body, subject="Absence rendez-vous")).send_ack
