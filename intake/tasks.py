"""Dramatiq actors: process a stored message, send a reply, sweep up unfinished work.

Actors take ids only and are idempotent, so a message delivered twice by the queue does no harm.
The database says what is done; the queue only says who should do it next. Hence the sweeper:
whatever sits unfinished in the database (stored but unprocessed, replies unsent) is enqueued
again, so a lost queue message, a killed worker or a Redis restart delays work but loses none.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import dramatiq
from dramatiq.brokers.stub import StubBroker
from dramatiq.common import dq_name
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from intake.config import Settings
from intake.context import Context
from intake.delivery import (
    Delivery,
    Sender,
    db_unavailable,
    deliver_many,
    deliver_reply,
    flag_stale_sending,
)
from intake.errors import DeliveryError
from intake.metrics import Metrics
from intake.pipeline import mark_failed, process_batch, record_attempt
from intake.store.models import OutboxMessage, RawMessage, Ticket, utcnow
from intake.tickets import add_event

log = logging.getLogger("intake.tasks")

PROCESS_QUEUE = "intake-process"
SEND_QUEUE = "intake-send"
QUEUES = (PROCESS_QUEUE, SEND_QUEUE)


@dataclass(frozen=True)
class Actors:
    process_message: dramatiq.Actor[..., Any]
    send_reply: dramatiq.Actor[..., Any]
    sweep: dramatiq.Actor[..., Any]
    batch_size: int
    broker: dramatiq.Broker | None = field(default=None, compare=False)

    def enqueue_processing(self, raw_ids: Sequence[int]) -> None:
        """One task per batch of messages: filed in one transaction, replies on one connection."""
        for start in range(0, len(raw_ids), self.batch_size):
            self.process_message.send(*raw_ids[start : start + self.batch_size])


def make_broker(redis_url: str | None, *, namespace: str = "intake") -> dramatiq.Broker:
    """Redis in production; an in-process broker on the embedded default."""
    if redis_url:
        from dramatiq.brokers.redis import RedisBroker

        broker: dramatiq.Broker = RedisBroker(url=redis_url, namespace=namespace)  # type: ignore[no-untyped-call]
    else:
        broker = StubBroker()
    for queue in QUEUES:
        broker.declare_queue(queue)
    return broker


def queue_depths(broker: dramatiq.Broker) -> dict[str, int]:
    """Messages per queue not yet done: waiting, in a worker's hands, or delayed for a retry."""
    depths: dict[str, int] = {}
    for queue in QUEUES:
        if isinstance(broker, StubBroker):
            depths[queue] = broker.queues[queue].qsize() + broker.queues[dq_name(queue)].qsize()
        else:
            client, ns = broker.client, broker.namespace  # type: ignore[attr-defined]
            depths[queue] = int(client.hlen(f"{ns}:{queue}.msgs")) + int(client.hlen(f"{ns}:{dq_name(queue)}.msgs"))
    return depths


def queue_waiting(broker: dramatiq.Broker) -> dict[str, int]:
    """Messages per queue that no worker has fetched yet (what the sweeper's rule looks at).

    Messages in a worker's hands are left out on purpose: those of a worker that died stay
    there until Redis notices, and the sweeper should not wait for that.
    """
    waiting: dict[str, int] = {}
    for queue in QUEUES:
        if isinstance(broker, StubBroker):
            waiting[queue] = broker.queues[queue].qsize()
        else:
            client, ns = broker.client, broker.namespace  # type: ignore[attr-defined]
            waiting[queue] = int(client.llen(f"{ns}:{queue}")) + int(client.llen(f"{ns}:{dq_name(queue)}"))
    return waiting


@dataclass(frozen=True, slots=True)
class Swept:
    messages: int = 0
    replies: int = 0
    flagged_sending: int = 0


