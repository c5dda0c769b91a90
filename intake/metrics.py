"""Prometheus metrics of the mailbox worker: fetched, processed, failed, sent, queue depth, latency.

``intake worker`` runs several processes (the poller and the dramatiq workers); their counters
are added up with prometheus_client's multiprocess mode, which must be switched on (an empty
directory in PROMETHEUS_MULTIPROC_DIR) before prometheus_client is first imported. The queue
depth is read from the broker when Prometheus scrapes.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from intake.store.models import utcnow

if TYPE_CHECKING:
    from intake.config import Settings

log = logging.getLogger("intake.metrics")

LATENCY_BUCKETS = (0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600, 6 * 3600)
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def use_multiprocess_dir() -> str:
    """Point prometheus_client at a fresh directory for this worker's processes (call first)."""
    import sys

    if MULTIPROC_ENV not in os.environ:
        if "prometheus_client" in sys.modules:
            log.warning("prometheus_client imported before multiprocess mode: worker processes not summed")
        os.environ[MULTIPROC_ENV] = tempfile.mkdtemp(prefix="intake-metrics-")
    return os.environ[MULTIPROC_ENV]


class Metrics:
    """The counters one process updates; ``Metrics.disabled()`` records nothing."""

    _instance: Metrics | None = None

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        if not enabled:
            return
        from prometheus_client import Counter, Histogram

        self._fetched = Counter("intake_messages_fetched", "Messages fetched from the mailbox and stored")
        self._processed = Counter("intake_messages_processed", "Messages carried to a ticket", ["outcome"])
        self._failed = Counter("intake_messages_failed", "Messages that kept failing, flagged for a human")
        self._sent = Counter("intake_replies_sent", "Replies handed to the SMTP server", ["kind"])
        self._reply_failed = Counter("intake_replies_failed", "Replies refused for good, flagged for a human")
        self._reply_retry = Counter("intake_reply_retries", "Reply attempts that failed and will be retried")
        self._latency = Histogram(
            "intake_arrival_to_reply_seconds", "From storing a message to sending its reply",
            buckets=LATENCY_BUCKETS,
        )

    @classmethod
    def enabled_for_process(cls) -> Metrics:
        """The process's metrics (Prometheus registers each name once per process)."""
        if cls._instance is None:
            cls._instance = cls(enabled=True)
        return cls._instance

    @classmethod
    def disabled(cls) -> Metrics:
        return cls(enabled=False)

    @classmethod
    def for_settings(cls, settings: Settings) -> Metrics:
        """On when the settings give the metrics a port to be served on."""
        return cls.enabled_for_process() if settings.metrics_port else cls.disabled()

    def fetched(self, count: int = 1) -> None:
        if self.enabled:
            self._fetched.inc(count)

    def processed(self, outcome: str) -> None:
        if self.enabled:
            self._processed.labels(outcome=outcome).inc()

    def failed(self) -> None:
        if self.enabled:
            self._failed.inc()

    def reply_sent(self, kind: str, arrived_at: datetime | None) -> None:
        if not self.enabled:
            return
        self._sent.labels(kind=kind).inc()
        if arrived_at is not None:
            self._latency.observe(max(0.0, (utcnow() - arrived_at).total_seconds()))

    def reply_failed(self) -> None:
        if self.enabled:
            self._reply_failed.inc()

    def reply_retry(self) -> None:
        if self.enabled:
            self._reply_retry.inc()


class _QueueDepth:
    """Reads the queue depth at scrape time; nothing when the broker cannot be reached."""

    def __init__(self, depths: Callable[[], dict[str, int]]) -> None:
        self.depths = depths

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import GaugeMetricFamily

        family = GaugeMetricFamily(
            "intake_queue_depth", "Tasks waiting or in hand per queue (a processing task holds a batch of messages)",
            labels=["queue"],
        )
        try:
            for queue, depth in self.depths().items():
                family.add_metric([queue], depth)
        except Exception as exc:  # noqa: BLE001 - a scrape must not fail because Redis is down
            log.debug("queue depth unavailable: %s", exc)
            return
        yield family


def serve(host: str, port: int, depths: Callable[[], dict[str, int]]) -> None:
    """Serve /metrics: every process's counters plus the queue depth."""
    from prometheus_client import REGISTRY, CollectorRegistry, start_http_server

    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = REGISTRY
    registry.register(_QueueDepth(depths))
    start_http_server(port, addr=host, registry=registry)
    log.info("metrics on http://%s:%d/metrics", host, port)
