"""Replies to our own acknowledgements: In-Reply-To/References in our domain, or our ticket tag.

Such a message belongs to an earlier case. It is a status follow-up unless it brings
documents for that case, which keep the case's intent, or its own words (not the subject
it repeats) clearly ask something new.
"""

from __future__ import annotations

import functools
import re
from dataclasses import replace

from intake.classifiers.documents import documents
from intake.classifiers.intent import IntentDecision, Scored, decide, score
from intake.classifiers.reading import TICKET_TAG, Reading
from intake.classifiers.verdict import Evidence
from intake.intents import Intent

# Documents on the thread keep the case's intent when the case's words score this much.
CASE_WITH_DOCUMENTS = 2.5
# Without documents, a reply is a new request only when its own words say so this strongly.
NEW_REQUEST = 5.0
_NOT_A_CASE = (Intent.STATUS_FOLLOWUP, Intent.GENERAL_QUESTION)


@functools.cache
def _our_quote(domain: str) -> re.Pattern[str]:
    """A quoted "From:" line with an address of ours, compiled once per domain."""
    return re.compile(
        rf"^\s*>?\s*\*?(?:from|van|de|von)\s*\*?\s*:.*@{re.escape(domain)}",
        re.IGNORECASE | re.MULTILINE,
    )


def replies_to_us(reading: Reading) -> Evidence | None:
    """Evidence that the message answers one of our messages, or None."""
    mail = reading.mail
    suffix = "@" + reading.own_domain.lower()
    for name, ids in (("In-Reply-To", (mail.in_reply_to,)), ("References", mail.references)):
        for msgid in ids:
            if msgid and msgid.lower().rstrip(">").endswith(suffix):
                return Evidence("header", f"{name} <{msgid}>: a reply to our acknowledgement")
    tag = TICKET_TAG.search(mail.subject)
    if tag:
        return Evidence("subject", f"our ticket tag {tag.group(0)}")
    quoted = reading.parts.quoted[:600]
    if quoted and _our_quote(reading.own_domain).search(quoted):
        return Evidence("text", "quotes a message from our address")
    return None


def decide_reply(
    reading: Reading, scored: Scored, language: str | None, thread: Evidence
) -> IntentDecision:
    """The intent of a reply to one of our acknowledgements."""
    docs = documents(reading.mail)
    case = _best_case(scored)
    if docs and case and case[1] >= CASE_WITH_DOCUMENTS:
        decided = decide(scored, reading)
        names = ", ".join(a.filename for a in docs[:3])
        return IntentDecision(
            case[0],
            max(decided.confidence, 0.6),
            False,
            (thread, Evidence("documents", f"documents for the case: {names}")) + decided.evidence,
        )
    own_words = replace(reading, fields=tuple(f for f in reading.fields if f.name != "subject"))
    own_scored = score(own_words, language)
    followup = own_scored.scores.get(Intent.STATUS_FOLLOWUP, 0.0)
    new = _best_case(own_scored)
    if not docs and followup < NEW_REQUEST and new and new[1] >= NEW_REQUEST:
        decided = decide(own_scored, own_words)
        return IntentDecision(
            new[0],
            decided.confidence,
            False,
            (thread, Evidence("intent", "a new request on the thread")) + decided.evidence,
        )
    reasons = decide(scored, reading).evidence if followup else ()
    return IntentDecision(Intent.STATUS_FOLLOWUP, 0.9, False, (thread,) + reasons)


def _best_case(scored: Scored) -> tuple[Intent, float] | None:
    return next(((i, s) for i, s in scored.ranked() if i not in _NOT_A_CASE), None)
