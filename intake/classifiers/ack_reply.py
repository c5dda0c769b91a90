"""Replies to our own acknowledgements: In-Reply-To/References in our domain, or our ticket tag.

Such a message belongs to an earlier case. It is a status follow-up unless it brings
documents for that case, which keep the case's intent.
"""

from __future__ import annotations

import re

from intake.classifiers.reading import TICKET_TAG, Reading
from intake.classifiers.verdict import Evidence

_OUR_QUOTE = re.compile(r"^\s*>?\s*\*?(?:from|van|de|von)\s*\*?\s*:.*@{domain}", re.I | re.M)


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
    if quoted and re.search(_OUR_QUOTE.pattern.format(domain=re.escape(reading.own_domain)), quoted, re.I | re.M):
        return Evidence("text", "quotes a message from our address")
    return None
