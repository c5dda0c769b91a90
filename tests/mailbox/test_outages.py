"""Servers that go away mid-run: Redis, PostgreSQL, the IMAP server, the SMTP server.

Each time the work waits and then goes on: every message ends on exactly one ticket with
exactly one acknowledgement.
"""

from __future__ import annotations

import time

from tests.mailbox.conftest import Mailroom, citizen_messages, wait_until
from tests.mailbox.servers import PrivateRedis


def test_redis_restarted_mid_run_loses_nothing_and_doubles_nothing(
    mailroom: Mailroom, private_redis: PrivateRedis
) -> None:
    # Given a worker on a Redis of its own, busy with mail; its poller lease outlives a short
    # outage (held for 2/3 of the TTL after the last renewal), so it keeps reading the mailbox
    mailroom.redis_url = private_redis.url
    worker = mailroom.start_worker(lease_ttl=30)
    mailroom.append(citizen_messages(30, "before"))
    wait_until(lambda: mailroom.processed_count() >= 5, 60, "some tickets")

    # When Redis goes down (its queues lost with it) while more mail arrives, and comes back
    private_redis.stop()
    mailroom.append(citizen_messages(20, "during"))
    wait_until(lambda: worker.steps("enqueue_failed"), 8, "the poller storing mail it cannot enqueue")
    private_redis.start()
    mailroom.append(citizen_messages(10, "after"))

    # Then everything is filed and answered once: the sweeper enqueued the stranded mail again
    wait_until(lambda: mailroom.all_filed() and mailroom.all_acknowledged(), 90, "every message through")
    wait_until(lambda: mailroom.outbox_states()["pending"] == 0, 30, "every reply recorded")
    assert worker.terminate() == 0
    assert worker.steps("swept"), "the sweeper never enqueued the stranded mail again"
    mailroom.assert_exactly_once()


def test_postgresql_connections_dropped_mid_run_lose_nothing_and_double_nothing(mailroom: Mailroom) -> None:
    # Given a worker busy with a backlog
    mailroom.append(citizen_messages(80, "pg"))
    worker = mailroom.start_worker()
    wait_until(lambda: mailroom.processed_count() >= 5, 60, "some tickets")

    # When every connection to the database is cut, again and again, for a few seconds
    killed = 0
    for _ in range(12):
        killed += mailroom.terminate_postgres_connections()
        time.sleep(0.3)
    assert killed > 0

    # Then the work goes on and ends with one ticket and one acknowledgement per message
    wait_until(lambda: mailroom.all_filed() and mailroom.all_acknowledged(), 90, "every message through")
    wait_until(lambda: mailroom.outbox_states()["pending"] == 0, 30, "every reply recorded")
    assert worker.terminate() == 0
    mailroom.assert_exactly_once()


def test_imap_server_restarted_mid_run_loses_nothing_and_reconnects_quietly(mailroom: Mailroom) -> None:
    # Given a worker watching the mailbox
    worker = mailroom.start_worker()
    mailroom.append(citizen_messages(20, "before"))
    wait_until(lambda: mailroom.processed_count() >= 5, 60, "some tickets")

    # When the IMAP server goes down for a few seconds and comes back
    mailroom.dovecot.stop()
    time.sleep(4)
    mailroom.dovecot.start()
    mailroom.append(citizen_messages(20, "after"))

    # Then the poller reconnects, logging the loss once and the recovery once, and all is filed once
    wait_until(lambda: mailroom.all_filed() and mailroom.all_acknowledged(), 60, "every message through")
    assert worker.terminate() == 0
    mailroom.assert_exactly_once()
    assert len(worker.steps("disconnected")) == 1
    assert len(worker.steps("reconnected")) == 1


def test_smtp_server_down_for_a_while_replies_wait_and_go_out_when_it_is_back(mailroom: Mailroom) -> None:
    # Given the SMTP server is down
    mailroom.smtp.stop()
    worker = mailroom.start_worker()
    mailroom.append(citizen_messages(15, "smtp"))

    # When the messages are filed, their replies wait in the outbox
    wait_until(lambda: mailroom.processed_count() == 15, 60, "15 tickets")
    wait_until(lambda: mailroom.outbox_states()["pending"] == 15, 10, "15 replies waiting")
    assert mailroom.smtp.count() == 0
    time.sleep(2)

    # Then, once the server is back, each goes out exactly once
    mailroom.smtp.start()
    wait_until(mailroom.all_acknowledged, 60, "every reply sent")
    wait_until(lambda: mailroom.outbox_states()["pending"] == 0, 30, "every reply recorded")
    assert worker.terminate() == 0
    mailroom.assert_exactly_once()
