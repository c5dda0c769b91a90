"""Bounces: delivery status notifications (multipart/report) and plain "undeliverable" notices.

Checked before auto-replies because a DSN often carries ``Auto-Submitted`` too, and
"bounce" is the more precise answer: the address we wrote to does not work.
"""

from __future__ import annotations

import re

from intake.classifiers.fold import fold
from intake.classifiers.phrases import phrases
from intake.classifiers.reading import Reading
from intake.classifiers.verdict import Evidence, Verdict
from intake.intents import Intent

_DAEMON = re.compile(
    r"^(?:mailer[-_]?daemon|post[-_]?master|mail[-_]daemon|mdaemon)\b", re.IGNORECASE
)
_DAEMON_NAME = re.compile(
    r"mail delivery (?:system|subsystem)|mailer-daemon|postmaster", re.IGNORECASE
)

FAILURE_SUBJECT = phrases(
    "bounce subject",
    (2, (
        r"undeliver(?:ed|able)(?: mail| message)?", r"returned mail", r"mail delivery failed",
        r"delivery failure",
        r"delivery status notification \((?:failure|delay)\)", r"failure notice",
        r"mail system error",
        r"non-?deliverable", r"message not delivered", r"delivery has failed",
        r"could not send message",
        r"delayed mail", r"onbestelbaar", r"niet bezorgd", r"kan niet worden bezorgd", r"non remis",
        r"non distribu[eé]", r"unzustellbar", r"nicht zustellbar", r"no se puede entregar",
        r"non recapitabile",
        r"недоставленное сообщение", r"не доставлено", r"повернуто", r"returned to sender",
    )),
)
FAILURE_TEXT = phrases(
    "bounce text",
    (2, (
        r"could ?n[o']t be delivered", r"could not be delivered", r"was ?n[o']t able to deliver",
        r"was not delivered", r"delivery (?:to the following recipients? )?(?:has )?failed",
        r"permanent (?:error|failure|fatal error)", r"message (?:was )?not delivered",
        r"undeliverable",
        r"user unknown", r"no such (?:user|mailbox|recipient)",
        r"mailbox (?:unavailable|not found|does not exist)",
        r"recipient (?:address )?rejected", r"address not found", r"quota exceeded", r"over quota",
        r"remote server returned", r"diagnostic-code", r"final-recipient",
        r"the following addresses? (?:had|failed)",
        r"levering aan (?:deze|de volgende) [^\n]{0,40}(?:is )?mislukt",
        r"kon niet worden (?:afgeleverd|bezorgd)",
        r"n'a pas pu [eê]tre (?:remis|distribu[eé])", r"[eé]chec de (?:la )?(?:remise|livraison)",
        r"konnte nicht zugestellt werden", r"no se (?:pudo|ha podido) entregar",
        r"не удалось доставить",
        r"не вдалося доставити", r"i'm afraid i wasn't able", r"this is the mail system at host",
        r"delivery to the following recipient", r"returned message",
        r"message could not be delivered",
        r"error (?:delivering|sending) (?:your )?(?:mail|message|e-?mail)",
        r"invalid (?:user|recipient)(?: address)?",
        r"requested action not taken", r"unknown (?:user|recipient|address)",
        r"recipient not found",
        r"delivery status notification", r"created automatically by mail delivery software",
        r"returning message to sender",
    )),
    (1, (r"\b[45]\.\d{1,3}\.\d{1,3}\b", r"\b5[05]\d(?=[ -])", r"smtp error",
         r"host (?:unknown|not found)")),
)


def detect(reading: Reading) -> Verdict | None:
    mail = reading.mail
    types = mail.content_types
    if "message/delivery-status" in types or "message/global-delivery-status" in types:
        report = Evidence("structure", "multipart/report with message/delivery-status")
        return Verdict(Intent.BOUNCE, 0.99, (report,))
    if "multipart/report" in types and not any(
        t in types for t in ("message/feedback-report", "message/disposition-notification")
    ):
        return Verdict(Intent.BOUNCE, 0.95, (Evidence("structure", "multipart/report"),))
    subject_score, subject_found = FAILURE_SUBJECT.score(fold(mail.subject))
    # The notice itself, not a bounce a citizen forwards to us with a question.
    own = reading.field("own")
    text_score, text_found = FAILURE_TEXT.score(own.folded[:4000]) if own else (0.0, [])
    daemon = bool(_DAEMON.match(mail.from_email) or _DAEMON_NAME.search(mail.from_name))
    automated = daemon or (mail.header("return-path") or "").strip() == "<>"
    if text_score >= 2 and (automated or subject_score or text_score >= 4):
        found = (subject_found + text_found)[:4]
        evidence = [Evidence("text", f"delivery failure: '{p}'") for p in found]
        if daemon:
            evidence.insert(0, Evidence("header", f"sender {mail.from_email or mail.from_name}"))
        confidence = min(0.98, 0.7 + 0.05 * (subject_score + text_score))
        return Verdict(Intent.BOUNCE, confidence, tuple(evidence))
    return None
