"""For each case and each language, the reply that arrives at a real SMTP server."""

from __future__ import annotations

import pytest

from intake.classifiers import Classification
from intake.handlers import plan_for
from intake.replies import is_our_message_id, reference_from_message_id
from tests.replies.helpers import (
    CASES,
    LANGUAGES,
    Mailroom,
    check_acknowledgement,
    html_of,
    text_of,
)

SUBJECTS = {
    "nl": "Vraag over mijn verblijf",
    "en": "Question about my residence",
    "fr": "Question sur mon séjour",
    "uk": "Питання щодо мого перебування",
    "ru": "Вопрос о моём пребывании",
    "ar": "سؤال عن إقامتي",
    "tr": "Oturumum hakkında soru",
    "es": "Pregunta sobre mi residencia",
}


def _every_case_in(room: Mailroom, language: str) -> None:
    for n, (label, fields) in enumerate(CASES):
        verdict = Classification(confidence=0.9, language=language, **fields)  # type: ignore[arg-type]
        sender = f"citizen{n}.{language}@example.com"

        outcome, message_id = room.write(
            as_=verdict, sender=f"Amina Test <{sender}>", subject=SUBJECTS[language]
        )

        assert outcome == "ticket_opened", label
        (reply,) = room.replies(to=sender)
        reference = reply["Subject"].split("]")[0].lstrip("[")
        assert str(reply["Subject"]) == f"[{reference}] Re: {SUBJECTS[language]}"
        assert reply["In-Reply-To"] == f"<{message_id}>"
        assert reply["Content-Language"] == language
        assert is_our_message_id(room.ctx.settings, reply["Message-ID"])
        assert reference_from_message_id(room.ctx.settings, reply["Message-ID"]) == reference
        plan = plan_for(verdict, room.ctx.routing)
        check_acknowledgement(
            text_of(reply), html_of(reply), plan, room.ctx.routing, language, reference
        )
        ticket = room.ticket(reference)
        assert (ticket.queue, ticket.status, ticket.language) == (
            plan.queue,
            plan.status.value,
            language,
        )
    assert len(room.smtp.messages) == len(CASES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_case_gets_its_acknowledgement_in_the_citizens_language(
    sqlite_mailroom: Mailroom, language: str
) -> None:
    _every_case_in(sqlite_mailroom, language)


def test_each_case_gets_its_acknowledgement_on_postgresql_too(pg_url: str, make_mailroom) -> None:
    _every_case_in(make_mailroom(pg_url), "fr")


def test_a_language_without_templates_gets_dutch_and_english_in_one_reply(
    sqlite_mailroom: Mailroom,
) -> None:
    verdict = Classification(confidence=0.9, language="pl", **dict(CASES[0][1]))  # type: ignore[arg-type]

    sqlite_mailroom.write(as_=verdict, sender="jan.kowalski@example.com", subject="Karta F+")

    (reply,) = sqlite_mailroom.replies()
    assert reply["Content-Language"] == "nl, en"
    text = text_of(reply)
    assert "We hebben uw e-mail goed ontvangen" in text and "We have received your e-mail" in text
    assert 'lang="nl" dir="ltr"' in html_of(reply) and 'lang="en" dir="ltr"' in html_of(reply)
