"""Dramatiq actors: process a stored message, send a reply, sweep up unfinished work.

Actors take ids only and are idempotent, so a message delivered twice by the queue does no harm.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import dramatiq
from dramatiq.brokers.stub import StubBroker
from sqlalchemy import select

from intake.context import Context
from intake.delivery import Sender, deliver, pending_outbox_ids
from intake.pipeline import mark_failed, process_stored
from intake.store.models import OutboxMessage, RawMessage, Ticket, utcnow
from intake.tickets import add_event

log = logging.getLogger("intake.tasks")

PROCESS_QUEUE = "intake-process"
SEND_QUEUE = "intake-send"
MAX_RETRIES = 5


@dataclass(frozen=True)
class Actors:
    process_message: dramatiq.Actor
    send_reply: dramatiq.Actor
    sweep: dramatiq.Actor


def make_broker(redis_url: str | None) -> dramatiq.Broker:
    """Redis in production; an in-process broker on the embedded default."""
    if redis_url:
        from dramatiq.brokers.redis import RedisBroker

        broker: dramatiq.Broker = RedisBroker(url=redis_url)
    else:
        broker = StubBroker()
    broker.declare_queue(PROCESS_QUEUE)
    broker.declare_queue(SEND_QUEUE)
    return broker


def build_actors(broker: dramatiq.Broker, context: Callable[[], Context]) -> Actors:
    """Declare the actors on a broker; `context` gives the shared Context (built once)."""

    def process_message(raw_id: int) -> None:
        ctx = context()
        result = process_stored(ctx, raw_id)
        for outbox_id in result.outbox_ids:
            send_reply.send(outbox_id)

    def process_given_up(message_data: dict, retry_info: dict) -> None:
        raw_id = message_data["args"][0]
        result = mark_failed(context(), raw_id, f"gave up after {retry_info.get('retries')} retries")
        log.error("message %s failed for good, filed on %s for a human", raw_id, result.reference)

    def send_reply(outbox_id: int) -> None:
        ctx = context()
        deliver(ctx.db, Sender(ctx.settings), outbox_id)

    def send_given_up(message_data: dict, retry_info: dict) -> None:
        outbox_id = message_data["args"][0]
        with context().db.session() as session:
            row = session.get(OutboxMessage, outbox_id)
            if row is None or row.state != "pending":
                return
            # The row stays pending: the sweeper tries again later, and the ticket shows it.
            ticket = session.get(Ticket, row.ticket_id)
            add_event(session, ticket, "reply_delayed", outbox_id=outbox_id, error=row.last_error)

    def sweep(older_than_seconds: float = 60.0) -> int:
        """Re-enqueue what sits unfinished: a lost queue message delays work but loses none."""
        ctx = context()
        cutoff = utcnow() - timedelta(seconds=older_than_seconds)
        with ctx.db.session() as session:
            raw_ids = list(
                session.scalars(
                    select(RawMessage.id).where(RawMessage.state == "stored", RawMessage.received_at <= cutoff)
                    .order_by(RawMessage.id).limit(5000)
                )
            )
        for raw_id in raw_ids:
            process_msg.send(raw_id)
        outbox_ids = pending_outbox_ids(ctx.db, limit=5000)
        for outbox_id in outbox_ids:
            send_reply.send(outbox_id)
        return len(raw_ids) + len(outbox_ids)

    retry = dict(max_retries=MAX_RETRIES, min_backoff=1000, max_backoff=300_000)
    given_up_process = dramatiq.actor(process_given_up, broker=broker, actor_name="intake.process_given_up", queue_name=PROCESS_QUEUE, max_retries=3)
    given_up_send = dramatiq.actor(send_given_up, broker=broker, actor_name="intake.send_given_up", queue_name=SEND_QUEUE, max_retries=3)
    process_msg = dramatiq.actor(
        process_message, broker=broker, actor_name="intake.process_message", queue_name=PROCESS_QUEUE,
        on_retry_exhausted=given_up_process.actor_name, **retry,
    )
    send_reply = dramatiq.actor(
        send_reply, broker=broker, actor_name="intake.send_reply", queue_name=SEND_QUEUE,
        on_retry_exhausted=given_up_send.actor_name, **retry,
    )
    sweeper = dramatiq.actor(sweep, broker=broker, actor_name="intake.sweep", queue_name=PROCESS_QUEUE, max_retries=0)
    return Actors(process_message=process_msg, send_reply=send_reply, sweep=sweeper)
