"""Classification: plain functions of a ParsedMail, protective detectors first, then intent.

``classify(parsed)`` is the one entry point; it does no I/O. The order of the checks is
the data below: a message is read once (``reading.read``), the protective detectors
decide first whether it is automatic or unwanted mail (never answered), then the
language of the writer's own text, then the intent with its details.
"""

from __future__ import annotations

from collections.abc import Callable

from intake.classifiers import auto_reply, bounce, language, location, spam
from intake.classifiers.ack_reply import decide_reply, replies_to_us
from intake.classifiers.documents import documents
from intake.classifiers.intent import IntentDecision, decide, score
from intake.classifiers.reading import OWN_DOMAIN, Reading, read
from intake.classifiers.verdict import Classification, Evidence, Verdict
from intake.intents import Intent
from intake.mail import ParsedMail

Detector = Callable[[Reading], Verdict | None]

# Protective detectors, in order. Bounce before auto-reply: a DSN often carries
# Auto-Submitted too, and "bounce" is the more precise answer. Spam last: its bulk
# headers are also on some automatic answers, which are better called auto-replies.
PROTECTIVE: tuple[Detector, ...] = (bounce.detect, auto_reply.detect, spam.detect)


def classify(parsed: ParsedMail, *, own_domain: str = OWN_DOMAIN) -> Classification:
    reading = read(parsed, own_domain)
    protective = next(
        (v for v in (detect(reading) for detect in PROTECTIVE) if v is not None), None
    )
    lang, lang_evidence = language.detect(reading)
    lang_ev = (lang_evidence,) if lang_evidence else ()
    if protective is not None:
        return Classification(
            protective.intent, protective.confidence, lang, evidence=protective.evidence + lang_ev
        )
    decision = _intent(reading, lang)
    centre, centre_evidence = location.find(reading)
    missing = decision.intent is Intent.REFUGEE_DATA_UPDATE and not documents(parsed)
    evidence = decision.evidence + lang_ev + ((centre_evidence,) if centre_evidence else ())
    if missing:
        evidence += (Evidence("documents", "no PDF or photo of a document attached"),)
    return Classification(
        intent=decision.intent,
        confidence=decision.confidence,
        language=lang,
        location=centre,
        missing_documents=missing,
        needs_human=decision.needs_human or parsed.needs_human,
        evidence=evidence,
    )


def _intent(reading: Reading, lang: str | None) -> IntentDecision:
    scored = score(reading, lang)
    thread = replies_to_us(reading)
    if thread is None:
        return decide(scored, reading)
    return decide_reply(reading, scored, lang, thread)


__all__ = ["PROTECTIVE", "Classification", "Evidence", "classify"]
