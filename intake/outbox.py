"""Replies to send, written in the ticket's transaction, after the rules that protect people.

The rules, in order (the first that applies keeps the reply back, and says why on the ticket):
no address; our own address or our own message coming back; a mail system's address;
an address known to be undeliverable; the daily cap per sender; and for "added to your
file": not within an hour of our last reply on the ticket, and at most one a day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.errors import HeaderParseError

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from intake.config import Settings
from intake.context import Context
from intake.handlers.plan import Plan
from intake.mail import ParsedMail
from intake.replies import (
    ReplyContext,
    build_mime,
    is_our_message_id,
    is_sendable_address,
    make_message_id,
)
from intake.store.models import Contact, Event, OutboxMessage, RawMessage, Ticket, utcnow
from intake.tickets import add_event, event_values, flag, has_documents

DAY = timedelta(days=1)
# No "added to your file" within this time of our last reply on the ticket: a storm or a quick
# second thought gets nothing more, someone writing again hours later hears it was added.
ADDED_QUIET = timedelta(hours=1)
_AUTOMATIC_KINDS = ("ack", "added")
# Rows that count towards the caps: everything that went, or will go, out.
_COUNTED_STATES = ("pending", "sending", "sent", "failed", "bounced")
_MAIL_SYSTEM = re.compile(
    r"^(?:mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?|auto-?reply|autoresponder)(?:[+\-._].*)?@",
    re.IGNORECASE,
)


def is_own_address(settings: Settings, address: str) -> bool:
    address = (address or "").lower()
    ours = {settings.office_address.lower(), (settings.reply_to or "").lower()} - {""}
    return address in ours or address.endswith("@" + settings.message_id_domain.lower())


def reply_blocker(
    session: Session,
    ctx: Context,
    ticket: Ticket,
    contact: Contact | None,
    kind: str,
    parsed: ParsedMail | None = None,
) -> str | None:
    """Why this reply must not go out, or None when it may."""
    settings = ctx.settings
    if contact is None:
        return "no sender address"
    blocked = address_blocker(settings, contact, parsed)
    if blocked:
        return blocked
    now = utcnow()
    sent_today = sent_since(session, [contact.email], now - DAY).get(contact.email, 0)
    blocked = daily_cap_blocker(settings, sent_today)
    if blocked:
        return blocked
    if kind == "added":
        if _count(
            session,
            OutboxMessage.ticket_id == ticket.id,
            OutboxMessage.created_at >= now - ADDED_QUIET,
        ):
            return "answered on this ticket less than an hour ago"
        if _count(
            session,
            OutboxMessage.ticket_id == ticket.id,
            OutboxMessage.kind == "added",
            OutboxMessage.created_at >= now - DAY,
        ):
            return "already told today that messages are added to this file"
    return None


def address_blocker(settings: Settings, contact: Contact, parsed: ParsedMail | None) -> str | None:
    """The rules about the address itself: ours, a mail system's, unusable, or bouncing."""
    if is_own_address(settings, contact.email) or (
        parsed is not None
        and (
            is_own_address(settings, parsed.from_email)
            or is_our_message_id(settings, parsed.message_id)
        )
    ):
        return "sender is our own address"
    if _MAIL_SYSTEM.match(contact.email):
        return "sender is a mail system, not a person"
    if not is_sendable_address(contact.email):
        return "not an address we can send to"
    if contact.undeliverable_since is not None:
        return f"address marked undeliverable: {contact.undeliverable_reason or 'bounced'}"[:500]
    return None


def daily_cap_blocker(settings: Settings, sent_today: int) -> str | None:
    if sent_today >= settings.max_acks_per_sender_per_day:
        return f"daily limit of {settings.max_acks_per_sender_per_day} acknowledgements reached"
    return None


def sent_since(session: Session, addresses: list[str], since: datetime) -> dict[str, int]:
    """Automatic replies per address since a time, for the daily cap of many senders at once."""
    if not addresses:
        return {}
    rows = session.execute(
        select(OutboxMessage.to_addr, func.count())
        .where(OutboxMessage.kind.in_(_AUTOMATIC_KINDS), OutboxMessage.state.in_(_COUNTED_STATES))
        .where(OutboxMessage.to_addr.in_(addresses), OutboxMessage.created_at >= since)
        .group_by(OutboxMessage.to_addr)
    )
    return {address: count for address, count in rows}


