"""Words that several phrase patterns match count once: one ordinary sentence does not make a
citizen's question look like spam or an out-of-office reply, which would leave it unanswered."""

from __future__ import annotations

import pytest

from intake.classifiers.phrases import phrases
from intake.intents import NON_ACTIONABLE
from tests.classifiers.mails import mail, verdict


def test_patterns_matching_the_same_words_score_once() -> None:
    ooo = phrases("ooo", (3, ("estoy (?:\\w+ )?fuera de la oficina",)), (2, ("fuera de la oficina",)))
    assert ooo.score("estoy fuera de la oficina hasta el lunes") == (3, ["estoy fuera de la oficina"])
    assert ooo.score("fuera de la oficina. estoy fuera de la oficina")[0] == 5  # two places, two scores


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        ("Kaart", "How can I transfer the money for the new card fee? My residence card was stolen."),
        ("Gestolen kaart", "Ik ben afwezig tot maandag. Mijn verblijfskaart is gestolen, wat moet ik doen?"),
        ("Tarjeta", "Hola, estoy fuera de la oficina de correos y perdí mi tarjeta de residencia."),
    ],
)
def test_a_citizens_question_with_a_phrase_that_also_fits_automatic_mail_is_answered(subject: str, body: str) -> None:
    got = verdict(mail(body, subject=subject))
    assert got.intent not in NON_ACTIONABLE, got.evidence
    assert got.send_ack
