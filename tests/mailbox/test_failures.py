"""What keeps failing ends on a ticket flagged for a human, never only in a dead-letter queue."""

from __future__ import annotations

from collections.abc import Callable

import dramatiq
import pytest
from sqlalchemy import select

from intake import tasks
from intake.metrics import Metrics
from intake.rawstore import store_raw
from intake.store.models import OutboxMessage, RawMessage, Ticket
from intake.tasks import build_actors, make_broker
from tests.builders import citizen_mail
from tests.mailbox.servers import SmtpSink


def _run(broker: dramatiq.Broker, send: Callable[[], object]) -> None:
    worker = dramatiq.Worker(broker, worker_threads=2, worker_timeout=50)
    worker.start()
    try:
        send()
        for queue in tasks.QUEUES:
            broker.join(queue, timeout=30_000)  # type: ignore[attr-defined]
        worker.join()
    finally:
        worker.stop()


def test_a_message_that_keeps_failing_is_filed_on_a_flagged_ticket_with_its_raw_bytes(
    pg_url: str, make_context, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a message whose processing fails every time
    ctx = make_context(pg_url, retry_max=2, retry_min_backoff_ms=10, retry_max_backoff_ms=50)
    raw = citizen_mail(subject="Aanvraag F+ kaart")
    stored = store_raw(ctx.db, raw, source="test")

    def explode(ctx, raw_ids):  # type: ignore[no-untyped-def]
        raise RuntimeError("the parser exploded")

    monkeypatch.setattr(tasks, "process_batch", explode)
    broker = make_broker(None)
    actors = build_actors(broker, lambda: ctx, settings=ctx.settings, metrics=Metrics.disabled())

    # When the workers have tried as often as they may
    _run(broker, lambda: actors.process_message.send(stored.raw_id))

    # Then it is filed on a ticket flagged for a human, the raw bytes kept, the attempts counted
    with ctx.db.session() as session:
        row = session.get(RawMessage, stored.raw_id)
        assert row is not None and row.state == "failed" and row.raw == raw
        assert row.attempts == 3
        ticket = session.get(Ticket, row.ticket_id)
        assert ticket is not None and ticket.needs_human
        assert "the parser exploded" in (ticket.flag_reason or "")


def test_a_reply_the_smtp_server_refuses_for_good_flags_its_ticket(
    pg_url: str, make_context, smtp_sink: SmtpSink
) -> None:
    # Given an SMTP server that refuses the recipient for good
    smtp_sink.refuse_with = "550 5.1.1 no such user"
    ctx = make_context(pg_url, **smtp_sink.settings())
    stored = store_raw(ctx.db, citizen_mail(subject="Aanvraag F+ kaart"), source="test")
    broker = make_broker(None)
    actors = build_actors(broker, lambda: ctx, settings=ctx.settings, metrics=Metrics.disabled())

    # When the message is processed and its acknowledgement sent
    _run(broker, lambda: actors.process_message.send(stored.raw_id))

    # Then the reply is failed, not retried, and the ticket says why
    with ctx.db.session() as session:
        reply = session.scalars(select(OutboxMessage)).one()
        assert reply.state == "failed" and reply.attempts == 1
        ticket = session.get(Ticket, reply.ticket_id)
        assert ticket is not None and ticket.needs_human
        assert "550" in (ticket.flag_reason or "")


def test_one_bad_message_in_a_batch_costs_the_others_nothing(
    pg_url: str, make_context, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a batch of three stored messages, of which one makes filing fail every time
    ctx = make_context(pg_url, retry_max=1, retry_min_backoff_ms=10, retry_max_backoff_ms=50)
    ids = [
        store_raw(ctx.db, citizen_mail(sender=f"{name}@example.com"), source="test").raw_id
        for name in ("first", "bad", "last")
    ]
    bad = ids[1]
    real = tasks.process_batch

    def fails_on_bad(ctx, raw_ids):  # type: ignore[no-untyped-def]
        if bad in raw_ids:
            raise RuntimeError("filing exploded")
        return real(ctx, raw_ids)

    monkeypatch.setattr(tasks, "process_batch", fails_on_bad)
    broker = make_broker(None)
    actors = build_actors(broker, lambda: ctx, settings=ctx.settings, metrics=Metrics.disabled())

    # When the batch is queued as one task
    _run(broker, lambda: actors.enqueue_processing(ids))

    # Then the good messages are filed and answered, and the bad one alone is flagged for a human
    with ctx.db.session() as session:
        rows = {r.id: r for r in session.scalars(select(RawMessage))}
        assert [rows[i].state for i in ids] == ["processed", "failed", "processed"]
        assert rows[bad].attempts == 2 and rows[bad].ticket_id is not None
        flagged = session.get(Ticket, rows[bad].ticket_id)
        assert flagged is not None and "filing exploded" in (flagged.flag_reason or "")
        replies = session.scalars(select(OutboxMessage.answers_raw_id)).all()
        assert sorted(replies) == [ids[0], ids[2]]
