"""The managers' figures, aggregated in SQL: backlog, ages, inflow and outflow, answer times, workload.

Purged tickets live on only as anonymous DailyCount rows; the flow chart adds them to the live counts.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Self, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from intake.intents import NON_ACTIONABLE
from intake.statuses import CLOSED_STATUSES, OPEN_STATUSES
from intake.store import Database
from intake.store.models import DailyCount, RawMessage, Ticket, TicketMessage, User
from intake.web.queries import WAITING_FOR_TEAM, WAITING_SQL, TicketFilter, TicketRow, list_tickets
from intake.web.users import shown_name

T = TypeVar("T")
# Dashboard queries run at once on PostgreSQL (each on its own pooled connection).
PARALLEL_QUERIES = 4
# Upper bounds (days) of the age buckets of waiting tickets; the last bucket is open-ended.
AGE_BUCKETS = (
    ("lt1d", 1),
    ("1to3d", 3),
    ("3to7d", 7),
    ("7to14d", 14),
    ("14to30d", 30),
    ("gt30d", None),
)
_HUMAN = [i.value for i in NON_ACTIONABLE]
_OPEN = [s.value for s in OPEN_STATUSES]


@dataclass(frozen=True, slots=True)
class Backlog:
    key: str
    queue: str
    waiting: int
    open: int


@dataclass(frozen=True, slots=True)
class FlowDay:
    day: date
    inflow: int
    outflow: int


@dataclass(frozen=True, slots=True)
class Workload:
    name: str
    assigned_open: int
    replies_7d: int


@dataclass(frozen=True, slots=True)
class Dashboard:
    days: int
    by_queue: list[Backlog]
    by_intent: list[Backlog]
    ages: list[tuple[str, int]]
    flow: list[FlowDay]
    median_first_reply: timedelta | None
    answered: int
    oldest: list[TicketRow]
    workload: list[Workload]
    unprocessed_since: datetime | None
    unprocessed: int
    repeat_citizens: int
    cases_in_window: int

    @property
    def total_waiting(self) -> int:
        return sum(b.waiting for b in self.by_queue)

    @property
    def total_open(self) -> int:
        return sum(b.open for b in self.by_queue)


def build_dashboard(
    db: Database, *, days: int, zone: ZoneInfo, now: datetime | None = None
) -> Dashboard:
    """All figures; on PostgreSQL the independent queries run side by side on their own connections."""
    now = now or datetime.now(UTC)
    since = now - timedelta(days=days)
    with _Queries(db) as run:
        backlogs = run(backlog)
        ages = run(lambda s: age_buckets(s, now))
        days_flow = run(lambda s: flow(s, now=now, days=days, zone=zone))
        median = run(lambda s: median_first_reply(s, since))
        oldest = run(lambda s: list_tickets(s, TicketFilter(), user_id=None, limit=10).rows)
        load = run(lambda s: workload(s, now))
        unprocessed = run(unprocessed_messages)
        repeat = run(lambda s: repeat_citizens(s, since))
    return Dashboard(
        days=days,
        by_queue=backlogs.result()[0],
        by_intent=backlogs.result()[1],
        ages=ages.result(),
        flow=days_flow.result(),
        median_first_reply=median.result()[0],
        answered=median.result()[1],
        oldest=oldest.result(),
        workload=load.result(),
        unprocessed_since=unprocessed.result()[0],
        unprocessed=unprocessed.result()[1],
        repeat_citizens=repeat.result()[0],
        cases_in_window=repeat.result()[1],
    )


class _Queries:
    """Runs parts of the dashboard: in parallel sessions on PostgreSQL, in one session on SQLite."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.parallel = db.engine.dialect.name == "postgresql"
        self._stack = ExitStack()

    def __enter__(self) -> Self:
        if self.parallel:
            self._pool = self._stack.enter_context(
                ThreadPoolExecutor(max_workers=PARALLEL_QUERIES, thread_name_prefix="dashboard")
            )
        else:
            self._session = self._stack.enter_context(self.db.session())
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def __call__(self, part: Callable[[Session], T]) -> Future[T]:
        if self.parallel:
            return self._pool.submit(self._in_own_session, part)
        done: Future[T] = Future()
        done.set_result(part(self._session))
        return done

    def _in_own_session(self, part: Callable[[Session], T]) -> T:
        with self.db.session() as session:
            return part(session)


def backlog(session: Session) -> tuple[list[Backlog], list[Backlog]]:
    """Tickets not closed, per queue and per intent, with how many wait for the team."""
    rows = session.execute(
        select(Ticket.queue, Ticket.intent, Ticket.status, func.count())
        .where(Ticket.status.in_(_OPEN))
        .group_by(Ticket.queue, Ticket.intent, Ticket.status)
    ).all()
    queues: dict[str, list[int]] = {}
    intents: dict[tuple[str, str], list[int]] = {}
    for queue, intent, status, count in rows:
        for bucket in (
            queues.setdefault(queue, [0, 0]),
            intents.setdefault((intent, queue), [0, 0]),
        ):
            bucket[1] += count
            if status in WAITING_FOR_TEAM:
                bucket[0] += count
    by_queue = [Backlog(q, q, w, o) for q, (w, o) in queues.items()]
    by_intent = [Backlog(i, q, w, o) for (i, q), (w, o) in intents.items()]
    order = lambda b: (-b.waiting, -b.open, b.key)
    return sorted(by_queue, key=order), sorted(by_intent, key=order)


def age_buckets(session: Session, now: datetime) -> list[tuple[str, int]]:
    """How long the tickets waiting for the team have waited, in buckets."""
    whens = [
        (Ticket.received_at > now - timedelta(days=limit), key)
        for key, limit in AGE_BUCKETS
        if limit
    ]
    bucket = case(*whens, else_=AGE_BUCKETS[-1][0])
    counts: dict[str, int] = {
        key: n
        for key, n in session.execute(
            select(bucket, func.count()).where(WAITING_SQL).group_by(bucket)
        )
    }
    return [(key, counts.get(key, 0)) for key, _ in AGE_BUCKETS]


