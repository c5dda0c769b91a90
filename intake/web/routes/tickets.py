"""The team's pages: queues and the ticket list, one ticket with its thread, and the actions on it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from intake.intents import Intent
from intake.statuses import TicketStatus
from intake.store.models import Ticket
from intake.tickets import add_event
from intake.web import actions
from intake.web.auth import AgentUser, context_of
from intake.web.i18n import Translator
from intake.web.queries import (
    FILTER_LANGUAGES,
    DatabaseId,
    TicketFilter,
    all_agents,
    list_tickets,
    queue_counts,
)
from intake.web.rendering import flash, render, translator
from intake.web.replying import queue_agent_reply
from intake.web.sanitize import sanitize_mail_html
from intake.web.thread import ThreadItem, attachment_for, load_ticket
from intake.web.users import Account

router = APIRouter(include_in_schema=False)
STATUSES = [s.value for s in TicketStatus]


@router.get("/tickets", name="tickets")
def tickets(
    request: Request,
    who: AgentUser,
    queue: str | None = None,
    status: str = "",
    language: str | None = None,
    mine: bool = False,
    unassigned: bool = False,
    documents: bool = False,
    flagged: bool = False,
    q: str = "",
    after: str | None = None,
) -> Response:
    ctx = context_of(request)
    queues = ctx.routing.queues
    f = TicketFilter(
        queue, status, language, mine, unassigned, documents, flagged, q, after
    ).normalised(queues)
    with ctx.db.session() as session:
        page = list_tickets(session, f, user_id=who.id, limit=ctx.settings.web_page_size)
        counts = queue_counts(session, queues)
    if f.q and f.q.upper() == (page.rows[0].reference if len(page.rows) == 1 else None):
        return RedirectResponse(f"/tickets/{page.rows[0].id}", status_code=303)
    return render(
        request,
        "tickets.html",
        filter=f,
        page=page,
        counts=counts,
        queues=queues,
        statuses=STATUSES,
        languages=FILTER_LANGUAGES,
    )


@router.get("/tickets/{ticket_id}", name="ticket")
def ticket_page(request: Request, who: AgentUser, ticket_id: DatabaseId) -> Response:
    ctx = context_of(request)
    t = translator(request)
    with ctx.db.session() as session:
        view = load_ticket(session, ticket_id)
        if view is None:
            raise HTTPException(404)
        actions.record_view(session, view.ticket, who)
        agents = all_agents(session)
        reply_text, documents_text = (
            request.app.state.reply_templates.prefill(
                kind,
                view.ticket,
                citizen_name=view.contact.name if view.contact else "",
                agent_name=who.name,
                office_name=ctx.settings.office_name,
            )
            for kind in ("agent_reply", "documents_request")
        )
    items = [_with_safe_html(item, t) for item in view.items]
    after_reply = TicketStatus.WAITING_FOR_CITIZEN.value
    return render(
        request,
        "ticket.html",
        view=view,
        items=items,
        agents=agents,
        statuses=STATUSES,
        intents=[i.value for i in Intent],
        reply_text=reply_text,
        documents_text=documents_text,
        default_after_reply=after_reply,
    )


@router.get("/tickets/{ticket_id}/attachments/{attachment_id}", name="attachment")
def attachment(
    request: Request, who: AgentUser, ticket_id: DatabaseId, attachment_id: DatabaseId
) -> Response:
    """Always a download, never shown inline: a citizen's HTML or SVG must not run in our origin."""
    ctx = context_of(request)
    with ctx.db.session() as session:
        found = attachment_for(session, ticket_id, attachment_id)
        if found is None:
            raise HTTPException(404)
        att, data = found
        ticket = session.get(Ticket, ticket_id)
        add_event(
            session,
            ticket,
            "attachment_downloaded",
            actor=who.username,
            attachment_id=attachment_id,
        )
    name = att.filename.replace("\r", " ").replace("\n", " ") or "attachment"
    ascii_name = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in name)
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return Response(
        data,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": disposition,
            "Content-Security-Policy": "sandbox; default-src 'none'",
        },
    )


def _act(
    request: Request,
    ticket_id: DatabaseId,
    who: Account,
    change: Callable[[Session, Ticket], object],
    ok: str | None = None,
    anchor: str = "",
) -> Response:
    """Apply one action in one transaction, then back to the ticket with a message."""
    ctx = context_of(request)
    try:
        with ctx.db.session() as session:
            ticket = session.get(Ticket, ticket_id, with_for_update=not ctx.settings.is_sqlite)
            if ticket is None:
                raise HTTPException(404)
            result = change(session, ticket)
    except actions.ActionError as exc:
        flash(request, exc.key, "error", **exc.values)
        return RedirectResponse(f"/tickets/{ticket_id}{anchor}", status_code=303)
    if ok:
        flash(request, ok, **(result if isinstance(result, dict) else {}))
    return RedirectResponse(f"/tickets/{ticket_id}{anchor}", status_code=303)


