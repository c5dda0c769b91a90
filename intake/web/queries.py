"""The team's lists: queue counts in one GROUP BY, and tickets oldest first with keyset paging."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Annotated, Any

from fastapi import Path
from sqlalchemy import ColumnElement, Select, exists, func, or_, select, text, tuple_
from sqlalchemy.orm import Session, aliased

from intake.statuses import OPEN_STATUSES, TicketStatus
from intake.store.models import Contact, Ticket, TicketMessage, User
from intake.web.users import shown_name

# Waiting for the team: what an agent should pick up next.
WAITING_FOR_TEAM = (TicketStatus.NEW.value, TicketStatus.OPEN.value)
# The same condition as literal SQL, so PostgreSQL can use the partial index ix_ticket_waiting
# (a bound parameter list cannot be matched against an index predicate in a generic plan).
WAITING_SQL = text("tickets.status IN (" + ", ".join(f"'{s}'" for s in WAITING_FOR_TEAM) + ")")
STATUS_FILTERS = ("waiting", "open", "any", *(s.value for s in TicketStatus))
# Languages offered in the filter; tickets in other languages are found with "any".
FILTER_LANGUAGES = (
    "nl",
    "en",
    "fr",
    "de",
    "es",
    "ar",
    "uk",
    "ru",
    "tr",
    "fa",
    "ps",
    "so",
    "ti",
    "pl",
    "ro",
)
# Path ids beyond a 64-bit integer cannot exist; refusing them early keeps them away from the database.
DatabaseId = Annotated[int, Path(ge=1, le=2**63 - 1)]
AnySelect = Select[*tuple[Any, ...]]
_REFERENCE = re.compile(r"^[A-Za-z]{2,5}-\d{4}-\d{6}$")


@dataclass(frozen=True, slots=True)
class TicketFilter:
    queue: str | None = None
    status: str = "waiting"
    language: str | None = None
    mine: bool = False
    unassigned: bool = False
    documents: bool = False
    flagged: bool = False
    q: str = ""
    after: str | None = None

    def normalised(self, queues: list[str]) -> TicketFilter:
        """Unknown values fall back to the default rather than failing the page."""
        return replace(
            self,
            queue=self.queue if self.queue in queues else None,
            status=self.status
            if self.status in STATUS_FILTERS
            else ("any" if self.q else "waiting"),
            language=self.language if self.language in FILTER_LANGUAGES else None,
            q=self.q.strip()[:200],
        )

    def query_args(self, **changes: object) -> dict[str, str]:
        """The filter as URL query arguments (for links that keep it), without empty ones."""
        values = {
            "queue": self.queue,
            "status": self.status,
            "language": self.language,
            "mine": self.mine,
            "unassigned": self.unassigned,
            "documents": self.documents,
            "flagged": self.flagged,
            "q": self.q,
            **changes,
        }
        return {
            k: ("1" if v is True else str(v))
            for k, v in values.items()
            if v not in (None, False, "")
        }


@dataclass(frozen=True, slots=True)
class TicketRow:
    id: int
    reference: str
    subject: str
    queue: str
    intent: str
    status: str
    language: str | None
    received_at: datetime
    contact_name: str
    contact_email: str
    assignee: str | None
    needs_human: bool
    missing_documents: bool


@dataclass(frozen=True, slots=True)
class TicketPage:
    rows: list[TicketRow]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class QueueCount:
    queue: str
    waiting: int
    open: int


def queue_counts(session: Session, queues: list[str]) -> list[QueueCount]:
    """Per queue: tickets waiting for the team and all not closed; one GROUP BY."""
    rows = session.execute(
        select(Ticket.queue, Ticket.status, func.count())
        .where(Ticket.status.in_([s.value for s in OPEN_STATUSES]))
        .group_by(Ticket.queue, Ticket.status)
    )
    waiting: dict[str, int] = {}
    open_: dict[str, int] = {}
    for queue, status, count in rows:
        open_[queue] = open_.get(queue, 0) + count
        if status in WAITING_FOR_TEAM:
            waiting[queue] = waiting.get(queue, 0) + count
    names = list(queues) + sorted(set(open_) - set(queues))
    return [QueueCount(q, waiting.get(q, 0), open_.get(q, 0)) for q in names]


def list_tickets(
    session: Session, f: TicketFilter, *, user_id: int | None, limit: int
) -> TicketPage:
    """One page of tickets, oldest first; `after` continues from the previous page's last row."""
    assignee = aliased(User)
    columns = (
        select(
            Ticket.id,
            Ticket.reference,
            Ticket.subject,
            Ticket.queue,
            Ticket.intent,
            Ticket.status,
            Ticket.language,
            Ticket.received_at,
            Contact.name,
            Contact.email,
            shown_name(assignee),
            Ticket.needs_human,
            Ticket.missing_documents,
        )
        .outerjoin(Contact, Contact.id == Ticket.contact_id)
        .outerjoin(assignee, assignee.id == Ticket.assigned_to)
    )
    query = _apply_filter(columns, f, user_id)
    cursor = _parse_cursor(f.after)
    if cursor is not None:
        query = query.where(tuple_(Ticket.received_at, Ticket.id) > tuple_(*cursor))
    rows = session.execute(query.order_by(Ticket.received_at, Ticket.id).limit(limit + 1)).all()
    tickets = [
        TicketRow(
            r[0],
            r[1] or f"#{r[0]}",
            r[2],
            r[3],
            r[4],
            r[5],
            r[6],
            r[7],
            r[8] or "",
            r[9] or "",
            r[10],
            r[11],
            r[12],
        )
        for r in rows[:limit]
    ]
    more = len(rows) > limit
    return TicketPage(tickets, _cursor(tickets[-1]) if more and tickets else None)


