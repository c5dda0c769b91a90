"""Bounces of our replies: which reply bounced, and marking its address undeliverable.

A hard bounce (a permanent failure: unknown user, no such domain) marks the contact's address
undeliverable, flags the ticket so the team reaches the person another way, and keeps back
every reply still waiting for that address; nothing more goes to it until the person writes
to us from it again. A soft bounce (mailbox full, delayed) is only noted on the ticket.

    >>> report = read_bounce(dsn_bytes)
    BounceReport(recipients=('hamid@example.net',), permanent=True, status='5.1.1',
                 diagnostic='550 5.1.1 <hamid@example.net>: user unknown',
                 message_ids=('GNT-2026-000123.ack.3f9a0c1d2e.9e1b7c0d5a4f3e21@stad.gent',))
"""

from __future__ import annotations

import email
import email.policy
import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from email.message import Message
from email.parser import HeaderParser

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake.config import Settings
from intake.mail import ParsedMail
from intake.outbox import is_own_address, suppress_pending
from intake.replies import reference_from_message_id
from intake.store.models import Contact, OutboxMessage, Ticket, utcnow
from intake.tickets import add_event, flag

log = logging.getLogger("intake.bounces")

# How long after sending a reply a bounce naming only its recipient is still matched to it.
RECIPIENT_MATCH_WINDOW = timedelta(days=14)

_MSGID = re.compile(r"<([^<>\s]+@[^<>\s]+)>")
_MSGID_LINE = re.compile(
    r"^message-id:[ \t]*(?:\r?\n[ \t]+)?<([^<>\s]+)>", re.IGNORECASE | re.MULTILINE
)
_STATUS = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])")
_ADDRESS = re.compile(r"<?([A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})>?")
_QMAIL_RECIPIENT = re.compile(r"^<([^<>\s]+@[^<>\s]+)>:\s*$", re.MULTILINE)
_FINAL_RECIPIENT = re.compile(
    r"^(?:final|original)-recipient:\s*rfc822;\s*<?([^\s<>]+@[^\s<>]+)>?",
    re.IGNORECASE | re.MULTILINE,
)
_PERMANENT_WORDS = re.compile(
    r"permanent(?:ly)? (?:error|failure|fatal)|does not exist|user unknown|no such (?:user|mailbox|domain)|"
    r"recipient not found|address rejected|niet gevonden|bestaat niet|introuvable|n'existe pas",
    re.IGNORECASE,
)
# Enhanced status codes that are permanent in form but usually pass (RFC 3463: mailbox full).
_TRANSIENT_DETAILS = {(2, 2)}


@dataclass(frozen=True, slots=True)
class BounceReport:
    """What a delivery status notification says about the message it returns."""

    recipients: tuple[str, ...]
    permanent: bool
    status: str | None
    diagnostic: str
    # Message-IDs of the returned message (and what the DSN itself replies to).
    message_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Bounced:
    """Which of our replies bounced: its ticket, the address it went to, the outbox row if known."""

    ticket: Ticket
    address: str
    outbox: OutboxMessage | None


# --- reading a DSN --------------------------------------------------------------------------


def read_bounce(raw: bytes) -> BounceReport | None:
    """Read a DSN (RFC 3464), an Exchange NDR or a plain "failure notice"; None if it is none.

    Never raises: bytes it cannot read are no bounce it can act on.
    """
    try:
        return _read_bounce(raw)
    except Exception:
        log.warning("could not read a delivery report", exc_info=True)
        return None