def flow(session: Session, *, now: datetime, days: int, zone: ZoneInfo) -> list[FlowDay]:
    """Tickets opened and closed per local day over the window (automatic mail and merges left out)."""
    today = now.astimezone(zone).date()
    first = today - timedelta(days=days - 1)
    start = datetime.combine(first, datetime.min.time(), tzinfo=zone)
    human = [Ticket.intent.not_in(_HUMAN), Ticket.merged_into.is_(None)]
    inflow = _per_day(session, Ticket.received_at, start, zone, human)
    outflow = _per_day(
        session, Ticket.closed_at, start, zone, [*human, Ticket.status.in_(CLOSED_STATUSES)]
    )
    for day, opened, closed in session.execute(
        select(DailyCount.day, func.sum(DailyCount.opened), func.sum(DailyCount.closed))
        .where(DailyCount.day >= first.isoformat(), DailyCount.intent.not_in(_HUMAN))
        .group_by(DailyCount.day)
    ):
        d = date.fromisoformat(day)
        inflow[d] += int(opened or 0)
        outflow[d] += int(closed or 0)
    return [
        FlowDay(
            first + timedelta(days=i),
            inflow[first + timedelta(days=i)],
            outflow[first + timedelta(days=i)],
        )
        for i in range(days)
    ]


def _per_day(
    session: Session,
    column: InstrumentedAttribute[datetime] | InstrumentedAttribute[datetime | None],
    start: datetime,
    zone: ZoneInfo,
    where: Sequence[ColumnElement[bool]],
) -> Counter[date]:
    if session.get_bind().dialect.name == "postgresql":
        day = func.date(func.timezone(zone.key, column))
        rows = session.execute(
            select(day, func.count()).where(column >= start, *where).group_by(day)
        )
        return Counter({d: n for d, n in rows})
    # SQLite has no time zones: count in Python (an embedded installation is small).
    stamps = session.scalars(select(column).where(column >= start, *where))
    return Counter(s.astimezone(zone).date() for s in stamps if s is not None)


def median_first_reply(session: Session, since: datetime) -> tuple[timedelta | None, int]:
    """Median time from arrival to the first answer a person wrote, over tickets answered since."""
    where = [Ticket.first_reply_at >= since, Ticket.first_reply_at.is_not(None)]
    if session.get_bind().dialect.name == "postgresql":
        seconds = func.extract("epoch", Ticket.first_reply_at - Ticket.received_at)
        median, count = session.execute(
            select(func.percentile_cont(0.5).within_group(seconds), func.count()).where(*where)
        ).one()
        return (timedelta(seconds=float(median)) if median is not None else None), count
    rows = session.execute(select(Ticket.received_at, Ticket.first_reply_at).where(*where))
    waits = [(answered - received).total_seconds() for received, answered in rows if answered]
    if not waits:
        return None, 0
    return timedelta(seconds=statistics.median(waits)), len(waits)


def workload(session: Session, now: datetime) -> list[Workload]:
    """Per active user: tickets assigned and not closed, replies written in the last 7 days."""
    assigned = dict(
        session.execute(
            select(Ticket.assigned_to, func.count())
            .where(Ticket.assigned_to.is_not(None), Ticket.status.in_(_OPEN))
            .group_by(Ticket.assigned_to)
        ).all()
    )
    replies = dict(
        session.execute(
            select(TicketMessage.author_id, func.count())
            .where(
                TicketMessage.direction == "out",
                TicketMessage.author_id.is_not(None),
                TicketMessage.created_at >= now - timedelta(days=7),
            )
            .group_by(TicketMessage.author_id)
        ).all()
    )
    users = session.execute(select(User.id, shown_name(), User.active)).all()
    rows = [
        Workload(name, assigned.get(uid, 0), replies.get(uid, 0))
        for uid, name, active in users
        if active or assigned.get(uid) or replies.get(uid)
    ]
    return sorted(rows, key=lambda w: (-w.assigned_open, -w.replies_7d, w.name))


def unprocessed_messages(session: Session) -> tuple[datetime | None, int]:
    """The oldest stored message the worker has not carried through yet, and how many wait."""
    oldest, count = session.execute(
        select(func.min(RawMessage.received_at), func.count()).where(RawMessage.state == "stored")
    ).one()
    return oldest, count


def repeat_citizens(session: Session, since: datetime) -> tuple[int, int]:
    """Citizens who sent more than one message about one case in the window, and the cases opened in it."""
    repeated = (
        select(TicketMessage.ticket_id)
        .where(TicketMessage.direction == "in", TicketMessage.created_at >= since)
        .group_by(TicketMessage.ticket_id)
        .having(func.count() > 1)
    )
    ticket_ids = list(session.scalars(repeated))
    citizens: set[int] = set()
    for chunk in range(0, len(ticket_ids), 5000):
        # Looked up by primary key: cheaper than letting the planner hash-join all tickets.
        citizens.update(
            session.scalars(
                select(Ticket.contact_id).where(
                    Ticket.id.in_(ticket_ids[chunk : chunk + 5000]),
                    Ticket.intent.not_in(_HUMAN),
                    Ticket.contact_id.is_not(None),
                )
            )
        )
    cases = (
        session.scalar(
            select(func.count())
            .select_from(Ticket)
            .where(
                Ticket.received_at >= since,
                Ticket.intent.not_in(_HUMAN),
                Ticket.merged_into.is_(None),
            )
        )
        or 0
    )
    return len(citizens), cases