def build_actors(
    broker: dramatiq.Broker,
    context: Callable[[], Context],
    *,
    settings: Settings | None = None,
    metrics: Metrics | None = None,
) -> Actors:
    """Declare the actors on a broker; `context` gives the shared Context (built once per process)."""
    metrics = metrics or Metrics.disabled()
    senders: dict[int, Sender] = {}

    def sender(ctx: Context) -> Sender:
        # One sender per process, connections kept per thread (SMTP connection reuse).
        key = id(ctx)
        if key not in senders:
            senders[key] = Sender(ctx.settings, reuse=True)
        return senders[key]

    def process_message(*raw_ids: int) -> None:
        ctx = context()
        try:
            results = process_batch(ctx, raw_ids)
        except DBAPIError as exc:
            if not db_unavailable(exc):
                return _failed(ctx, raw_ids, exc)
            # The database went away: nothing was filed; try again later, without a traceback.
            log.warning(
                "raw %s: database unavailable (%s); will retry", _ids(raw_ids), _short(exc),
                extra={"step": "retry", "raw_id": raw_ids[0]},
            )
            raise dramatiq.Retry(str(exc)) from None
        except Exception as exc:  # noqa: BLE001 - counted, retried and finally flagged by _failed
            return _failed(ctx, raw_ids, exc)
        replies = []
        for raw_id, result in zip(raw_ids, results):
            if result.done_before:
                log.debug("raw %d was done before (%s)", raw_id, result.outcome)
                continue
            metrics.processed(result.outcome)
            log.info(
                "processed raw %d: %s %s", raw_id, result.outcome, result.reference or "-",
                extra={"step": "processed", "raw_id": raw_id, "ticket": result.reference, "outcome": result.outcome},
            )
            replies += result.outbox_ids
        # Send at once on this thread's SMTP connection; what is not sent goes to the send queue.
        try:
            deliveries = _send_all(ctx, replies)
        except Exception as exc:  # noqa: BLE001 - the tickets are committed; the replies wait in the outbox
            log.info("replies %s not sent yet (%s); queued for retry", _ids(replies), exc)
            deliveries = [Delivery("pending", outbox_id) for outbox_id in replies]
        for done in deliveries:
            if done.state == "pending":
                _enqueue_quietly(send_reply_actor, done.outbox_id, delay=ctx.settings.retry_min_backoff_ms)

    def _failed(ctx: Context, raw_ids: tuple[int, ...], exc: Exception) -> None:
        if len(raw_ids) > 1:
            # Nothing of the batch was filed: each message goes again on its own, so the one at
            # fault is retried, counted and finally flagged alone while the others go through.
            log.warning(
                "batch of raw %s failed (%s: %s); filing them one by one", _ids(raw_ids), type(exc).__name__,
                _short(exc), extra={"step": "batch_split", "raw_id": raw_ids[0]},
            )
            for raw_id in raw_ids:
                process_actor.send(raw_id)
            return
        raw_id = raw_ids[0]
        if _count_failure(ctx, raw_id, exc) > ctx.settings.retry_max:
            # Counted in the database, so it holds across sweeps and lost queue messages too.
            _give_up(ctx, raw_id, f"{type(exc).__name__}: {exc}")
            return
        raise exc

    def _send_all(ctx: Context, outbox_ids: list[int]) -> list[Delivery]:
        s = ctx.settings
        deliveries = deliver_many(
            ctx.db, sender(ctx), outbox_ids, max_attempts=s.reply_max_attempts, stale_after=s.sending_stale_after
        )
        for done in deliveries:
            _report(done)
        return deliveries

    def _send(ctx: Context, outbox_id: int) -> None:
        s = ctx.settings
        _report(deliver_reply(
            ctx.db, sender(ctx), outbox_id, max_attempts=s.reply_max_attempts, stale_after=s.sending_stale_after
        ))

    def _report(done: Delivery) -> None:
        if done.state == "sent":
            metrics.reply_sent(done.kind or "?", done.arrived_at)
            log.info(
                "sent %s reply %d for %s", done.kind, done.outbox_id, done.reference,
                extra={"step": "replied", "outbox_id": done.outbox_id, "ticket": done.reference, "kind": done.kind},
            )
        elif done.state == "failed" and done.error:
            metrics.reply_failed()
            log.error(
                "reply %d for %s failed for good: %s", done.outbox_id, done.reference, done.error,
                extra={"step": "reply_failed", "outbox_id": done.outbox_id, "ticket": done.reference},
            )

    def process_given_up(message_data: dict[str, Any], retry_info: dict[str, Any]) -> None:
        for raw_id in message_data["args"]:
            _give_up(context(), raw_id, f"gave up after {retry_info.get('retries')} retries")

    def _give_up(ctx: Context, raw_id: int, error: str) -> None:
        result = mark_failed(ctx, raw_id, error)
        if result.reference:
            metrics.failed()
            log.error(
                "raw %d failed for good: filed on %s for a human (%s)", raw_id, result.reference, error,
                extra={"step": "failed", "raw_id": raw_id, "ticket": result.reference, "outcome": "failed"},
            )

    def send_reply(outbox_id: int) -> None:
        ctx = context()
        try:
            _send(ctx, outbox_id)
        except DeliveryError as exc:
            metrics.reply_retry()
            log.warning(
                "reply %d not sent (%s); will retry", outbox_id, exc,
                extra={"step": "reply_retry", "outbox_id": outbox_id},
            )
            raise dramatiq.Retry(str(exc)) from None
        except DBAPIError as exc:
            if not db_unavailable(exc):
                raise
            log.warning("reply %d: database unavailable (%s); will retry", outbox_id, _short(exc))
            raise dramatiq.Retry(str(exc)) from None

    def send_given_up(message_data: dict[str, Any], retry_info: dict[str, Any]) -> None:
        outbox_id = message_data["args"][0]
        with context().db.session() as session:
            row = session.get(OutboxMessage, outbox_id)
            if row is None or row.state != "pending":
                return
            # The row stays pending: the sweeper tries again when it is due, and the ticket shows it.
            ticket = session.get(Ticket, row.ticket_id)
            add_event(session, ticket, "reply_delayed", outbox_id=outbox_id, error=row.last_error)

    def sweep(older_than_seconds: float | None = None) -> int:
        swept = sweep_once(context(), actors, older_than=older_than_seconds)
        return swept.messages + swept.replies

    # Without settings (actors declared on their own, as in tests): the defaults, not the environment.
    s = settings or Settings.model_construct()
    retries = {"max_retries": s.retry_max, "min_backoff": s.retry_min_backoff_ms, "max_backoff": s.retry_max_backoff_ms}
    given_up_process = dramatiq.actor(
        actor_name="intake.process_given_up", queue_name=PROCESS_QUEUE, broker=broker, max_retries=3
    )(process_given_up)
    given_up_send = dramatiq.actor(
        actor_name="intake.send_given_up", queue_name=SEND_QUEUE, broker=broker, max_retries=3
    )(send_given_up)
    process_actor = dramatiq.actor(
        actor_name="intake.process_message", queue_name=PROCESS_QUEUE, broker=broker,
        on_retry_exhausted=given_up_process.actor_name, **retries,
    )(process_message)
    send_reply_actor = dramatiq.actor(
        actor_name="intake.send_reply", queue_name=SEND_QUEUE, broker=broker,
        on_retry_exhausted=given_up_send.actor_name, **retries,
    )(send_reply)
    sweeper = dramatiq.actor(
        actor_name="intake.sweep", queue_name=PROCESS_QUEUE, broker=broker, max_retries=0
    )(sweep)
    actors = Actors(
        process_message=process_actor, send_reply=send_reply_actor, sweep=sweeper,
        batch_size=s.process_batch_size, broker=broker,
    )
    return actors


