"""Replies to send, written in the ticket's transaction, after the rules that protect people."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from intake.context import Context
from intake.handlers.plan import Plan
from intake.mail import ParsedMail
from intake.replies import ReplyContext, build_mime, make_message_id
from intake.store.models import Contact, OutboxMessage, RawMessage, Ticket, utcnow
from intake.tickets import add_event


def reply_blocker(
    session: Session, ctx: Context, ticket: Ticket, contact: Contact | None, kind: str
) -> str | None:
    """Why this reply must not go out, or None when it may."""
    if contact is None or not _deliverable_address(contact.email):
        return "no valid sender address"
    office = ctx.settings.office_address.lower()
    if contact.email == office or contact.email.endswith("@" + ctx.settings.message_id_domain.lower()):
        return "sender is our own address"
    if contact.undeliverable_since is not None:
        return "address marked undeliverable"
    day_ago = utcnow() - timedelta(days=1)
    sent_today = session.scalar(
        select(func.count()).select_from(OutboxMessage)
        .where(OutboxMessage.to_addr == contact.email, OutboxMessage.created_at >= day_ago)
        .where(OutboxMessage.kind.in_(("ack", "added")))
    ) or 0
    if sent_today >= ctx.settings.max_acks_per_sender_per_day:
        return f"daily limit of {ctx.settings.max_acks_per_sender_per_day} acknowledgements reached"
    if kind == "added":
        added_today = session.scalar(
            select(func.count()).select_from(OutboxMessage)
            .where(OutboxMessage.ticket_id == ticket.id, OutboxMessage.created_at >= day_ago)
            .where(OutboxMessage.kind.in_(("ack", "added")))
        ) or 0
        if added_today:
            return "already answered on this ticket today"
    return None


def _deliverable_address(address: str) -> bool:
    """An address our SMTP path can write to: ASCII local part (no SMTPUTF8), a real domain."""
    local, _, domain = address.rpartition("@")
    return bool(local) and local.isascii() and "." in domain and not any(c.isspace() for c in address)


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
    blocked = reply_blocker(session, ctx, ticket, contact, kind)
    if blocked:
        add_event(session, ticket, "reply_suppressed", kind=kind, reason=blocked)
        return None
    assert contact is not None and ticket.reference is not None
    rendered = ctx.renderer.render(
        kind,
        ReplyContext(
            reference=ticket.reference,
            citizen_name=parsed.from_name,
            original_subject=parsed.subject,
            plan=plan,
            documents=plan.documents,
            office_name=ctx.settings.office_name,
        ),
        ticket.language,
    )
    message_id = make_message_id(ctx.settings, ticket.reference, kind)
    mime = build_mime(
        ctx.settings, rendered, to_addr=contact.email, to_name=contact.name, message_id=message_id,
        in_reply_to=parsed.message_id, references=parsed.references,
    )
    row = OutboxMessage(
        ticket_id=ticket.id, answers_raw_id=raw.id, kind=kind, to_addr=contact.email,
        message_id=message_id, subject=rendered.subject, mime=mime, next_attempt_at=utcnow(),
    )
    session.add(row)
    session.flush()
    if kind == "ack" and ticket.acknowledged_at is None:
        ticket.acknowledged_at = utcnow()
    add_event(session, ticket, "reply_queued", kind=kind, outbox_id=row.id, languages=list(rendered.languages))
    return row
