"""Logging for the worker: one JSON object per line, with the message's step and ticket reference.

A log call adds its structured fields with ``extra={"step": "processed", "ticket": ref, ...}``;
they become keys of the line. Addresses of citizens are never logged: ids and references are
enough to find a message, and they carry no personal data.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from datetime import UTC, datetime

from intake.config import Settings

# The structured fields a log call may add (see the module docstring).
FIELDS = (
    "step", "mailbox", "uid", "raw_id", "ticket", "outcome", "outbox_id", "kind", "count", "new", "lease",
    "attempt", "error", "purged",
)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "pid": record.process,
            "msg": record.getMessage(),
        }
        for key in FIELDS:
            value = getattr(record, key, None)
            if value is not None:
                line[key] = value
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class OncePerInterval(logging.Filter):
    """Let the same message through once per ``interval`` seconds (dramatiq's consumers log a
    lost Redis connection every few seconds, per queue, for as long as Redis is down)."""

    def __init__(self, interval: float = 60.0) -> None:
        super().__init__()
        self.interval = interval
        self.last: dict[tuple[str, str], float] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, str(record.msg))
        now = time.monotonic()
        if now - self.last.get(key, -self.interval) < self.interval:
            return False
        self.last[key] = now
        return True


def configure_logging(settings: Settings, *, process_name: str | None = None) -> None:
    """Log to stderr in the configured format; call once per process."""
    handler = logging.StreamHandler(sys.stderr)
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        prefix = f"{process_name or 'intake'}[%(process)d]"
        handler.setFormatter(logging.Formatter(f"%(asctime)s {prefix} %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(os.environ.get("INTAKE_LOG_LEVEL", settings.log_level).upper())
    # The actors log each step with its fields; the pipeline's own line would say it twice.
    logging.getLogger("intake.pipeline").setLevel(logging.WARNING)
    for noisy in ("imapclient", "imapclient.imaplib", "dramatiq", "urllib3", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    # dramatiq reports lost connections here (once a minute is enough) and failed messages,
    # with their tracebacks, at dramatiq.worker.WorkerThread (kept: those are bugs to see).
    handler.addFilter(_ConsumerNoise())


class _ConsumerNoise(OncePerInterval):
    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith("dramatiq.worker.ConsumerThread"):
            return True
        return super().filter(record)