def _read_bounce(raw: bytes) -> BounceReport | None:
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    own_id = _first_msgid(msg.get("Message-ID"))
    recipients: list[str] = [a for a in _addresses(msg.get("X-Failed-Recipients"))]
    statuses: list[str] = []
    actions: list[str] = []
    diagnostics: list[str] = []
    returned_ids: list[str] = []
    texts: list[str] = []
    for part in _parts(msg):
        ctype = part.get_content_type()
        if ctype == "message/delivery-status":
            for block in _status_blocks(part):
                recipient = block.get("Final-Recipient") or block.get("Original-Recipient")
                if recipient:
                    recipients.extend(_addresses(recipient.split(";", 1)[-1]))
                if block.get("Action"):
                    actions.append(block["Action"].strip().lower())
                if block.get("Status"):
                    statuses.append(block["Status"].strip())
                if block.get("Diagnostic-Code"):
                    diagnostics.append(" ".join(block["Diagnostic-Code"].split(";", 1)[-1].split()))
        elif ctype == "message/rfc822":
            inner = part.get_payload(0) if part.is_multipart() else None
            if isinstance(inner, Message):
                returned_ids.extend(_returned_ids(inner))
        elif ctype in ("text/rfc822-headers", "message/rfc822-headers"):
            headers = HeaderParser().parsestr(_decoded(part))
            returned_ids.extend(_returned_ids(headers))
        elif part.get_content_maintype() == "text" and not part.is_multipart():
            texts.append(_decoded(part))
    text = "\n".join(texts)
    if not recipients:
        recipients = _FINAL_RECIPIENT.findall(text) or _QMAIL_RECIPIENT.findall(text)
    # Returned headers pasted as text ("--- Below this line is a copy of the message.").
    returned_ids.extend(i for i in _MSGID_LINE.findall(text) if i != own_id)
    replied_to = [
        m for m in _MSGID.findall(f"{msg.get('In-Reply-To', '')} {msg.get('References', '')}")
    ]
    if not statuses:
        statuses = [".".join(m) for m in _STATUS.findall(text)]
    if not (recipients or returned_ids or statuses or actions):
        return None
    return BounceReport(
        recipients=tuple(dict.fromkeys(r.lower() for r in recipients)),
        permanent=_permanent(actions, statuses, text),
        status=statuses[0] if statuses else None,
        diagnostic=(diagnostics[0] if diagnostics else _diagnostic_line(text))[:500],
        message_ids=tuple(dict.fromkeys(i for i in (*returned_ids, *replied_to) if i != own_id)),
    )


def _parts(msg: Message) -> list[Message]:
    """Every part of the report, without descending into the message it returns."""
    if msg.get_content_type() == "message/rfc822" or not msg.is_multipart():
        return [msg]
    payload = msg.get_payload()
    found = [msg]
    for sub in payload if isinstance(payload, list) else []:
        if isinstance(sub, Message):
            found.extend(_parts(sub))
    return found


def _status_blocks(part: Message) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return [b for b in payload if isinstance(b, Message)]
    # Some parsers leave the report as text: read each blank-line separated block as headers.
    text = payload if isinstance(payload, str) else ""
    return [
        HeaderParser().parsestr(block)
        for block in re.split(r"\r?\n\s*\r?\n", text)
        if block.strip()
    ]


def _returned_ids(headers: Message) -> list[str]:
    found = _first_msgid(headers.get("Message-ID"))
    return [found] if found else []


def _first_msgid(value: object) -> str | None:
    found = _MSGID.search(str(value or ""))
    return found.group(1) if found else None


def _addresses(value: object) -> list[str]:
    return [a.lower() for a in _ADDRESS.findall(str(value or ""))]


def _decoded(part: Message) -> str:
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        payload = part.get_payload()
        return payload if isinstance(payload, str) else ""
    try:
        return data.decode(part.get_content_charset() or "utf-8", "replace")
    except LookupError:  # a charset Python does not know
        return data.decode("utf-8", "replace")


def _permanent(actions: list[str], statuses: list[str], text: str) -> bool:
    if "delayed" in actions and "failed" not in actions:
        return False
    codes = [tuple(int(x) for x in m.groups()) for m in (_STATUS.search(s) for s in statuses) if m]
    if codes:
        return any(c[0] == 5 and (c[1], c[2]) not in _TRANSIENT_DETAILS for c in codes)
    return bool(_PERMANENT_WORDS.search(text))


