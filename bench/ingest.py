"""Benchmark the mailbox worker end to end on loopback: IMAP in, tickets in PostgreSQL, SMTP out.

    python bench/ingest.py [--messages 2000] [--live-seconds 60] [--processes 2] [--threads 4]

It starts a private Dovecot and an SMTP sink, makes a fresh PostgreSQL database on the machine's
server and a fresh key namespace on its Redis, then measures:

1. backlog: N messages (plain and HTML, one in ten with a 200 KB PDF, varied charsets) already
   in the mailbox when `intake worker` starts, until every acknowledgement has reached the SMTP
   server: messages per second end to end, and the peak memory of the worker's processes;
2. live: messages APPENDed one by one at a steady rate: arrival-to-acknowledgement latency.

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import redis
from imapclient import IMAPClient
from sqlalchemy import create_engine, func, select, text

from intake.store import open_database
from intake.store.models import OutboxMessage, RawMessage, Ticket
from tests.dovecot import Dovecot
from tests.mailbox.servers import SmtpSink

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/0"

# (language, charset, subject, body): what citizens write, in the charsets their mail programs use.
TEXTS = [
    ("nl", "iso-8859-1", "Aanvraag F+ kaart", (
        "Goedemorgen, ik wil graag mijn F kaart omzetten naar een F+ kaart. "
        "Wanneer kan ik langskomen? Met vriendelijke groeten, José Müller"
    )),
    ("nl", "windows-1252", "Mijn verblijfskaart vervalt", (
        "Beste, mijn verblijfskaart vervalt volgende maand. Wat moet ik doen om ze te vernieuwen? Dank u – Zoë"
    )),
    ("nl", "utf-8", "Bijlage 35 verlengen", "Hallo, mijn bijlage 35 loopt af op 12 december. Kan die verlengd worden?"),
    ("fr", "iso-8859-15", "Carte de séjour expirée", (
        "Bonjour, ma carte de séjour expire le mois prochain, je voudrais la renouveler. Cordialement, Hélène Lefèvre"
    )),
    ("en", "utf-8", "Lost residence card", "Hello, I lost my residence card (K card) last week. What should I do?"),
    ("ar", "windows-1256", "تجديد بطاقة الإقامة", "مرحبا، أريد تجديد بطاقة الإقامة الخاصة بي. شكرا جزيلا"),
    ("ar", "utf-8", "بطاقة F+", "السلام عليكم، أريد تحويل بطاقة F إلى بطاقة F+ من فضلكم"),
    ("uk", "koi8-u", "Картка перебування", "Добрий день, я хочу продовжити мою картку перебування. Дякую."),
    ("ru", "koi8-r", "Потерял карту", "Здравствуйте, я потерял свою карту K. Что мне делать?"),
    ("tr", "iso-8859-9", "Oturma kartı", "Merhaba, oturma kartımın süresi doluyor, yenilemek istiyorum. Teşekkürler"),
]


def make_message(index: int, tag: str, rng: random.Random) -> tuple[str, bytes]:
    """One citizen mail: plain or HTML, one in ten with a 200 KB PDF; a Message-ID to find it by."""
    _lang, charset, subject, body = TEXTS[index % len(TEXTS)]
    message_id = f"{tag}-{index}-{uuid.uuid4().hex[:10]}@bench.example.net"
    msg = EmailMessage()
    msg["From"] = f"Burger {index} <burger{index}.{tag}@bench.example.net>"
    msg["To"] = "migratie@stad.gent"
    msg["Subject"] = f"{subject} ({index})"
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = f"<{message_id}>"
    text_body = f"{body}\n\nDossier {tag}-{index}\n"
    msg.set_content(text_body, charset=charset, cte="quoted-printable" if charset != "utf-8" else "8bit")
    if index % 3 == 1:
        html = f"<html><body><p>{body}</p><p><b>Dossier</b> {tag}-{index}</p></body></html>"
        msg.add_alternative(html, subtype="html", charset="utf-8")
    if index % 10 == 0:
        pdf = b"%PDF-1.4\n" + rng.randbytes(200 * 1024) + b"\n%%EOF\n"
        msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=f"document-{index}.pdf")
    raw = msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))
    return message_id, raw


class Tree:
    """The worker's processes (the main one and its children): summed resident memory.

    The list of processes is looked up again every two seconds, not at each sample: walking
    /proc costs CPU that the worker would otherwise have.
    """

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_kb = 0
        self._pids_cache: list[int] = []
        self._pids_at = 0.0

    def sample(self) -> None:
        if time.monotonic() - self._pids_at > 2:
            self._pids_cache, self._pids_at = self._pids(), time.monotonic()
        total = 0
        for pid in self._pids_cache:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except OSError:
                pass
        self.peak_kb = max(self.peak_kb, total)

    def _pids(self) -> list[int]:
        parents = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, ValueError, IndexError):
                    pass
        found, todo = [self.pid], [self.pid]
        while todo:
            parent = todo.pop()
            kids = [p for p, pp in parents.items() if pp == parent]
            found += kids
            todo += kids
        return found


def cpu_snapshot() -> dict[int, tuple[str, float]]:
    """CPU seconds (user + system) used so far by every process, with its name."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            name = stat[stat.index("(") + 1 : stat.rindex(")")]
            fields = stat.rsplit(")", 1)[1].split()
            found[int(entry.name)] = (name, (int(fields[11]) + int(fields[12])) / tick)
    return found


