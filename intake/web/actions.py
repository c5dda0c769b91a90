"""What an agent does to a ticket; each action changes the ticket and logs one event, in the caller's transaction."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from intake.intents import Intent
from intake.routing import Routing
from intake.statuses import OPEN_STATUSES, TicketStatus
from intake.store.models import OutboxMessage, RawMessage, Ticket, TicketMessage, User, utcnow
from intake.tickets import add_event, follow_merge
from intake.web.users import Account


class ActionError(Exception):
    """Raised when an action cannot apply (unknown user, bad value); its key names the message shown."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def record_view(session: Session, ticket: Ticket, who: Account) -> None:
    """Who opened which ticket: personal data access is logged."""
    add_event(session, ticket, "viewed", actor=who.username)


def claim(session: Session, ticket: Ticket, who: Account) -> None:
    old = ticket.assigned_to
    ticket.assigned_to = who.id
    if ticket.status == TicketStatus.NEW:
        _set_status(session, ticket, TicketStatus.OPEN.value, who)
    add_event(session, ticket, "assigned", actor=who.username, old=old, new=who.id, claimed=True)


def assign(session: Session, ticket: Ticket, who: Account, user_id: int | None) -> None:
    if user_id is not None:
        user = session.get(User, user_id)
        if user is None or not user.active:
            raise ActionError("flash.invalid")
    old = ticket.assigned_to
    ticket.assigned_to = user_id
    add_event(session, ticket, "assigned", actor=who.username, old=old, new=user_id)


def change_intent(
    session: Session, ticket: Ticket, who: Account, routing: Routing, intent: str
) -> str:
    """Set the intent and move the ticket to that intent's queue; returns the queue."""
    try:
        route = routing.route(Intent(intent))
    except ValueError:
        raise ActionError("flash.invalid") from None
    old_intent, old_queue = ticket.intent, ticket.queue
    ticket.intent = intent
    ticket.queue = route.queue
    add_event(
        session,
        ticket,
        "intent_changed",
        actor=who.username,
        old=old_intent,
        new=intent,
        old_queue=old_queue,
        queue=route.queue,
    )
    return route.queue


def set_status(session: Session, ticket: Ticket, who: Account, status: str) -> None:
    if status not in {s.value for s in TicketStatus}:
        raise ActionError("flash.invalid")
    _set_status(session, ticket, status, who)


def _set_status(session: Session, ticket: Ticket, status: str, who: Account) -> None:
    old = ticket.status
    if old == status:
        return
    ticket.status = status
    if status in OPEN_STATUSES:
        ticket.closed_at = None
    elif ticket.closed_at is None:
        ticket.closed_at = utcnow()
    if status == TicketStatus.WAITING_FOR_DOCUMENTS:
        ticket.missing_documents = True
    add_event(session, ticket, "status_changed", actor=who.username, old=old, new=status)


def add_note(session: Session, ticket: Ticket, who: Account, text: str) -> None:
    text = text.strip()
    if not text:
        raise ActionError("flash.empty")
    session.add(
        TicketMessage(
            ticket_id=ticket.id,
            direction="note",
            author_id=who.id,
            body_text=text[:100_000],
            from_name=who.name,
        )
    )
    add_event(session, ticket, "note_added", actor=who.username)


def clear_flag(session: Session, ticket: Ticket, who: Account) -> None:
    reason = ticket.flag_reason
    ticket.needs_human = False
    ticket.flag_reason = None
    add_event(session, ticket, "flag_cleared", actor=who.username, reason=reason)


def merge(session: Session, source: Ticket, who: Account, target_reference: str) -> Ticket:
    """Join this ticket into another of the same case: its messages move, it is closed and points there."""
    target = follow_merge(
        session, session.scalar(select(Ticket).where(Ticket.reference == target_reference.strip().upper()))
    )
    if target is None or target.id == source.id:
        raise ActionError("flash.merge_unknown", reference=target_reference.strip()[:40])
    # Everything of the citizen's moves: messages, the raw mail they came as, our replies. What
    # stays on the closed source ticket would go with it when the retention purge removes it.
    for model in (TicketMessage, RawMessage, OutboxMessage):
        session.execute(
            update(model).where(model.ticket_id == source.id).values(ticket_id=target.id),
            execution_options={"synchronize_session": False},
        )
    session.execute(
        update(Ticket).where(Ticket.merged_into == source.id).values(merged_into=target.id),
        execution_options={"synchronize_session": False},
    )
    session.expire(source, ["messages"])
    session.expire(target, ["messages"])
    # The citizen has waited since their first message, whichever ticket it landed in.
    target.received_at = min(target.received_at, source.received_at)
    target.needs_human = target.needs_human or source.needs_human
    if target.status not in OPEN_STATUSES and source.status in OPEN_STATUSES:
        _set_status(session, target, TicketStatus.OPEN.value, who)
    if source.status != TicketStatus.CLOSED:
        _set_status(session, source, TicketStatus.CLOSED.value, who)
    source.merged_into = target.id
    add_event(session, source, "merged", actor=who.username, into=target.reference)
    add_event(session, target, "merged_from", actor=who.username, source=source.reference)
    return target
