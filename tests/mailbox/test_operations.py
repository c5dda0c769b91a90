"""What operators see: `intake status` and the Prometheus metrics."""

from __future__ import annotations

import json
import re
import subprocess
import urllib.request
from datetime import UTC

from tests.dovecot import free_port
from tests.mailbox.conftest import INTAKE, Mailroom, citizen_messages, wait_until


def _metric(text: str, name: str, labels: str = "") -> float:
    found = re.search(rf"^{re.escape(name)}{re.escape(labels)} ([0-9.e+]+)$", text, re.MULTILINE)
    assert found, f"{name}{labels} not in the metrics"
    return float(found.group(1))


def _scrape(port: int) -> str:
    return urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()


def _metric_reaches(port: int, name: str, labels: str, expected: float) -> bool:
    found = re.search(rf"^{re.escape(name)}{re.escape(labels)} ([0-9.e+]+)$", _scrape(port), re.MULTILINE)
    return found is not None and float(found.group(1)) >= expected


def test_metrics_count_fetched_processed_and_sent_across_worker_processes(mailroom: Mailroom) -> None:
    # Given a worker with two worker processes and metrics on
    port = free_port()
    worker = mailroom.start_worker(metrics_port=port, worker_processes=2)
    mailroom.append(citizen_messages(12, "metrics"))
    wait_until(lambda: mailroom.all_filed() and mailroom.all_acknowledged(), 60, "12 through")
    # The worker counts a reply just after the SMTP server took it: wait for the counters to catch up
    wait_until(
        lambda: _metric_reaches(port, "intake_replies_sent_total", '{kind="ack"}', 12)
        and _metric_reaches(port, "intake_arrival_to_reply_seconds_count", "", 12),
        30, "12 acknowledgements counted in the metrics",
    )

    # Then one scrape shows what all processes did, the queue depth and the latency histogram
    text = _scrape(port)
    assert _metric(text, "intake_messages_fetched_total") == 12
    assert _metric(text, "intake_messages_processed_total", '{outcome="ticket_opened"}') == 12
    assert _metric(text, "intake_replies_sent_total", '{kind="ack"}') == 12
    assert _metric(text, "intake_arrival_to_reply_seconds_count") == 12
    assert _metric(text, "intake_queue_depth", '{queue="intake-process"}') == 0
    assert worker.terminate() == 0


def test_status_shows_the_checkpoint_the_queues_and_stuck_work(mailroom: Mailroom) -> None:
    # Given mail filed while the SMTP server was down, so its replies are stuck
    mailroom.smtp.stop()
    worker = mailroom.start_worker()
    mailroom.append(citizen_messages(4, "status"))
    wait_until(lambda: mailroom.processed_count() == 4, 60, "4 tickets")
    assert worker.terminate() == 0

    # When an operator asks, with a sweep grace of 0 so the unsent replies count as stuck at once
    env = mailroom.env(sweep_grace=0)
    done = subprocess.run([INTAKE, "status", "--json"], env=env, capture_output=True, timeout=60, check=False)
    table = subprocess.run([INTAKE, "status"], env=env, capture_output=True, timeout=60, check=False)

    # Then the status names how far the mailbox was read, the queues, and the stuck replies
    assert done.returncode == 0, done.stderr.decode()
    info = json.loads(done.stdout.decode().strip().splitlines()[-1])
    assert info["mailboxes"][0]["last_uid"] == 4
    assert info["messages"] == {"processed": 4}
    assert info["replies"] == {"pending": 4}
    assert info["stuck"]["replies_stuck"] == 4
    assert set(info["queue_depth"]) == {"intake-process", "intake-send"}
    assert table.returncode == 0
    assert b"4 reply(ies) unsent" in table.stdout


def test_the_worker_purges_closed_tickets_past_the_retention_period(mailroom: Mailroom) -> None:
    # Given a ticket closed long ago and one still open, both old
    from datetime import datetime, timedelta

    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from intake.store.models import DailyCount, Ticket

    long_ago = datetime.now(UTC) - timedelta(days=400)
    with Session(mailroom.engine) as session, session.begin():
        for status, closed in (("closed", long_ago), ("open", None)):
            session.add(Ticket(reference=f"GNT-2025-9{len(status):05d}", queue="triage", intent="general_question",
                               status=status, received_at=long_ago, closed_at=closed))

    # When the worker runs with a retention of 30 days
    worker = mailroom.start_worker(retention_days=30)
    wait_until(lambda: mailroom.ticket_count() == 1, 60, "the closed ticket purged")
    assert worker.terminate() == 0

    # Then only the open ticket is left, and the closed one lives on as an anonymous count
    with Session(mailroom.engine) as session:
        assert session.scalars(select(Ticket.status)).all() == ["open"]
        assert sum(c.closed for c in session.scalars(select(DailyCount))) == 1
