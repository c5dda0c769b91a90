"""JSON endpoints over the same queries as the pages, described by OpenAPI (and fuzzed with schemathesis)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, cast
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel

from intake.web import actions
from intake.web.auth import AgentUser, ManagerUser, context_of
from intake.web.dashboard import Backlog, FlowDay, build_dashboard
from intake.web.queries import (
    FILTER_LANGUAGES,
    STATUS_FILTERS,
    DatabaseId,
    QueueCount,
    TicketFilter,
    TicketRow,
    list_tickets,
    queue_counts,
)
from intake.web.routes.manager import dashboard_days
from intake.web.thread import load_ticket

router = APIRouter(prefix="/api", tags=["api"])

StatusFilter = Literal[STATUS_FILTERS]  # type: ignore[valid-type]
LanguageFilter = Literal[FILTER_LANGUAGES]  # type: ignore[valid-type]


class TicketListOut(BaseModel):
    # The list rows as the page shows them: one definition for the page and the API.
    tickets: list[TicketRow]
    next: str | None


class MessageOut(BaseModel):
    kind: str
    at: datetime
    author: str
    subject: str
    text: str
    attachments: list[str]


class TicketDetailOut(BaseModel):
    id: int
    reference: str | None
    subject: str
    queue: str
    intent: str
    status: str
    language: str | None
    received_at: datetime
    first_reply_at: datetime | None
    closed_at: datetime | None
    needs_human: bool
    flag_reason: str | None
    confidence: float | None
    evidence: list[str]
    assignee: str | None
    merged_into: int | None
    messages: list[MessageOut]


class DashboardOut(BaseModel):
    days: int
    total_waiting: int
    total_open: int
    # The page's own dataclasses: one definition for the page and the API.
    by_queue: list[Backlog]
    by_intent: list[Backlog]
    ages: dict[str, int]
    flow: list[FlowDay]
    median_first_reply_seconds: float | None
    answered: int
    oldest_waiting: list[str]
    unprocessed_since: datetime | None
    unprocessed: int
    repeat_citizens: int
    cases_in_window: int


@router.get("/queues", response_model=list[QueueCount])
def api_queues(request: Request, who: AgentUser) -> list[QueueCount]:
    ctx = context_of(request)
    with ctx.db.session() as session:
        return queue_counts(session, ctx.routing.queues)


@router.get("/tickets", response_model=TicketListOut)
def api_tickets(
    request: Request,
    who: AgentUser,
    queue: str | None = Query(None, max_length=64),
    status: StatusFilter = "waiting",
    language: LanguageFilter | None = None,
    mine: bool = False,
    unassigned: bool = False,
    documents: bool = False,
    flagged: bool = False,
    q: str = Query("", max_length=200),
    after: str | None = Query(None, max_length=80),
    limit: int = Query(50, ge=1, le=200),
) -> TicketListOut:
    ctx = context_of(request)
    f = TicketFilter(
        queue, status, language, mine, unassigned, documents, flagged, q, after
    ).normalised(ctx.routing.queues)
    with ctx.db.session() as session:
        page = list_tickets(session, f, user_id=who.id, limit=limit)
    return TicketListOut(tickets=page.rows, next=page.next_cursor)


@router.get(
    "/tickets/{ticket_id}",
    response_model=TicketDetailOut,
    responses={404: {"description": "No such ticket"}},
)
def api_ticket(request: Request, who: AgentUser, ticket_id: DatabaseId) -> TicketDetailOut:
    ctx = context_of(request)
    with ctx.db.session() as session:
        view = load_ticket(session, ticket_id)
        if view is None:
            raise HTTPException(404, "no such ticket")
        actions.record_view(session, view.ticket, who)
        tk = view.ticket
        return TicketDetailOut(
            id=tk.id,
            reference=tk.reference,
            subject=tk.subject,
            queue=tk.queue,
            intent=tk.intent,
            status=tk.status,
            language=tk.language,
            received_at=tk.received_at,
            first_reply_at=tk.first_reply_at,
            closed_at=tk.closed_at,
            needs_human=tk.needs_human,
            flag_reason=tk.flag_reason,
            confidence=tk.confidence,
            evidence=list(tk.evidence or []),
            assignee=view.assignee,
            merged_into=tk.merged_into,
            messages=[
                MessageOut(
                    kind=i.kind,
                    at=i.at,
                    author=i.author,
                    subject=i.subject,
                    text=i.text,
                    attachments=[a.filename for a in i.attachments],
                )
                for i in view.items
            ],
        )


@router.get("/dashboard", response_model=DashboardOut)
def api_dashboard(
    request: Request, who: ManagerUser, days: int = Query(28, ge=1, le=366)
) -> DashboardOut:
    ctx = context_of(request)
    d = build_dashboard(ctx.db, days=dashboard_days(days), zone=ZoneInfo(ctx.settings.web_timezone))
    return DashboardOut(
        days=d.days,
        total_waiting=d.total_waiting,
        total_open=d.total_open,
        by_queue=d.by_queue,
        by_intent=d.by_intent,
        ages=dict(d.ages),
        flow=d.flow,
        median_first_reply_seconds=d.median_first_reply.total_seconds()
        if d.median_first_reply
        else None,
        answered=d.answered,
        oldest_waiting=[r.reference for r in d.oldest],
        unprocessed_since=d.unprocessed_since,
        unprocessed=d.unprocessed,
        repeat_citizens=d.repeat_citizens,
        cases_in_window=d.cases_in_window,
    )


@router.get("/openapi.json", include_in_schema=False)
def api_openapi(request: Request, who: AgentUser) -> dict[str, Any]:
    return cast(dict[str, Any], request.app.openapi())
