"""Open a ticket or thread a message into one, in the caller's transaction."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from intake.classifiers.verdict import Classification
from intake.config import Settings
from intake.handlers.plan import Plan
from intake.intents import Intent
from intake.mail import ParsedMail
from intake.replies import reference_from_message_id
from intake.statuses import OPEN_STATUSES, WAITING_ON_CITIZEN, TicketStatus
from intake.store.models import (
    AttachmentBlob,
    Contact,
    Event,
    MessageAttachment,
    OutboxMessage,
    RawMessage,
    Ticket,
    TicketMessage,
    utcnow,
)

_REFERENCE = re.compile(r"\[(?P<ref>[A-Z]{2,5}-\d{4}-\d{6})\]")


@dataclass(frozen=True, slots=True)
class Filed:
    ticket: Ticket
    message: TicketMessage
    # opened: a new ticket; threaded: joined a reply thread; joined: same sender, same open case.
    how: str


def format_reference(settings: Settings, ticket_id: int, when: datetime) -> str:
    return f"{settings.reference_prefix}-{when.year}-{ticket_id:06d}"


def find_thread(session: Session, settings: Settings, parsed: ParsedMail) -> Ticket | None:
    """The ticket this message answers: our reference in the subject, or a known Message-ID."""
    found = _REFERENCE.search(parsed.subject)
    if found:
        ticket = session.scalar(select(Ticket).where(Ticket.reference == found.group("ref")))
        if ticket is not None:
            return _follow_merge(session, ticket)
    ids = [i for i in (parsed.in_reply_to, *parsed.references) if i]
    if not ids:
        return None
    for mid in ids:
        ref = reference_from_message_id(settings, mid)
        if ref:
            ticket = session.scalar(select(Ticket).where(Ticket.reference == ref))
            if ticket is not None:
                return _follow_merge(session, ticket)
    ticket_id = session.scalar(
        select(TicketMessage.ticket_id).where(TicketMessage.message_id.in_(ids)).order_by(TicketMessage.id.desc()).limit(1)
    ) or session.scalar(select(OutboxMessage.ticket_id).where(OutboxMessage.message_id.in_(ids)).limit(1))
    return _follow_merge(session, session.get(Ticket, ticket_id)) if ticket_id else None


def find_open_case(session: Session, contact: Contact, verdict: Classification) -> Ticket | None:
    """An open ticket of the same sender about the same case, for a new message to join."""
    if verdict.intent in (Intent.GENERAL_QUESTION,):
        return None
    same_case = or_(Ticket.intent == verdict.intent.value, verdict.intent == Intent.STATUS_FOLLOWUP)
    return session.scalar(
        select(Ticket)
        .where(Ticket.contact_id == contact.id, Ticket.status.in_(list(OPEN_STATUSES)), same_case)
        .where(Ticket.merged_into.is_(None))
        .order_by(Ticket.received_at.desc())
        .limit(1)
    )


def contact_for(session: Session, parsed: ParsedMail, language: str | None) -> Contact | None:
    address = parsed.reply_address
    if not address:
        return None
    contact = session.scalar(select(Contact).where(Contact.email == address))
    if contact is None:
        contact = Contact(email=address, name=parsed.from_name[:255], language=language)
        session.add(contact)
        session.flush()
    elif language and not contact.language:
        contact.language = language
    return contact


def open_ticket(
    session: Session, settings: Settings, parsed: ParsedMail, verdict: Classification, plan: Plan,
    contact: Contact | None, flag_reason: str | None,
) -> Ticket:
    now = utcnow()
    ticket = Ticket(
        queue=plan.queue,
        intent=plan.intent.value,
        status=plan.status.value,
        language=verdict.language,
        subject=parsed.subject[:2000],
        contact_id=contact.id if contact else None,
        location=plan.location,
        needs_appointment=plan.needs_appointment,
        missing_documents=plan.missing_documents,
        confidence=verdict.confidence,
        evidence=[str(e) for e in verdict.evidence],
        needs_human=flag_reason is not None,
        flag_reason=flag_reason,
        received_at=now,
        closed_at=now if plan.status == TicketStatus.CLOSED else None,
    )
    session.add(ticket)
    session.flush()
    ticket.reference = format_reference(settings, ticket.id, now)
    add_event(session, ticket, "created", queue=ticket.queue, intent=ticket.intent)
    return ticket


def add_incoming(
    session: Session, ticket: Ticket, raw: RawMessage, parsed: ParsedMail, verdict: Classification
) -> TicketMessage:
    message = TicketMessage(
        ticket_id=ticket.id,
        direction="in",
        raw_message_id=raw.id,
        message_id=parsed.message_id,
        from_addr=parsed.from_email,
        from_name=parsed.from_name[:255],
        to_addrs=", ".join(a.email for a in parsed.to)[:4000],
        subject=parsed.subject[:2000],
        body_text=parsed.text,
        body_html=parsed.html,
        intent=verdict.intent.value,
        language=verdict.language,
        defects=list(parsed.defects)[:50],
    )
    session.add(message)
    session.flush()
    for att in parsed.attachments:
        if session.get(AttachmentBlob, att.sha256) is None:
            session.add(AttachmentBlob(sha256=att.sha256, size=att.size, data=att.data))
            session.flush()
        session.add(
            MessageAttachment(
                ticket_message_id=message.id, sha256=att.sha256, filename=att.filename[:1000] or "attachment",
                content_type=att.content_type[:255], size=att.size, inline=att.inline,
            )
        )
    add_event(
        session, ticket, "classified", intent=verdict.intent.value, confidence=round(verdict.confidence, 3),
        language=verdict.language, evidence=[str(e) for e in verdict.evidence][:20],
    )
    return message


def reopen_if_waiting(session: Session, ticket: Ticket, plan: Plan) -> None:
    """A citizen's answer moves a ticket waiting on them back to the team's queue."""
    if ticket.status in WAITING_ON_CITIZEN or ticket.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        old = ticket.status
        ticket.status = TicketStatus.OPEN.value
        ticket.closed_at = None
        if old == TicketStatus.WAITING_FOR_DOCUMENTS and not plan.missing_documents:
            ticket.missing_documents = False
        add_event(session, ticket, "status_changed", old=old, new=ticket.status, reason="citizen replied")


def add_event(session: Session, ticket: Ticket | None, event: str, actor: str = "system", **data: object) -> None:
    session.add(Event(ticket_id=ticket.id if ticket else None, kind=event, actor=actor, data=data))


def _follow_merge(session: Session, ticket: Ticket | None) -> Ticket | None:
    seen = set()
    while ticket is not None and ticket.merged_into and ticket.id not in seen:
        seen.add(ticket.id)
        ticket = session.get(Ticket, ticket.merged_into)
    return ticket