@router.post("/tickets/{ticket_id}/claim", name="claim")
def claim(request: Request, who: AgentUser, ticket_id: DatabaseId) -> Response:
    return _act(request, ticket_id, who, lambda s, tk: actions.claim(s, tk, who), "flash.claimed")


@router.post("/tickets/{ticket_id}/assign", name="assign")
def assign(
    request: Request, who: AgentUser, ticket_id: DatabaseId, user_id: str = Form("")
) -> Response:
    target = int(user_id) if user_id.isdigit() else None
    return _act(
        request, ticket_id, who, lambda s, tk: actions.assign(s, tk, who, target), "flash.assigned"
    )


@router.post("/tickets/{ticket_id}/intent", name="change_intent")
def change_intent(
    request: Request, who: AgentUser, ticket_id: DatabaseId, intent: str = Form(...)
) -> Response:
    ctx = context_of(request)
    t = translator(request)

    def change(session: Session, ticket: Ticket) -> dict[str, str]:
        return {"queue": t.queue(actions.change_intent(session, ticket, who, ctx.routing, intent))}

    return _act(request, ticket_id, who, change, "flash.intent")


@router.post("/tickets/{ticket_id}/status", name="set_status")
def set_status(
    request: Request, who: AgentUser, ticket_id: DatabaseId, status: str = Form(...)
) -> Response:
    return _act(
        request,
        ticket_id,
        who,
        lambda s, tk: actions.set_status(s, tk, who, status),
        "flash.status",
    )


@router.post("/tickets/{ticket_id}/note", name="note")
def note(request: Request, who: AgentUser, ticket_id: DatabaseId, text: str = Form("")) -> Response:
    return _act(
        request,
        ticket_id,
        who,
        lambda s, tk: actions.add_note(s, tk, who, text),
        "flash.note",
        "#note",
    )


@router.post("/tickets/{ticket_id}/unflag", name="unflag")
def unflag(request: Request, who: AgentUser, ticket_id: DatabaseId) -> Response:
    return _act(
        request, ticket_id, who, lambda s, tk: actions.clear_flag(s, tk, who), "flash.unflagged"
    )


@router.post("/tickets/{ticket_id}/merge", name="merge")
def merge(
    request: Request, who: AgentUser, ticket_id: DatabaseId, reference: str = Form("")
) -> Response:
    def change(session: Session, ticket: Ticket) -> dict[str, str]:
        target = actions.merge(session, ticket, who, reference)
        return {"reference": target.reference or ""}

    return _act(request, ticket_id, who, change, "flash.merged")


@router.post("/tickets/{ticket_id}/reply", name="reply")
def reply(
    request: Request,
    who: AgentUser,
    ticket_id: DatabaseId,
    text: str = Form(""),
    then_status: str = Form(""),
) -> Response:
    return _send(request, ticket_id, who, text, "agent_reply", then_status or None)


@router.post("/tickets/{ticket_id}/documents", name="ask_documents")
def ask_documents(
    request: Request, who: AgentUser, ticket_id: DatabaseId, text: str = Form("")
) -> Response:
    return _send(request, ticket_id, who, text, "documents_request", None)


def _send(
    request: Request,
    ticket_id: DatabaseId,
    who: Account,
    text: str,
    kind: str,
    then_status: str | None,
) -> Response:
    if then_status is not None and then_status not in STATUSES:
        then_status = None
    try:
        queued = queue_agent_reply(
            context_of(request),
            request.app.state.reply_templates,
            ticket_id,
            who,
            text[:100_000],
            kind=kind,
            then_status=then_status,
        )
    except actions.ActionError as exc:
        if exc.key == "error.not_found":
            raise HTTPException(404) from None
        flash(request, exc.key, "error", **exc.values)
        return RedirectResponse(f"/tickets/{ticket_id}#reply", status_code=303)
    flash(
        request,
        "flash.sent" if queued.state == "sent" else "flash.queued",
        "ok" if queued.state == "sent" else "warn",
    )
    return RedirectResponse(f"/tickets/{ticket_id}", status_code=303)


def _with_safe_html(item: ThreadItem, t: Translator) -> ThreadItem:
    if not item.html:
        return item
    safe = sanitize_mail_html(
        item.html, remote_note=t("ticket.remote_blocked"), inline_note=t("ticket.inline_image")
    )
    return replace(item, safe_html=safe, html=None)
