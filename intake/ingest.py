"""Ingest on the embedded default: store each message, carry it through, send its reply."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from intake.context import Context
from intake.delivery import Sender, deliver
from intake.errors import DeliveryError
from intake.pipeline import (
    FAILED,
    NON_ACTIONABLE_OUTCOME,
    OPENED,
    THREADED,
    mark_failed,
    process_stored,
)
from intake.rawstore import store_raw
from intake.sources import RawSource
from intake.store.models import RawMessage

log = logging.getLogger("intake.ingest")

DUPLICATE = "duplicate"
# The summary's keys, each with the outcome it counts.
SUMMARY_KEYS = {
    "tickets_opened": OPENED,
    "threaded": THREADED,
    "non_actionable": NON_ACTIONABLE_OUTCOME,
    "duplicates": DUPLICATE,
    "failed": FAILED,
}


@dataclass
class IngestSummary:
    counts: Counter[str]

    @property
    def messages(self) -> int:
        return sum(self.counts.values())

    def as_dict(self) -> dict[str, int]:
        return {"messages": self.messages, **{k: self.counts[o] for k, o in SUMMARY_KEYS.items()}}


def ingest(
    ctx: Context, sources: Iterable[RawSource], *, on_message: Callable[[RawSource, str], None] | None = None
) -> IngestSummary:
    """Every message becomes a ticket, a threaded message, or a known duplicate; none is lost."""
    counts: Counter[str] = Counter()
    sender = Sender(ctx.settings)
    for source in sources:
        outcome = ingest_one(ctx, sender, source)
        counts[outcome] += 1
        if on_message:
            on_message(source, outcome)
    return IngestSummary(counts)


def ingest_one(ctx: Context, sender: Sender, source: RawSource) -> str:
    stored = store_raw(ctx.db, source.raw, source=source.origin)
    if not stored.new and not _still_unprocessed(ctx, stored.raw_id):
        return DUPLICATE
    try:
        result = process_stored(ctx, stored.raw_id)
    except Exception as exc:
        log.exception("processing %s failed", source.origin)
        result = mark_failed(ctx, stored.raw_id, f"{type(exc).__name__}: {exc}")
    for outbox_id in result.outbox_ids:
        try:
            deliver(ctx.db, sender, outbox_id)
        except DeliveryError as exc:
            # The reply stays in the outbox; `intake worker` or the next run sends it.
            log.warning("reply %s not sent yet: %s", outbox_id, exc)
    return result.outcome


def _still_unprocessed(ctx: Context, raw_id: int) -> bool:
    """A message stored before a crash, but never carried through, is processed now."""
    with ctx.db.session() as session:
        raw = session.get(RawMessage, raw_id)
        return raw is not None and raw.state == "stored"