def sweep_once(ctx: Context, actors: Actors, *, older_than: float | None = None) -> Swept:
    """Enqueue unfinished work again; flag replies whose sender died while sending.

    Work counts as lost when it is older than ``sweep_grace`` and nothing waits in its queue
    (so no queued message can still be it), or older than ``sweep_max_age`` in any case.
    Enqueuing twice is harmless: processing and sending are idempotent.
    """
    s = ctx.settings
    grace = s.sweep_grace if older_than is None else older_than
    depths = queue_waiting(actors.broker) if actors.broker is not None else {}
    now = utcnow()

    def cutoff(queue: str) -> timedelta:
        return timedelta(seconds=grace if depths.get(queue, 0) == 0 else max(grace, s.sweep_max_age))

    with ctx.db.session() as session:
        raw_ids = list(
            session.scalars(
                select(RawMessage.id)
                .where(RawMessage.state == "stored", RawMessage.received_at <= now - cutoff(PROCESS_QUEUE))
                .order_by(RawMessage.id).limit(5000)
            )
        )
    actors.enqueue_processing(raw_ids)
    outbox_ids = _pending_replies(ctx, now - cutoff(SEND_QUEUE))
    for outbox_id in outbox_ids:
        actors.send_reply.send(outbox_id)
    flagged = flag_stale_sending(ctx.db)
    if raw_ids or outbox_ids or flagged:
        log.warning(
            "sweeper: enqueued %d message(s) and %d reply(ies) again; flagged %d reply(ies) left sending",
            len(raw_ids), len(outbox_ids), len(flagged), extra={"step": "swept"},
        )
    return Swept(len(raw_ids), len(outbox_ids), len(flagged))


