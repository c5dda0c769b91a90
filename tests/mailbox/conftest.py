"""The mailbox worker against real servers: a private Dovecot, the machine's PostgreSQL and
Redis (a key namespace per test, or a private redis-server for restarts), and an SMTP sink.

The worker runs as `intake worker` in its own process group, configured through INTAKE_*
variables like in production, so tests can SIGTERM it, SIGKILL it and start it again.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine

from intake.store import open_database
from intake.store.models import OutboxMessage, RawMessage, Ticket, TicketMessage
from tests.builders import citizen_mail
from tests.dovecot import Dovecot
from tests.mailbox.servers import PrivateRedis, SmtpSink

REDIS_URL = "redis://127.0.0.1:6379/0"
INTAKE = str(Path(sys.executable).with_name("intake"))


def wait_until(check: Callable[[], bool], timeout: float, what: str, interval: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for: {what}")


def citizen_messages(count: int, tag: str) -> dict[str, bytes]:
    """Mails from ``count`` different citizens, each asking something that gets an acknowledgement."""
    mails = {}
    for i in range(count):
        message_id = f"{tag}-{i}-{uuid.uuid4().hex[:8]}@example.org"
        mails[message_id] = citizen_mail(
            sender=f"Burger {tag} {i} <burger.{tag}.{i}@example.org>",
            subject=f"Aanvraag F+ kaart ({tag} {i})",
            body=f"Goedemorgen, ik wil graag mijn F kaart omzetten naar een F+ kaart. Dossier {tag}-{i}.",
            message_id=f"<{message_id}>",
        )
    return mails


@dataclass
class WorkerProcess:
    proc: subprocess.Popen[bytes]
    log_path: Path

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def terminate(self, timeout: float = 60) -> int:
        """SIGTERM, as systemd stops it; returns the exit code."""
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("worker did not stop within the timeout after SIGTERM") from None

    def kill(self) -> None:
        """SIGKILL the worker and its worker processes, like a host that dies."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=30)

    def lines(self) -> list[dict]:
        found = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                try:
                    found.append(json.loads(line))
                except ValueError:
                    pass
        return found

    def steps(self, step: str) -> list[dict]:
        return [line for line in self.lines() if line.get("step") == step]

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")