@dataclass(frozen=True, slots=True)
class ComposedReply:
    message_id: str
    subject: str
    mime: bytes
    languages: tuple[str, ...]


# What a mangled message's headers can make building the reply raise.
UNBUILDABLE = (ValueError, UnicodeError, HeaderParseError)


def compose_reply(
    ctx: Context, *, reference: str, language: str | None, parsed: ParsedMail, plan: Plan, to_addr: str,
    to_name: str, kind: str,
) -> ComposedReply:
    """The reply rendered in the citizen's language, as MIME; raises one of UNBUILDABLE."""
    rendered = ctx.renderer.render(
        kind,
        ReplyContext(
            reference=reference,
            citizen_name=parsed.from_name,
            original_subject=parsed.subject,
            plan=plan,
            documents=plan.documents,
            office_name=ctx.settings.office_name,
            with_documents=has_documents(parsed),
        ),
        language,
    )
    # Made once and stored with the row, so every send attempt carries the same Message-ID.
    message_id = make_message_id(ctx.settings, reference, kind)
    mime = build_mime(
        ctx.settings,
        rendered,
        to_addr=to_addr,
        to_name=to_name,
        message_id=message_id,
        in_reply_to=parsed.message_id,
        references=parsed.references,
    )
    return ComposedReply(message_id, rendered.subject, mime, tuple(rendered.languages))


def unbuildable_reason(exc: Exception) -> str:
    return f"reply could not be built: {type(exc).__name__}: {exc}"[:500]


def reply_values(ticket_id: int, raw_id: int, kind: str, to_addr: str, reply: ComposedReply) -> dict[str, object]:
    """The columns of an outbox row for a composed reply."""
    return {
        "ticket_id": ticket_id,
        "answers_raw_id": raw_id,
        "kind": kind,
        "to_addr": to_addr,
        "message_id": reply.message_id,
        "subject": reply.subject,
        "mime": reply.mime,
        "next_attempt_at": utcnow(),
    }


def queue_reply(
    session: Session,
    ctx: Context,
    *,
    ticket: Ticket,
    raw: RawMessage,
    parsed: ParsedMail,
    plan: Plan,
    contact: Contact | None,
    kind: str,
) -> OutboxMessage | None:
    """Write the reply to send, or log why none goes out. At most one per message and kind."""
    # The counts look at replies already written; nothing pending here changes them, so the
    # ticket's new rows go to the database together, with the reply, below.
    with session.no_autoflush:
        blocked = reply_blocker(session, ctx, ticket, contact, kind, parsed)
    if blocked:
        add_event(session, ticket, "reply_suppressed", kind=kind, reason=blocked)
        return None
    assert contact is not None and ticket.reference is not None
    try:
        reply = compose_reply(
            ctx, reference=ticket.reference, language=ticket.language, parsed=parsed, plan=plan,
            to_addr=contact.email, to_name=contact.name, kind=kind,
        )
    except UNBUILDABLE as exc:
        # Headers of a mangled message we cannot answer: the ticket stands, a human replies.
        reason = unbuildable_reason(exc)
        add_event(session, ticket, "reply_suppressed", kind=kind, reason=reason)
        flag(ticket, reason)
        return None
    row = OutboxMessage(**reply_values(ticket.id, raw.id, kind, contact.email, reply))
    session.add(row)
    if kind == "ack" and ticket.acknowledged_at is None:
        ticket.acknowledged_at = utcnow()
    session.flush()  # the event names the reply's id
    add_event(session, ticket, "reply_queued", kind=kind, outbox_id=row.id, languages=list(reply.languages))
    return row


def suppress_pending(session: Session, address: str, reason: str) -> list[int]:
    """Keep back every reply still waiting to go to an address that no longer works."""
    rows = list(
        session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.to_addr == address, OutboxMessage.state == "pending"
            )
        )
    )
    for row in rows:
        row.state = "suppressed"
        row.last_error = reason[:4000]
        session.add(
            Event(
                **event_values(
                    row.ticket_id, "reply_suppressed", kind=row.kind, outbox_id=row.id, reason=reason[:500]
                )
            )
        )
    return [row.id for row in rows]


def _count(session: Session, *conditions: object) -> int:
    query = (
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.kind.in_(_AUTOMATIC_KINDS), OutboxMessage.state.in_(_COUNTED_STATES))
        .where(*conditions)  # type: ignore[arg-type]
    )
    return session.scalar(query) or 0
