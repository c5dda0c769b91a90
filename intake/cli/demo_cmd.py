"""`intake demo`: the main job on the embedded default, on the project's own sample mails."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from intake import PROJECT_ROOT
from intake.cli.app import app
from intake.config import load_settings
from intake.context import Context
from intake.ingest import ingest
from intake.sources import iter_sources
from intake.store.models import OutboxMessage, RawMessage, Ticket


@app.command()
def demo(
    folder: Path = typer.Option(Path("demo"), help="Where the demo keeps its database and outbox."),
    samples: Path = typer.Option(PROJECT_ROOT / "samples", help="The mails to ingest."),
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Serve the web page afterwards."),
    host: str = typer.Option("127.0.0.1", help="Address of the web page."),
    port: int = typer.Option(8000, help="Port of the web page."),
) -> None:
    """Ingest the sample mails, show what became of each and where the replies are, serve the page."""
    console = Console()
    folder.mkdir(parents=True, exist_ok=True)
    settings = load_settings(
        database_url=f"sqlite:///{(folder / 'intake.db').resolve()}", outbox_dir=(folder / "outbox").resolve()
    )
    ctx = Context.build(settings)
    summary = ingest(ctx, iter_sources([samples]))
    console.print(_journey_table(ctx))
    console.print(f"Summary: {summary.as_dict()}")
    console.print(f"Replies written as .eml files in [bold]{settings.outbox_dir}[/bold]")
    console.print(f"Database: {settings.database_url}")
    if serve:
        _serve_web(ctx, console, host, port)


def _journey_table(ctx: Context) -> Table:
    table = Table("message", "ticket", "queue", "intent", "lang", "status", "reply", title="What became of each message")
    with ctx.db.session() as session:
        rows = session.execute(
            select(RawMessage, Ticket).join(Ticket, RawMessage.ticket_id == Ticket.id, isouter=True).order_by(RawMessage.id)
        )
        for raw, ticket in rows:
            reply = session.scalar(select(OutboxMessage).where(OutboxMessage.answers_raw_id == raw.id).limit(1))
            table.add_row(
                Path(raw.source).name,
                ticket.reference if ticket else "-",
                ticket.queue if ticket else "-",
                ticket.intent if ticket else "-",
                ticket.language or "-" if ticket else "-",
                ticket.status if ticket else raw.state,
                f"{reply.kind} ({reply.state})" if reply else "none",
            )
    return table


def _serve_web(ctx: Context, console: Console, host: str, port: int) -> None:
    from intake.web.server import ensure_demo_account, serve

    username, password = ensure_demo_account(ctx)
    console.print(f"Web page: http://{host}:{port}/  log in as [bold]{username}[/bold] / [bold]{password}[/bold]  (Ctrl+C stops)")
    serve(ctx, host=host, port=port)
