"""`intake status`: mailbox checkpoint, queue depth, who polls, and stuck work."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from intake.cli.app import app
from intake.context import Context


@app.command()
def status(
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object instead of tables."),
) -> None:
    """How far the mailbox was read, what waits in the queues, and what is stuck."""
    from intake.worker_status import collect_status

    ctx = Context.build()
    try:
        info = collect_status(ctx)
    finally:
        ctx.db.dispose()
    if json_output:
        print(json.dumps(info, default=str))
        return
    console = Console()
    table = Table("mailbox", "uidvalidity", "last uid", "updated", title="Mailbox checkpoints")
    for m in info["mailboxes"]:
        table.add_row(m["mailbox"], str(m["uidvalidity"]), str(m["last_uid"]), m["updated_at"] or "-")
    console.print(table if info["mailboxes"] else "mailbox: never polled")
    depth = info["queue_depth"]
    queues = ", ".join(f"{q} {n}" for q, n in depth.items()) if depth else "-"
    console.print(f"queue: {info['queue']}; tasks waiting or in hand: {queues}")
    console.print(f"poller lease: {info['poller'] or '-'}; sweeper lease: {info['sweeper'] or '-'}")
    msgs, replies = info["messages"], info["replies"]
    console.print("messages: " + (", ".join(f"{k} {v}" for k, v in sorted(msgs.items())) or "none"))
    console.print("replies: " + (", ".join(f"{k} {v}" for k, v in sorted(replies.items())) or "none"))
    stuck = info["stuck"]
    after = info["stuck_after_seconds"]
    console.print(
        f"stuck (older than {after:.0f}s): {stuck['messages_stuck']} message(s) unprocessed, "
        f"{stuck['replies_stuck']} reply(ies) unsent, {stuck['replies_sending_stale']} reply(ies) left sending"
    )
    if info["oldest_unprocessed_seconds"] is not None:
        console.print(f"oldest unprocessed message: {info['oldest_unprocessed_seconds']:.0f}s")
