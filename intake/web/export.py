"""CSV export of tickets received in a period: ticket facts only, no names, addresses or text."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import aliased

from intake.store import Database
from intake.store.models import Ticket, User

COLUMNS = (
    "reference",
    "queue",
    "intent",
    "status",
    "language",
    "received_at",
    "acknowledged_at",
    "first_reply_at",
    "closed_at",
    "assigned_to",
    "needs_human",
    "missing_documents",
    "merged_into",
)
BATCH = 2000


def export_rows(db: Database, first: date, last: date, zone: ZoneInfo) -> Iterator[str]:
    """CSV text in chunks, streamed: tickets received from `first` to `last` (local days, inclusive)."""
    start = datetime.combine(first, time.min, tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    yield _drain(buffer)
    target = aliased(Ticket)
    with db.session() as session:
        query = (
            select(
                Ticket.reference,
                Ticket.queue,
                Ticket.intent,
                Ticket.status,
                Ticket.language,
                Ticket.received_at,
                Ticket.acknowledged_at,
                Ticket.first_reply_at,
                Ticket.closed_at,
                User.username,
                Ticket.needs_human,
                Ticket.missing_documents,
                target.reference,
            )
            .outerjoin(User, User.id == Ticket.assigned_to)
            .outerjoin(target, target.id == Ticket.merged_into)
            .where(Ticket.received_at >= start, Ticket.received_at < end)
            .order_by(Ticket.received_at, Ticket.id)
            .execution_options(yield_per=BATCH)
        )
        for n, row in enumerate(session.execute(query), start=1):
            writer.writerow([_cell(v) for v in row])
            if n % BATCH == 0:
                yield _drain(buffer)
    yield _drain(buffer)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, bool):
        return "1" if value else "0"
    text = str(value)
    # A spreadsheet must not read a cell as a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _drain(buffer: io.StringIO) -> str:
    value = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return value
