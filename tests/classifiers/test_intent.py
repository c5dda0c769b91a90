"""Intent from subject, own text and attachment names, in many languages, with evidence."""

from __future__ import annotations

from dataclasses import replace

import pytest

from intake.classifiers import classify
from intake.classifiers.intent import THRESHOLD
from intake.intents import NON_ACTIONABLE, Intent
from intake.parsing import parse_mail
from tests.classifiers.examples import all_examples
from tests.classifiers.mails import mail, verdict

CITIZEN = [ex for ex in all_examples() if ex.intent not in {i.value for i in NON_ACTIONABLE}]


@pytest.mark.parametrize("example", CITIZEN, ids=[ex.id for ex in CITIZEN])
def test_each_example_citizen_mail_gets_its_intent_language_and_details(example) -> None:  # type: ignore[no-untyped-def]
    got = classify(parse_mail(example.raw()))
    assert got.intent.value == example.intent or got.intent.value in example.also, got.evidence
    assert got.language == example.language
    assert got.send_ack
    if example.location is not None:
        assert got.location == example.location
    if example.missing is not None:
        assert got.missing_documents is example.missing


def test_the_examples_cover_every_intent_in_several_languages() -> None:
    by_intent: dict[str, set[str | None]] = {}
    for ex in all_examples():
        by_intent.setdefault(ex.intent, set()).add(ex.language)
    assert set(by_intent) == {i.value for i in Intent}
    assert all(len(langs) >= 3 for intent, langs in by_intent.items() if intent != "bounce")


def test_every_decision_carries_the_phrases_that_led_to_it() -> None:
    got = verdict(mail("Mijn bijlage 35 vervalt volgende week.", subject="verlenging"))
    assert got.intent is Intent.ANNEX35_EXTENSION
    assert any("bijlage 35" in e.detail for e in got.evidence)
    assert got.confidence >= THRESHOLD


def test_a_disclaimer_that_mentions_residence_cards_does_not_decide() -> None:
    example = next(ex for ex in all_examples() if ex.id == "hd12")
    got = verdict(example.raw())
    assert got.intent is Intent.GENERAL_QUESTION
    assert not any("residence card" in e.detail for e in got.evidence)


def test_a_message_with_nothing_specific_is_a_general_question_flagged_for_a_human() -> None:
    got = verdict(mail("Hallo, kunt u mij helpen? Dank u.", subject="hulp"))
    assert got.intent is Intent.GENERAL_QUESTION
    assert got.needs_human
    assert got.confidence < THRESHOLD


def test_a_photo_without_any_text_is_answered_and_goes_to_a_human() -> None:
    got = verdict(
        mail(
            "", subject="", attachments=[("IMG_2291.jpeg", "image/jpeg", b"\xff\xd8" + b"x" * 800)]
        )
    )
    assert got.intent is Intent.GENERAL_QUESTION
    assert got.needs_human and got.send_ack


def test_the_subject_counts_more_than_a_passing_mention_in_the_text() -> None:
    body = "Ik ben Française en heb een oude E-kaart. Kan dat per mail, zoals bij de F+ kaart?"
    assert verdict(mail(body, subject="EU+ kaart aanvragen")).intent is Intent.EU_PLUS_CARD


def test_an_expired_child_card_is_a_child_card_not_a_renewal() -> None:
    body = "Bonjour, la carte de séjour de mon fils de 8 ans a expiré. Comment la renouveler ?"
    assert verdict(mail(body, subject="carte expirée")).intent is Intent.CHILD_CARD


def test_a_recognised_refugee_who_still_has_an_orange_card_asks_for_the_residence_card() -> None:
    body = (
        "Ik ben gisteren erkend als vluchteling door het CGVS. Ik heb nog een oranje kaart. Hoe "
        "krijg ik mijn verblijfskaart?"
    )
    assert verdict(mail(body, subject="erkend")).intent is Intent.REFUGEE_RESIDENCE_CARD


def test_a_student_who_mentions_the_annex_32_of_her_sponsor_is_no_guarantor() -> None:
    body = (
        "Je suis étudiante à Gand, ma carte A doit être renouvelée. On me demande la preuve de mes "
        "moyens "
        "de subsistance (annexe 32). Comment vous remettre ces documents ?"
    )
    assert verdict(mail(body, subject="documents renouvellement")).intent is not Intent.GUARANTOR


@pytest.mark.parametrize(
    "body",
    [
        "I wrote to you three weeks ago about my K card and I have not heard anything yet.",
        "Ik heb vorige maand gemaild voor mijn F+ kaart maar nog altijd geen antwoord.",
        (
            "Je vous ai écrit le 3 mars pour ma carte F+, je n'ai toujours pas de réponse. Où en est "
            "mon dossier ?"
        ),
        "Я писала вам месяц назад про карту K, но ответа нет.",
    ],
)
def test_i_wrote_before_and_have_no_answer_is_a_status_followup(body: str) -> None:
    assert verdict(mail(body, subject="aanvraag")).intent is Intent.STATUS_FOLLOWUP


@pytest.mark.parametrize(
    ("subject", "body", "intent"),
    [
        (
            "vraag",
            "ik wil mijn kaart omzetten naar een F plus kaart, mijn vrouw is Italiaanse",
            Intent.FPLUS_CARD,
        ),
        (
            "вопрос",
            "Здравствуйте, муж гражданин Франции, хочу получить карта F+. Что нужно?",
            Intent.FPLUS_CARD,
        ),
        ("anexo", "hola mi anex 35 vence el viernes, que hago?", Intent.ANNEX35_EXTENSION),
        (
            "annexe",
            "bonjour mon annexe 35 expire bientot, je voudrais la prolonger",
            Intent.ANNEX35_EXTENSION,
        ),
        (
            "vraag",
            "mijn bijlage 35 loopt af volgende week, wanneer kan ik komen",
            Intent.ANNEX35_EXTENSION,
        ),
        (
            "karta",
            "Dzień dobry, chcę przejść z karty B na kartę K. Jakie dokumenty?",
            Intent.KL_CARD_SWITCH,
        ),
    ],
)
def test_transliterated_and_mixed_spellings_of_cards_and_annexes_are_understood(
    subject: str, body: str, intent: Intent
) -> None:
    assert verdict(mail(body, subject=subject)).intent is intent


def _phone_typed(text: str) -> str:
    import re
    import unicodedata

    plain = "".join(
        c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c)
    )
    return re.sub(r"[.,;:!?]", "", plain)


@pytest.mark.parametrize("example", CITIZEN, ids=[ex.id for ex in CITIZEN])
def test_the_same_mail_typed_on_a_phone_without_accents_or_punctuation_gets_the_same_intent(
    example,
) -> None:  # type: ignore[no-untyped-def]
    typed = replace(example, subject=_phone_typed(example.subject), body=_phone_typed(example.body))
    got = classify(parse_mail(typed.raw()))
    assert got.intent.value == example.intent or got.intent.value in example.also, got.evidence


def test_a_subject_asking_for_a_card_keeps_its_intent_when_the_text_says_my_card() -> None:
    verdict = classify(
        parse_mail(
            mail(
                subject="Re: Aanvraag F+ kaart",
                body="Nog een vraag over mijn F+ kaart, de foto is bijgevoegd.",
            )
        )
    )
    assert verdict.intent == Intent.FPLUS_CARD