@dataclass
class Mailroom:
    """Everything one test needs: servers, the store, and `intake worker` processes."""

    pg_url: str
    dovecot: Dovecot
    smtp: SmtpSink
    redis_url: str
    namespace: str
    tmp: Path
    engine: Engine
    workers: list[WorkerProcess] = field(default_factory=list)
    sent: dict[str, bytes] = field(default_factory=dict)

    def env(self, **overrides: object) -> dict[str, str]:
        settings: dict[str, object] = {
            "database_url": self.pg_url,
            "redis_url": self.redis_url,
            "redis_namespace": self.namespace,
            "outbox_dir": self.tmp / "outbox",
            "worker_processes": 1,
            "worker_threads": 4,
            "lease_ttl": 3,
            "sweep_interval": 1,
            "sweep_grace": 3,
            "sweep_max_age": 20,
            "retry_min_backoff_ms": 200,
            "retry_max_backoff_ms": 2000,
            "retry_max": 8,
            "reconnect_max_delay": 2,
            "imap_batch_size": 20,
            "imap_timeout": 10,
            "smtp_timeout": 5,
            "shutdown_timeout": 20,
            "log_format": "json",
            **self.dovecot.settings("tls"),
            **self.smtp.settings(),
            **overrides,
        }
        env = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
        env.update({f"INTAKE_{k.upper()}": str(v) for k, v in settings.items() if v is not None})
        return env

    def start_worker(self, *args: str, **overrides: object) -> WorkerProcess:
        log_path = self.tmp / f"worker-{len(self.workers)}.log"
        with open(log_path, "wb") as out:
            proc = subprocess.Popen(
                [INTAKE, "worker", *args], env=self.env(**overrides), stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        worker = WorkerProcess(proc, log_path)
        self.workers.append(worker)
        return worker

    def use_database(self, url: str) -> None:
        """Point the workers and the checks at another database (created and migrated here)."""
        open_database(url).dispose()
        self.engine.dispose()
        self.pg_url, self.engine = url, create_engine(url)

    def append(self, mails: dict[str, bytes], folder: str = "INBOX") -> None:
        self.sent.update(mails)
        self.dovecot.append(list(mails.values()), folder)

    # -- what the store says ------------------------------------------------------------------

    def scalar(self, query):  # type: ignore[no-untyped-def]
        with self.engine.connect() as conn:
            return conn.execute(query).scalar()

    def ticket_count(self) -> int:
        return int(self.scalar(select(func.count()).select_from(Ticket)) or 0)

    def raw_states(self) -> Counter[str]:
        with self.engine.connect() as conn:
            return Counter(dict(conn.execute(select(RawMessage.state, func.count()).group_by(RawMessage.state)).all()))

    def outbox_states(self) -> Counter[str]:
        with self.engine.connect() as conn:
            return Counter(
                dict(conn.execute(select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)).all())
            )

    def tickets_per_message(self) -> Counter[str]:
        """Per citizen Message-ID: on how many tickets it was filed."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(TicketMessage.message_id, func.count(func.distinct(TicketMessage.ticket_id)))
                .where(TicketMessage.direction == "in").group_by(TicketMessage.message_id)
            ).all()
            return Counter({mid: n for mid, n in rows})

    def processed_count(self) -> int:
        return self.raw_states()["processed"]

    def all_filed(self) -> bool:
        return self.raw_states().get("stored", 0) == 0 and sum(self.raw_states().values()) >= len(self.sent)

    def all_acknowledged(self) -> bool:
        acks = self.smtp.acks_per_message()
        return all(acks[mid] >= 1 for mid in self.sent)

    def assert_exactly_once(self, *, every_ack: bool = True) -> None:
        """Every message sent has exactly one ticket and at most (or exactly) one acknowledgement."""
        filed = self.tickets_per_message()
        missing = [mid for mid in self.sent if filed[mid] == 0]
        doubled = {mid: n for mid, n in filed.items() if n > 1}
        assert not missing, f"{len(missing)} message(s) without a ticket, e.g. {missing[:3]}"
        assert not doubled, f"messages on more than one ticket: {doubled}"
        assert self.raw_states()["processed"] == len(self.sent), self.raw_states()
        assert self.ticket_count() == len(self.sent)
        acks = self.smtp.acks_per_message()
        twice = {mid: n for mid, n in acks.items() if n > 1}
        assert not twice, f"acknowledged more than once: {twice}"
        if every_ack:
            unanswered = [mid for mid in self.sent if acks[mid] == 0]
            assert not unanswered, f"{len(unanswered)} message(s) never acknowledged"
            assert self.outbox_states() == Counter({"sent": len(self.sent)}), self.outbox_states()

    def in_inbox(self) -> list[int]:
        return self.dovecot.uids("INBOX")

    def terminate_postgres_connections(self) -> int:
        db = self.engine.url.database
        with self.engine.connect() as conn:
            killed = conn.execute(
                text("select count(pg_terminate_backend(pid)) from pg_stat_activity "
                     "where datname = :db and pid <> pg_backend_pid()"),
                {"db": db},
            ).scalar()
            conn.commit()
        return int(killed or 0)


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    server = Dovecot()
    server.start()
    try:
        yield server
    finally:
        server.cleanup()


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis()
    server.start()
    try:
        yield server
    finally:
        server.cleanup()


@pytest.fixture
def namespace() -> Iterator[str]:
    name = f"intake-test-{uuid.uuid4().hex[:10]}"
    yield name
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{name}*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def mailroom(pg_url: str, dovecot: Dovecot, smtp_sink: SmtpSink, namespace: str, tmp_path: Path) -> Iterator[Mailroom]:
    open_database(pg_url).dispose()  # the schema, before two workers race to create it
    engine = create_engine(pg_url)
    room = Mailroom(pg_url, dovecot, smtp_sink, REDIS_URL, namespace, tmp_path, engine)
    try:
        yield room
    finally:
        for worker in room.workers:
            if worker.alive():
                worker.kill()
        engine.dispose()
