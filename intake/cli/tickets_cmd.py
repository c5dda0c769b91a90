"""`intake tickets list|show`: the ticket queues from the terminal."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from intake.cli.app import app, fail
from intake.context import Context
from intake.delivery import read_headers
from intake.store.models import Event, OutboxMessage, Ticket

tickets_app = typer.Typer(help="List and show tickets.", no_args_is_help=True)
app.add_typer(tickets_app, name="tickets")


@tickets_app.command("list")
def list_tickets(
    queue: str = typer.Option(None, help="Only this queue."),
    status: str = typer.Option(None, help="Only this status (new, open, waiting_for_documents, ...)."),
    limit: int = typer.Option(50, min=1, help="At most this many, oldest first."),
    json_output: bool = typer.Option(False, "--json", help="One JSON object per ticket per line."),
) -> None:
    """Tickets, the oldest waiting first."""
    ctx = Context.build()
    with ctx.db.session() as session:
        query = select(Ticket).order_by(Ticket.received_at, Ticket.id).limit(limit)
        if queue:
            query = query.where(Ticket.queue == queue)
        if status:
            query = query.where(Ticket.status == status)
        rows = [_summary(t) for t in session.scalars(query)]
    if json_output:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return
    table = Table("reference", "queue", "intent", "status", "lang", "from", "subject", "flag")
    for r in rows:
        table.add_row(r["reference"], r["queue"], r["intent"], r["status"], r["language"] or "-",
                      r["contact"] or "-", (r["subject"] or "")[:50], "!" if r["needs_human"] else "")
    Console().print(table)


@tickets_app.command("show")
def show_ticket(reference: str = typer.Argument(..., help="A reference such as GNT-2026-000123.")) -> None:
    """One ticket: its messages in order, its replies and their state, its events."""
    ctx = Context.build()
    console = Console()
    with ctx.db.session() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.reference == reference.strip().upper()))
        if ticket is None:
            raise fail(f"no ticket {reference}")
        info = _summary(ticket)
        console.print(f"[bold]{ticket.reference}[/bold]  {ticket.queue} / {ticket.intent} / {ticket.status}")
        console.print(f"from {info['contact']}  language {ticket.language}  confidence {ticket.confidence}")
        if ticket.needs_human:
            console.print(f"[red]flagged:[/red] {ticket.flag_reason}")
        console.print("evidence: " + "; ".join(ticket.evidence or []))
        for message in ticket.messages:
            console.rule(f"{message.direction} {message.created_at:%Y-%m-%d %H:%M} {message.from_addr}")
            console.print(f"subject: {message.subject}")
            for att in message.attachments:
                console.print(f"attachment: {att.filename} ({att.content_type}, {att.size} bytes)")
            console.print(message.body_text[:2000], markup=False)
        replies = session.scalars(select(OutboxMessage).where(OutboxMessage.ticket_id == ticket.id))
        for reply in replies:
            headers = read_headers(reply.mime)
            console.rule(f"reply {reply.kind}: {reply.state}")
            console.print(f"to {reply.to_addr}, subject {headers.get('Subject')}, attempts {reply.attempts}", markup=False)
        events = session.scalars(select(Event).where(Event.ticket_id == ticket.id).order_by(Event.id))
        console.rule("events")
        for event in events:
            console.print(f"{event.at:%Y-%m-%d %H:%M:%S} {event.kind} {event.actor} {event.data}", markup=False)


def _summary(ticket: Ticket) -> dict:
    return {
        "reference": ticket.reference,
        "queue": ticket.queue,
        "intent": ticket.intent,
        "status": ticket.status,
        "language": ticket.language,
        "contact": ticket.contact.email if ticket.contact else None,
        "subject": ticket.subject,
        "received_at": ticket.received_at.isoformat(),
        "needs_human": ticket.needs_human,
    }