def cpu_by_part(before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]], worker: Tree) -> dict[str, float]:
    """Where the CPU went between two snapshots: the worker's processes, each server, this script."""
    worker_pids = set(worker._pids())
    parts: dict[str, float] = {}
    for pid, (name, seconds) in after.items():
        used = seconds - before.get(pid, (name, 0.0))[1]
        if used <= 0:
            continue
        if pid == worker.pid:
            part = "intake worker: main process (poller, sweeper)"
        elif pid in worker_pids:
            part = "intake worker: worker processes"
        elif name.startswith("postgres"):
            part = "postgresql"
        elif name.startswith(("imap", "dovecot", "auth", "anvil", "log", "config", "stats")):
            part = "dovecot"
        elif name.startswith("redis"):
            part = "redis"
        elif pid == os.getpid():
            part = "this script (smtp sink, checks)"
        else:
            part = "other processes on the machine"
        parts[part] = parts.get(part, 0.0) + used
    return parts


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.rng = random.Random(20261102)
        self.dovecot = Dovecot()
        self.smtp = SmtpSink()
        self.db_name = f"intake_bench_{uuid.uuid4().hex[:10]}"
        self.db_url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{self.db_name}"
        self.namespace = f"intake-bench-{uuid.uuid4().hex[:8]}"
        self.workdir = Path(f"/tmp/intake-bench-{uuid.uuid4().hex[:6]}")
        self.worker: subprocess.Popen[bytes] | None = None
        self.sent: dict[str, float] = {}  # Message-ID -> when the server had it (live) or 0 (backlog)

    # -- set-up and tear-down -------------------------------------------------------------------

    def setup(self) -> None:
        self.workdir.mkdir()
        # Bytecode as an installed package has it: the worker's start-up should not include
        # compiling our sources (PYTHONDONTWRITEBYTECODE would otherwise make every start do it).
        compileall.compile_dir(REPO / "intake", quiet=1)
        self.dovecot.start()
        self.smtp.start()
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.db_name}"'))
        admin.dispose()
        open_database(self.db_url).dispose()
        self.engine = create_engine(self.db_url)

    def teardown(self, *, keep_logs: bool) -> None:
        if self.worker is not None and self.worker.poll() is None:
            os.killpg(self.worker.pid, signal.SIGKILL)
            self.worker.wait()
        self.engine.dispose()
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)'))
        admin.dispose()
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(f"{self.namespace}*", count=1000))
        if keys:
            client.delete(*keys)
        self.smtp.stop()
        self.dovecot.cleanup()
        if keep_logs:
            print(f"the worker's log is in {self.workdir}", file=sys.stderr)
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def env(self) -> dict[str, str]:
        settings = {
            "database_url": self.db_url, "redis_url": REDIS_URL, "redis_namespace": self.namespace,
            "worker_processes": self.args.processes, "worker_threads": self.args.threads,
            "imap_batch_size": 100, "outbox_dir": self.workdir / "outbox", "log_format": "json",
            "log_level": self.args.log_level, **self.dovecot.settings("tls"), **self.smtp.settings(),
        }
        env = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
        env.update({f"INTAKE_{k.upper()}": str(v) for k, v in settings.items()})
        return env

    def start_worker(self) -> float:
        started = time.time()
        with open(self.workdir / "worker.log", "ab") as log:
            self.worker = subprocess.Popen(
                [str(Path(sys.executable).with_name("intake")), "worker"], env=self.env(), stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
            )
        return started

    # -- measuring ------------------------------------------------------------------------------

    def counts(self) -> tuple[int, int, int]:
        with self.engine.connect() as conn:
            stored = conn.execute(select(func.count()).select_from(RawMessage).where(RawMessage.state == "stored")).scalar()
            raws = conn.execute(select(func.count()).select_from(RawMessage)).scalar()
            unsent = conn.execute(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.state.in_(("pending", "sending")))
            ).scalar()
        return int(raws or 0), int(stored or 0), int(unsent or 0)

    def wait_done(self, expected: int, tree: Tree, timeout: float) -> float:
        """Until every message is filed and every reply sent; returns the last acknowledgement's time.

        The database is asked only once the SMTP server has answers for nearly all messages (or
        every few seconds, for the progress line), so that the waiting takes little CPU.
        """
        deadline = time.monotonic() + timeout
        last_report = 0.0
        while time.monotonic() < deadline:
            tree.sample()
            acked = self.smtp.answered_count()
            due_report = time.monotonic() - last_report > 5
            if acked >= 0.9 * expected or due_report:
                raws, stored, unsent = self.counts()
                if raws >= expected and stored == 0 and unsent == 0 and acked >= self.expected_acks():
                    with self.smtp.lock:
                        return max(d.at for d in self.smtp.delivered)
                if due_report:
                    print(f"  ... stored {raws}/{expected}, unprocessed {stored}, replies unsent {unsent}, "
                          f"acks {acked}", file=sys.stderr)
                    last_report = time.monotonic()
            time.sleep(0.2)
        raise SystemExit(f"benchmark timed out after {timeout:.0f}s; worker log in {self.workdir}")

    def expected_acks(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(OutboxMessage)).scalar() or 0)

    # -- the two runs ---------------------------------------------------------------------------

    def backlog(self) -> dict[str, float]:
        n = self.args.messages
        print(f"backlog: generating {n} messages and appending them to the mailbox ...", file=sys.stderr)
        messages = [make_message(i, "backlog", self.rng) for i in range(n)]
        size = sum(len(raw) for _, raw in messages)
        with self.dovecot.client() as client:
            for message_id, raw in messages:
                client.append("INBOX", raw)
                self.sent[message_id] = 0.0
        print(f"backlog: {n} messages, {size / 1e6:.1f} MB in the mailbox; starting `intake worker`", file=sys.stderr)
        cpu_before = cpu_snapshot()
        started = self.start_worker()
        assert self.worker is not None
        tree = Tree(self.worker.pid)
        last_ack = self.wait_done(n, tree, timeout=max(300, n))
        elapsed = last_ack - started
        self.cpu = cpu_by_part(cpu_before, cpu_snapshot(), tree)
        with self.engine.connect() as conn:
            first_stored = conn.execute(select(func.min(RawMessage.received_at))).scalar()
        steady = n / max(1e-9, last_ack - first_stored.timestamp())
        with self.smtp.lock:
            first_ack = min(d.at for d in self.smtp.delivered)
        return {
            "first_stored_s": first_stored.timestamp() - started, "first_ack_s": first_ack - started,
            "elapsed_s": elapsed, "backlog_msgs_per_s": n / elapsed, "after_first_fetch_msgs_per_s": steady,
            "peak_rss_mb": tree.peak_kb / 1024, "mailbox_mb": size / 1e6,
        }

    def live(self) -> dict[str, float]:
        seconds, rate = self.args.live_seconds, self.args.rate
        count = int(seconds * rate)
        print(f"live: appending {count} messages at {rate}/s for {seconds}s ...", file=sys.stderr)
        messages = [make_message(i, "live", self.rng) for i in range(count)]
        client = IMAPClient("127.0.0.1", port=self.dovecot.imap_port, ssl=False)
        client.login(self.dovecot.user, self.dovecot.password)
        start = time.monotonic()
        for i, (message_id, raw) in enumerate(messages):
            time.sleep(max(0.0, start + i / rate - time.monotonic()))
            client.append("INBOX", raw)
            self.sent[message_id] = time.time()  # the server has it: it arrived
        client.logout()
        assert self.worker is not None
        self.wait_done(len(self.sent), Tree(self.worker.pid), timeout=120)
        arrival = {mid: at for mid, at in self.sent.items() if at}
        first_ack: dict[str, float] = {}
        with self.smtp.lock:
            for d in self.smtp.delivered:
                mid = d.in_reply_to
                if mid in arrival and mid not in first_ack:
                    first_ack[mid] = d.at
        latencies = sorted(first_ack[mid] - arrival[mid] for mid in first_ack)
        q = statistics.quantiles(latencies, n=100) if len(latencies) >= 2 else latencies * 99
        return {"live_messages": len(arrival), "live_p50_s": q[49], "live_p95_s": q[94], "live_max_s": latencies[-1]}

    def verdict(self) -> dict[str, int]:
        """lost: a message with no ticket, or a reply that never went out; duplicate_acks: extra copies."""
        acks = self.smtp.acks_per_message()
        with self.engine.connect() as conn:
            filed = set(conn.execute(select(RawMessage.message_id).where(RawMessage.ticket_id.is_not(None))).scalars())
            unsent = conn.execute(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.state != "sent")
            ).scalar()
            tickets = conn.execute(select(func.count()).select_from(Ticket)).scalar()
        lost = sum(1 for mid in self.sent if mid not in filed) + int(unsent or 0)
        return {
            "tickets": int(tickets or 0), "lost": lost,
            "duplicate_acks": sum(n - 1 for n in acks.values() if n > 1),
        }

    def stop_worker(self) -> None:
        assert self.worker is not None
        self.worker.send_signal(signal.SIGTERM)
        self.worker.wait(timeout=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=2000, help="backlog size (default 2000)")
    parser.add_argument("--live-seconds", type=float, default=60, help="length of the live run (default 60)")
    parser.add_argument("--rate", type=float, default=5, help="live messages per second (default 5)")
    parser.add_argument("--processes", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker process (default 4)")
    parser.add_argument("--log-level", default="INFO", help="the worker's log level (default INFO)")
    parser.add_argument("--keep-logs", action="store_true", help="keep the worker's log (kept anyway on failure)")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    bench = Bench(args)
    bench.setup()
    finished = False
    try:
        backlog = bench.backlog()
        live = bench.live() if args.live_seconds > 0 else {"live_p50_s": None, "live_p95_s": None, "live_max_s": None}
        bench.stop_worker()
        verdict = bench.verdict()
        finished = True
    finally:
        bench.teardown(keep_logs=args.keep_logs or not finished or verdict["lost"] > 0 or verdict["duplicate_acks"] > 0)
    print(
        f"backlog: {args.messages} messages ({backlog['mailbox_mb']:.1f} MB) in {backlog['elapsed_s']:.1f}s from "
        f"worker start: {backlog['backlog_msgs_per_s']:.0f} msg/s end to end "
        f"({backlog['after_first_fetch_msgs_per_s']:.0f} msg/s from the first fetch); "
        f"peak RSS of the worker's processes {backlog['peak_rss_mb']:.0f} MB"
    )
    print(f"start-up: first message stored {backlog['first_stored_s']:.2f}s and first acknowledgement received "
          f"{backlog['first_ack_s']:.2f}s after the worker started")
    if live.get("live_p50_s") is not None:
        print(
            f"live: {live['live_messages']} messages at {args.rate}/s: arrival to acknowledgement "
            f"p50 {live['live_p50_s']:.3f}s, p95 {live['live_p95_s']:.3f}s, max {live['live_max_s']:.3f}s"
        )
    print(f"tickets {verdict['tickets']}, lost {verdict['lost']}, duplicate acknowledgements {verdict['duplicate_acks']}")
    print(f"machine: {os.cpu_count()} cores, load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
    print(f"CPU during the backlog, per message (of {2 * backlog['elapsed_s'] * 1000 / args.messages:.1f} ms available):")
    for part, seconds in sorted(bench.cpu.items(), key=lambda kv: -kv[1]):
        print(f"  {1000 * seconds / args.messages:6.2f} ms  {part}")
    result = {
        "messages": args.messages,
        "backlog_msgs_per_s": round(backlog["backlog_msgs_per_s"], 1),
        "peak_rss_mb": round(backlog["peak_rss_mb"], 1),
        "live_p50_s": _round(live.get("live_p50_s")),
        "live_p95_s": _round(live.get("live_p95_s")),
        "live_max_s": _round(live.get("live_max_s")),
        "lost": verdict["lost"],
        "duplicate_acks": verdict["duplicate_acks"],
    }
    print(json.dumps(result))


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


if __name__ == "__main__":
    main()
