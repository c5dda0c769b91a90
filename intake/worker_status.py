"""What `intake status` shows: mailbox checkpoints, queue depth, who polls, and stuck work."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from intake.context import Context
from intake.mailbox import mailbox_key
from intake.store.models import MailboxCheckpoint, OutboxMessage, RawMessage, utcnow
from intake.tasks import make_broker, queue_depths, unfinished_counts


def collect_status(ctx: Context) -> dict[str, Any]:
    """Everything in plain values, ready to print as a table or as JSON."""
    s = ctx.settings
    with ctx.db.session() as session:
        checkpoints = [
            {"mailbox": c.mailbox, "uidvalidity": c.uidvalidity, "last_uid": c.last_uid, "updated_at": _iso(c.updated_at)}
            for c in session.scalars(select(MailboxCheckpoint).order_by(MailboxCheckpoint.mailbox))
        ]
        messages = dict(session.execute(select(RawMessage.state, func.count()).group_by(RawMessage.state)).all())
        replies = dict(session.execute(select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)).all())
        oldest = session.scalar(select(func.min(RawMessage.received_at)).where(RawMessage.state == "stored"))
    status: dict[str, Any] = {
        "mailboxes": checkpoints,
        "messages": messages,
        "replies": replies,
        "oldest_unprocessed_seconds": round((utcnow() - oldest).total_seconds(), 1) if oldest else None,
        "stuck": unfinished_counts(ctx, older_than=s.sweep_grace),
        "stuck_after_seconds": s.sweep_grace,
    }
    status.update(_queue_status(ctx))
    return status


def _queue_status(ctx: Context) -> dict[str, Any]:
    s = ctx.settings
    if not s.redis_url:
        return {"queue": "embedded (in the worker process)", "queue_depth": None, "poller": None, "sweeper": None}
    broker = make_broker(s.redis_url, namespace=s.redis_namespace)
    try:
        client = broker.client  # type: ignore[attr-defined]
        poller = client.get(f"{s.redis_namespace}:lease:poller:{mailbox_key(s)}") if s.imap_host else None
        sweeper = client.get(f"{s.redis_namespace}:lease:sweeper")
        return {
            "queue": "redis",
            "queue_depth": queue_depths(broker),
            "poller": poller.decode() if poller else None,
            "sweeper": sweeper.decode() if sweeper else None,
        }
    except Exception as exc:  # noqa: BLE001 - status still shows the database side
        return {"queue": f"redis unreachable: {exc}", "queue_depth": None, "poller": None, "sweeper": None}
    finally:
        broker.close()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None
