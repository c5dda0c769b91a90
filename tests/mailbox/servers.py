"""Real servers for the mailbox tests and the benchmark: an SMTP sink and a private Redis.

Both can be stopped and started again on the same loopback port, like a server that goes down
for a while. Dovecot lives in tests/dovecot.py.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import redis
from aiosmtpd.controller import Controller

from tests.dovecot import free_port

_IN_REPLY_TO = re.compile(rb"^in-reply-to:[ \t]*<?([^>\r\n]*)>?", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Delivered:
    at: float  # time.time() when the server accepted it
    rcpt_tos: tuple[str, ...]
    data: bytes

    @property
    def in_reply_to(self) -> str | None:
        head = self.data.split(b"\r\n\r\n", 1)[0]
        found = _IN_REPLY_TO.search(head)
        return found.group(1).decode() if found else None


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):
        if self.sink.refuse_with:
            return self.sink.refuse_with
        delivered = Delivered(time.time(), tuple(envelope.rcpt_tos), envelope.content)
        answered = delivered.in_reply_to
        with self.sink.lock:
            self.sink.delivered.append(delivered)
            if answered:
                self.sink.answered[answered] += 1
        return "250 OK"


class SmtpSink:
    """An aiosmtpd server on a fixed loopback port that can go down and come back."""

    def __init__(self) -> None:
        self.port = free_port()
        self.delivered: list[Delivered] = []
        self.answered: Counter[str] = Counter()  # kept as replies arrive: cheap to ask often
        self.lock = threading.Lock()
        self.refuse_with: str | None = None
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def settings(self) -> dict[str, object]:
        return {"smtp_host": "127.0.0.1", "smtp_port": self.port, "smtp_security": "none"}

    def acks_per_message(self) -> Counter[str]:
        """How many replies answer each citizen Message-ID."""
        with self.lock:
            return Counter(self.answered)

    def answered_count(self) -> int:
        """How many citizen Message-IDs have at least one reply."""
        with self.lock:
            return len(self.answered)

    def count(self) -> int:
        with self.lock:
            return len(self.delivered)


class PrivateRedis:
    """A redis-server of our own on a free port, for tests that restart it."""

    def __init__(self) -> None:
        if not shutil.which("redis-server"):
            raise RuntimeError("redis-server is not installed")
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="rd", dir="/tmp"))
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> None:
        subprocess.run(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
             "--daemonize", "yes", "--pidfile", str(self.dir / "redis.pid"), "--dir", str(self.dir),
             "--logfile", str(self.dir / "redis.log")],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if redis.Redis.from_url(self.url, socket_timeout=1).ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("private redis did not start")

    def stop(self) -> None:
        try:
            redis.Redis.from_url(self.url, socket_timeout=2).shutdown(nosave=True)
        except redis.RedisError:
            pass  # shutdown closes the connection under us
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis.from_url(self.url, socket_timeout=0.5).ping()
                time.sleep(0.05)
            except redis.RedisError:
                return

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
