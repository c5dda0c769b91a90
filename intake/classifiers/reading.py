"""What every detector reads: a ParsedMail with its own text split off and folded, once.

``read(parsed)`` does the per-message text work a single time (quote stripping,
folding, tokens) so that each detector stays a small pure function of the Reading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from intake.classifiers.citizen_text import CitizenText, split
from intake.classifiers.fold import TOKEN, fold, tokens
from intake.mail import ParsedMail

OWN_DOMAIN = "stad.gent"

# How much a concept counts depending on where it was written.
FIELD_WEIGHTS = {"subject": 1.4, "own": 1.0, "forwarded": 0.8, "attachments": 0.7}

_PREFIX = re.compile(
    r"^\s*(?:(?:re|aw|antw|sv|vs|wg|fwd?|fw|tr|rv|enc|r|ynt|odp|отв|ответ|رد|doorst|ilt|ref|réf)"
    r"\s*(?:\[\d+\])?\s*:\s*|\[[^\]]{1,40}\]\s*)+",
    re.IGNORECASE,
)
# Our ticket tags: "[Migratie #105009]" (the old system), "[GNT-2026-000123]" (ours).
TICKET_TAG = re.compile(r"\[\s*(?:migratie\s*#\s*\d+|[a-z]{2,5}-\d{4}-\d{3,})\s*\]", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    text: str
    folded: str
    words: list[str]
    weight: float

    def written(self, start: int, end: int) -> str:
        """Words start..end as the writer typed them (the folded ones if they do not line up)."""
        original = TOKEN.findall(self.text.lower())
        source = original if len(original) == len(self.words) else self.words
        return " ".join(source[start:end])


@dataclass(frozen=True, slots=True)
class Reading:
    mail: ParsedMail
    subject: str  # without Re:/Fwd: and ticket tags
    parts: CitizenText
    fields: tuple[Field, ...]
    own_domain: str = OWN_DOMAIN

    def field(self, name: str) -> Field | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None


def clean_subject(subject: str) -> str:
    return _PREFIX.sub("", TICKET_TAG.sub(" ", subject)).strip()


def read(parsed: ParsedMail, own_domain: str = OWN_DOMAIN) -> Reading:
    subject = clean_subject(parsed.subject)
    parts = split(parsed.text, parsed.subject)
    names = " ; ".join(a.filename for a in parsed.attachments if a.filename)
    own_short = len(parts.own) < 400
    texts = (
        ("subject", subject, FIELD_WEIGHTS["subject"]),
        ("own", parts.own, FIELD_WEIGHTS["own"]),
        # For a forward with a short cover note, the forwarded message is the case.
        ("forwarded", parts.forwarded, 1.0 if own_short else FIELD_WEIGHTS["forwarded"]),
        ("attachments", names, FIELD_WEIGHTS["attachments"]),
    )
    fields = []
    for name, text, weight in texts:
        if text.strip():
            folded = fold(text)
            fields.append(Field(name, text, folded, tokens(folded), weight))
    return Reading(parsed, subject, parts, tuple(fields), own_domain)
