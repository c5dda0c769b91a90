"""A ticket as its page shows it: the whole thread in order, attachments, classification, history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.parser import BytesParser

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from intake.store.models import (
    AttachmentBlob,
    Contact,
    Event,
    MessageAttachment,
    OutboxMessage,
    Ticket,
    TicketMessage,
    User,
)
from intake.web.users import shown_name


@dataclass(frozen=True, slots=True)
class AttachmentView:
    id: int
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True, slots=True)
class ThreadItem:
    """One entry of the thread: kind is in (citizen), out (our reply), auto (acknowledgement), note."""

    kind: str
    at: datetime
    author: str
    subject: str
    text: str
    html: str | None
    to: str = ""
    delivery: str | None = None
    attachments: list[AttachmentView] = field(default_factory=list)
    # The citizen's HTML after sanitising; set by the page, never the raw html.
    safe_html: str | None = None


@dataclass(frozen=True, slots=True)
class TicketView:
    ticket: Ticket
    contact: Contact | None
    assignee: str | None
    merged_into_reference: str | None
    merged_from: list[str]
    items: list[ThreadItem]
    events: list[Event]


def load_ticket(session: Session, ticket_id: int) -> TicketView | None:
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        return None
    merged_from = list(
        session.execute(select(Ticket.id, Ticket.reference).where(Ticket.merged_into == ticket.id))
    )
    ticket_ids = [ticket.id, *(r[0] for r in merged_from)]
    messages = list(
        session.scalars(
            select(TicketMessage)
            .where(TicketMessage.ticket_id == ticket.id)
            .options(selectinload(TicketMessage.attachments))
            .order_by(TicketMessage.created_at, TicketMessage.id)
        )
    )
    outbox = list(
        session.scalars(select(OutboxMessage).where(OutboxMessage.ticket_id.in_(ticket_ids)))
    )
    names = _user_names(
        session, {m.author_id for m in messages if m.author_id} | {ticket.assigned_to or 0}
    )
    items = _thread(messages, outbox, names)
    events = list(
        session.scalars(
            select(Event)
            .where(Event.ticket_id == ticket.id)
            .order_by(Event.at.desc(), Event.id.desc())
            .limit(200)
        )
    )
    target = session.get(Ticket, ticket.merged_into) if ticket.merged_into else None
    return TicketView(
        ticket=ticket,
        contact=ticket.contact,
        assignee=names.get(ticket.assigned_to) if ticket.assigned_to else None,
        merged_into_reference=target.reference if target else None,
        merged_from=[r[1] or f"#{r[0]}" for r in merged_from],
        items=items,
        events=events,
    )


def attachment_for(
    session: Session, ticket_id: int, attachment_id: int
) -> tuple[MessageAttachment, bytes] | None:
    """An attachment with its bytes, only when it belongs to that ticket."""
    att = session.get(MessageAttachment, attachment_id)
    if att is None:
        return None
    owner = session.scalar(
        select(TicketMessage.ticket_id).where(TicketMessage.id == att.ticket_message_id)
    )
    if owner != ticket_id:
        return None
    blob = session.get(AttachmentBlob, att.sha256)
    return (att, blob.data) if blob is not None else None


def last_incoming(session: Session, ticket_id: int) -> TicketMessage | None:
    return session.scalar(
        select(TicketMessage)
        .where(TicketMessage.ticket_id == ticket_id, TicketMessage.direction == "in")
        .order_by(TicketMessage.created_at.desc(), TicketMessage.id.desc())
        .limit(1)
    )


def thread_message_ids(session: Session, ticket_id: int) -> list[str]:
    """Message-IDs of the thread, oldest first, for the References header of a reply."""
    ids = session.scalars(
        select(TicketMessage.message_id)
        .where(
            TicketMessage.ticket_id == ticket_id,
            TicketMessage.message_id.is_not(None),
            TicketMessage.direction != "note",
        )
        .order_by(TicketMessage.created_at, TicketMessage.id)
    )
    return [i for i in ids if i]


def _thread(
    messages: list[TicketMessage], outbox: list[OutboxMessage], names: dict[int, str]
) -> list[ThreadItem]:
    delivery = {o.message_id: o.state for o in outbox}
    items = [
        ThreadItem(
            kind="in" if m.direction == "in" else m.direction,
            at=m.created_at,
            author=(m.from_name or m.from_addr)
            if m.direction == "in"
            else names.get(m.author_id or 0, "—"),
            subject=m.subject,
            text=m.body_text,
            html=m.body_html if m.direction == "in" else None,
            to=m.to_addrs if m.direction == "out" else "",
            delivery=delivery.get(m.message_id or "") if m.direction == "out" else None,
            attachments=[
                AttachmentView(a.id, a.filename, a.content_type, a.size) for a in m.attachments
            ],
        )
        for m in messages
    ]
    known = {m.message_id for m in messages if m.message_id}
    for row in outbox:
        if row.message_id not in known:
            items.append(
                ThreadItem(
                    kind="auto",
                    at=row.created_at,
                    author=row.kind,
                    subject=row.subject,
                    text=_text_part(row.mime),
                    html=None,
                    to=row.to_addr,
                    delivery=row.state,
                )
            )
    return sorted(items, key=lambda i: i.at)


def _text_part(mime: bytes) -> str:
    message = BytesParser(policy=policy.default).parsebytes(mime)
    body = message.get_body(preferencelist=("plain",))
    return str(body.get_content()) if body is not None else ""


def _user_names(session: Session, ids: set[int]) -> dict[int, str]:
    ids.discard(0)
    if not ids:
        return {}
    rows = session.execute(select(User.id, shown_name()).where(User.id.in_(ids)))
    return {r[0]: r[1] for r in rows}