def _pending_replies(ctx: Context, created_before: datetime) -> list[int]:
    """Pending replies that are due and were written before the cutoff."""
    with ctx.db.session() as session:
        return list(
            session.scalars(
                select(OutboxMessage.id)
                .where(OutboxMessage.state == "pending", OutboxMessage.next_attempt_at <= utcnow())
                .where(OutboxMessage.created_at <= created_before)
                .order_by(OutboxMessage.id).limit(5000)
            )
        )


def unfinished_counts(ctx: Context, *, older_than: float) -> dict[str, int]:
    """How much work sits unfinished: for `intake status`."""
    cutoff = utcnow() - timedelta(seconds=older_than)
    with ctx.db.session() as session:
        stored = session.scalar(
            select(func.count()).select_from(RawMessage)
            .where(RawMessage.state == "stored", RawMessage.received_at <= cutoff)
        )
        pending = session.scalar(
            select(func.count()).select_from(OutboxMessage)
            .where(OutboxMessage.state == "pending", OutboxMessage.created_at <= cutoff)
        )
        sending = session.scalar(
            select(func.count()).select_from(OutboxMessage)
            .where(OutboxMessage.state == "sending", OutboxMessage.next_attempt_at <= utcnow())
        )
    return {"messages_stuck": stored or 0, "replies_stuck": pending or 0, "replies_sending_stale": sending or 0}


def _count_failure(ctx: Context, raw_id: int, exc: Exception) -> int:
    try:
        return record_attempt(ctx, raw_id, f"{type(exc).__name__}: {exc}")
    except Exception:  # noqa: BLE001 - the database may be what failed; dramatiq's retries still count
        return 0


def _enqueue_quietly(actor: dramatiq.Actor[..., Any], outbox_id: int, *, delay: int) -> None:
    try:
        actor.send_with_options(args=(outbox_id,), delay=delay)
    except Exception as exc:  # noqa: BLE001 - the row is pending in the outbox; the sweeper sends it
        log.warning("could not queue reply %d (%s); the sweeper will", outbox_id, exc)


def _ids(ids: Sequence[int]) -> str:
    return ", ".join(str(i) for i in ids)


def _short(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return (lines[0] if lines else type(exc).__name__)[:200]