def _apply_filter(query: AnySelect, f: TicketFilter, user_id: int | None) -> AnySelect:
    if f.status == "waiting":
        query = query.where(WAITING_SQL)
    elif f.status == "open":
        query = query.where(Ticket.status.in_([s.value for s in OPEN_STATUSES]))
    elif f.status != "any":
        query = query.where(Ticket.status == f.status)
    if f.queue:
        query = query.where(Ticket.queue == f.queue)
    if f.language:
        query = query.where(Ticket.language == f.language)
    if f.mine:
        query = query.where(Ticket.assigned_to == user_id)
    if f.unassigned:
        query = query.where(Ticket.assigned_to.is_(None))
    if f.documents:
        query = query.where(
            or_(
                Ticket.status == TicketStatus.WAITING_FOR_DOCUMENTS.value,
                Ticket.missing_documents.is_(True),
            )
        )
    if f.flagged:
        query = query.where(Ticket.needs_human.is_(True))
    if f.q:
        query = query.where(_search(f.q))
    return query


def _search(q: str) -> ColumnElement[bool]:
    """Reference, e-mail address, name, subject or message text."""
    if _REFERENCE.match(q):
        return Ticket.reference == q.upper()
    like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    if "@" in q:
        return or_(Contact.email == q.lower(), Contact.email.ilike(like, escape="\\"))
    in_messages = exists(
        select(TicketMessage.id).where(
            TicketMessage.ticket_id == Ticket.id, TicketMessage.body_text.ilike(like, escape="\\")
        )
    )
    return or_(
        Ticket.reference.ilike(like, escape="\\"),
        Contact.email.ilike(like, escape="\\"),
        Contact.name.ilike(like, escape="\\"),
        Ticket.subject.ilike(like, escape="\\"),
        in_messages,
    )


def _cursor(row: TicketRow) -> str:
    return f"{row.received_at.isoformat()}_{row.id}"


def _parse_cursor(value: str | None) -> tuple[datetime, int] | None:
    if not value:
        return None
    stamp, _, ident = value.rpartition("_")
    try:
        return datetime.fromisoformat(stamp), int(ident)
    except ValueError:
        return None


def all_agents(session: Session) -> list[tuple[int, str]]:
    """Active users a ticket can be assigned to, by name."""
    rows = session.execute(
        select(User.id, shown_name()).where(User.active.is_(True)).order_by(User.username)
    )
    return [(r[0], r[1]) for r in rows]
