"""Retention: closed tickets go with their messages, attachments, raw mail and replies; only counts stay.

Before a ticket is deleted its arrival and closing are added to the anonymous DailyCount rows, so
the dashboard's inflow and outflow stay right after the purge. Runs in batches, one transaction each.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, CursorResult, Delete, Row, delete, func, select, update
from sqlalchemy.orm import Session

from intake.context import Context
from intake.statuses import CLOSED_STATUSES
from intake.store.models import (
    AttachmentBlob,
    Contact,
    DailyCount,
    Event,
    MessageAttachment,
    OutboxMessage,
    RawMessage,
    Ticket,
    TicketMessage,
)
from intake.tickets import add_event

log = logging.getLogger("intake.purge")

BATCH = 500


@dataclass
class PurgeCounts:
    tickets: int = 0
    messages: int = 0
    attachments: int = 0
    raw_messages: int = 0
    replies: int = 0
    contacts: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def purge_closed(
    ctx: Context, older_than_days: int, *, now: datetime | None = None, dry_run: bool = False
) -> PurgeCounts:
    """Delete tickets resolved or closed more than `older_than_days` ago; returns what went."""
    if older_than_days <= 0:
        raise ValueError("older_than_days must be positive")
    cutoff = (now or datetime.now(UTC)) - timedelta(days=older_than_days)
    zone = ZoneInfo(ctx.settings.web_timezone)
    counts = PurgeCounts()
    if dry_run:
        with ctx.db.session() as session:
            counts.tickets = (
                session.scalar(select(func.count()).select_from(Ticket).where(*_due(cutoff))) or 0
            )
        return counts
    while True:
        with ctx.db.session() as session:
            ids = list(
                session.scalars(
                    select(Ticket.id).where(*_due(cutoff)).order_by(Ticket.id).limit(BATCH)
                )
            )
            if not ids:
                break
            _purge_batch(session, ids, zone, counts)
    if counts.tickets:
        with ctx.db.session() as session:
            add_event(
                session, None, "purged", older_than_days=older_than_days, counts=counts.as_dict()
            )
        log.info("purged %s", counts.as_dict())
    return counts


def _due(cutoff: datetime) -> list[ColumnElement[bool]]:
    return [
        Ticket.status.in_(CLOSED_STATUSES),
        Ticket.closed_at.is_not(None),
        Ticket.closed_at < cutoff,
    ]


def _purge_batch(session: Session, ids: list[int], zone: ZoneInfo, counts: PurgeCounts) -> None:
    tickets = session.execute(
        select(
            Ticket.received_at,
            Ticket.closed_at,
            Ticket.queue,
            Ticket.intent,
            Ticket.merged_into,
            Ticket.contact_id,
        ).where(Ticket.id.in_(ids))
    ).all()
    _count_days(session, tickets, zone)
    message_ids = select(TicketMessage.id).where(TicketMessage.ticket_id.in_(ids))
    shas = set(
        session.scalars(
            select(MessageAttachment.sha256).where(
                MessageAttachment.ticket_message_id.in_(message_ids)
            )
        )
    )
    raw_ids = set(session.scalars(select(RawMessage.id).where(RawMessage.ticket_id.in_(ids))))
    raw_ids |= {
        r
        for r in session.scalars(
            select(TicketMessage.raw_message_id).where(TicketMessage.ticket_id.in_(ids))
        )
        if r
    }
    contact_ids = {t.contact_id for t in tickets if t.contact_id}

    # Tickets merged into one of these, still kept, lose only the pointer.
    session.execute(
        update(Ticket)
        .where(Ticket.merged_into.in_(ids), Ticket.id.not_in(ids))
        .values(merged_into=None)
    )
    session.execute(update(Ticket).where(Ticket.id.in_(ids)).values(merged_into=None))
    _deleted(
        session,
        delete(MessageAttachment).where(MessageAttachment.ticket_message_id.in_(message_ids)),
    )
    counts.messages += _deleted(
        session, delete(TicketMessage).where(TicketMessage.ticket_id.in_(ids))
    )
    counts.replies += _deleted(
        session, delete(OutboxMessage).where(OutboxMessage.ticket_id.in_(ids))
    )
    _deleted(session, delete(Event).where(Event.ticket_id.in_(ids)))
    if raw_ids:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.answers_raw_id.in_(raw_ids))
            .values(answers_raw_id=None)
        )
        session.execute(
            update(TicketMessage)
            .where(TicketMessage.raw_message_id.in_(raw_ids))
            .values(raw_message_id=None)
        )
        counts.raw_messages += _deleted(
            session, delete(RawMessage).where(RawMessage.id.in_(raw_ids))
        )
    counts.tickets += _deleted(session, delete(Ticket).where(Ticket.id.in_(ids)))
    if shas:
        still_used = select(MessageAttachment.sha256).where(MessageAttachment.sha256.in_(shas))
        counts.attachments += _deleted(
            session,
            delete(AttachmentBlob).where(
                AttachmentBlob.sha256.in_(shas), AttachmentBlob.sha256.not_in(still_used)
            ),
        )
    if contact_ids:
        in_use = select(Ticket.contact_id).where(Ticket.contact_id.in_(contact_ids))
        counts.contacts += _deleted(
            session,
            delete(Contact).where(Contact.id.in_(contact_ids), Contact.id.not_in(in_use)),
        )


def _count_days(session: Session, tickets: Sequence[Row[*tuple[Any, ...]]], zone: ZoneInfo) -> None:
    """Add each ticket's arrival and closing to the anonymous per-day counts (merged ones are not counted)."""
    bumps: dict[tuple[str, str, str], list[int]] = {}
    for t in tickets:
        if t.merged_into is not None:
            continue
        opened = (t.received_at.astimezone(zone).date().isoformat(), t.queue, t.intent)
        closed = (t.closed_at.astimezone(zone).date().isoformat(), t.queue, t.intent)
        bumps.setdefault(opened, [0, 0])[0] += 1
        bumps.setdefault(closed, [0, 0])[1] += 1
    for (day, queue, intent), (opened_n, closed_n) in bumps.items():
        row = session.get(DailyCount, (day, queue, intent))
        if row is None:
            session.add(
                DailyCount(day=day, queue=queue, intent=intent, opened=opened_n, closed=closed_n)
            )
        else:
            row.opened += opened_n
            row.closed += closed_n
    session.flush()


def _deleted(session: Session, statement: Delete) -> int:
    """Run a DELETE and return how many rows it removed."""
    return int(cast(CursorResult[Any], session.execute(statement)).rowcount)