def _diagnostic_line(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.splitlines()]
    for test in (_STATUS.search, re.compile(r"\b5\d\d\b").search, _PERMANENT_WORDS.search):
        found = next((line for line in lines if test(line)), None)
        if found:
            return found
    return "delivery failed"


# --- matching it to our reply ---------------------------------------------------------------


def find_bounced(session: Session, settings: Settings, report: BounceReport) -> Bounced | None:
    """The reply of ours this bounce returns: by its Message-ID, by our signed reference, or
    (last) by a failed recipient we recently wrote to."""
    if report.message_ids:
        row = session.scalar(
            select(OutboxMessage)
            .where(OutboxMessage.message_id.in_(list(report.message_ids)))
            .limit(1)
        )
        if row is not None:
            ticket = session.get(Ticket, row.ticket_id)
            if ticket is not None:
                return Bounced(ticket, row.to_addr, row)
    for mid in report.message_ids:
        reference = reference_from_message_id(settings, mid)
        ticket = (
            session.scalar(select(Ticket).where(Ticket.reference == reference))
            if reference
            else None
        )
        if ticket is None:
            continue
        address = next((r for r in report.recipients if not is_own_address(settings, r)), None)
        address = address or (ticket.contact.email if ticket.contact else None)
        if address:
            return Bounced(ticket, address, None)
    since = utcnow() - RECIPIENT_MATCH_WINDOW
    for recipient in report.recipients:
        if is_own_address(settings, recipient):
            continue
        row = session.scalar(
            select(OutboxMessage)
            .where(OutboxMessage.to_addr == recipient, OutboxMessage.state.in_(("sent", "bounced")))
            .where(OutboxMessage.created_at >= since)
            .order_by(OutboxMessage.id.desc())
            .limit(1)
        )
        if row is not None:
            ticket = session.get(Ticket, row.ticket_id)
            if ticket is not None:
                return Bounced(ticket, row.to_addr, row)
    return None


def record_bounce(session: Session, bounced: Bounced, report: BounceReport) -> None:
    """Note the bounce on the ticket; a hard one marks the address undeliverable."""
    ticket, address = bounced.ticket, bounced.address
    add_event(
        session,
        ticket,
        "reply_bounced",
        to=address,
        permanent=report.permanent,
        status=report.status,
        diagnostic=report.diagnostic,
        outbox_id=bounced.outbox.id if bounced.outbox else None,
    )
    if bounced.outbox is not None:
        bounced.outbox.last_error = f"bounced: {report.status or ''} {report.diagnostic}".strip()[
            :4000
        ]
        if report.permanent and bounced.outbox.state == "sent":
            bounced.outbox.state = "bounced"
    if not report.permanent:
        return
    reason = f"{report.status} {report.diagnostic}".strip() if report.status else report.diagnostic
    contact = session.scalar(select(Contact).where(Contact.email == address))
    if contact is not None:
        if contact.undeliverable_since is None:
            contact.undeliverable_since = utcnow()
        contact.undeliverable_reason = reason[:2000]
    suppress_pending(session, address, f"address undeliverable: {reason}")
    flag(ticket, f"mail to {address} bounces ({reason[:200]}): reach the person another way")
    add_event(session, ticket, "contact_undeliverable", address=address, reason=reason[:500])


def clear_undeliverable(
    session: Session, contact: Contact | None, parsed: ParsedMail, ticket: Ticket
) -> None:
    """The person wrote to us from the address again: mail to it works again."""
    if contact is None or contact.undeliverable_since is None:
        return
    if parsed.from_email.lower() != contact.email.lower():
        return  # only a Reply-To pointing there: that proves nothing
    add_event(
        session,
        ticket,
        "contact_deliverable",
        address=contact.email,
        undeliverable_since=contact.undeliverable_since.isoformat(),
        reason=contact.undeliverable_reason,
    )
    contact.undeliverable_since = None
    contact.undeliverable_reason = None
