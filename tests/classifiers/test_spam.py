"""Spam and phishing are recognised by their content, not only by headers, and never answered."""

from __future__ import annotations

import pytest

from intake.intents import Intent
from tests.classifiers.examples import all_examples
from tests.classifiers.mails import mail, verdict

SPAM = [ex for ex in all_examples() if ex.intent == "spam"]


@pytest.mark.parametrize("example", SPAM, ids=[ex.id for ex in SPAM])
def test_spam_is_recognised_and_not_answered(example) -> None:  # type: ignore[no-untyped-def]
    got = verdict(example.raw())
    assert got.intent is Intent.SPAM
    assert not got.send_ack
    assert got.evidence


def test_a_bulk_newsletter_with_list_unsubscribe_gets_no_acknowledgement() -> None:
    got = verdict(
        mail(
            "Nieuws uit de buurt: workshops en evenementen.",
            subject="Nieuwsbrief",
            headers={"List-Unsubscribe": "<https://news.example.com/u?id=1>", "Precedence": "bulk"},
        )
    )
    assert not got.send_ack


def test_a_fake_residence_offer_that_uses_procedure_words_as_bait_is_spam() -> None:
    body = (
        "Bonjour, vous voulez une carte de séjour belge ou la carte F+ sans rendez-vous ? Nous "
        "garantissons "
        "votre titre de séjour en 15 jours ouvrables. Taux de réussite 100 %. Paiement en crypto "
        "accepté."
    )
    got = verdict(mail(body, subject="Titre de séjour garanti", sender="Agence <info@example.org>"))
    assert got.intent is Intent.SPAM


def test_a_display_name_claiming_to_be_the_city_from_elsewhere_adds_to_phishing_evidence() -> None:
    body = "Your mailbox will be deactivated. Validate your account now."
    got = verdict(mail(body, subject="Mailbox", sender='"Stad Gent IT" <it@example.net>'))
    assert got.intent is Intent.SPAM
    assert any("display name" in e.detail for e in got.evidence)


def test_a_citizen_asking_whether_a_guarantee_exists_is_answered() -> None:
    body = (
        "Is it guaranteed that I get my residence card if I send all documents? I have an A card."
    )
    assert verdict(mail(body, subject="question")).send_ack


def test_a_citizen_forwarding_a_scam_to_ask_if_it_is_real_is_answered() -> None:
    example = next(ex for ex in all_examples() if ex.id == "ct03")
    got = verdict(example.raw())
    assert got.send_ack
    assert got.intent is Intent.GENERAL_QUESTION
