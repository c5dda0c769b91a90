"""Exactly one poller per mailbox: a lease in Redis, renewed by its holder, taken over when it dies."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import datetime

import redis

from intake.lease import RedisLease
from tests.mailbox.conftest import REDIS_URL, Mailroom, citizen_messages, wait_until


def _ts(line: dict) -> float:
    return datetime.fromisoformat(line["ts"]).timestamp()


def test_two_pollers_on_one_mailbox_only_one_polls_and_the_other_takes_over_when_it_dies(
    mailroom: Mailroom,
) -> None:
    # Given two workers started on one mailbox
    first = mailroom.start_worker()
    wait_until(lambda: bool(first.steps("polling")), 30, "the first worker to poll")
    second = mailroom.start_worker()
    wait_until(lambda: bool(second.steps("standby")) and bool(second.steps("started")), 30, "the second to start")

    # When mail arrives
    mailroom.append(citizen_messages(20, "pair"))
    wait_until(lambda: mailroom.all_filed() and mailroom.all_acknowledged(), 60, "20 through")

    # Then only the first polls; the second never even logs in to the IMAP server
    assert not second.steps("polling")
    assert mailroom.dovecot.log_text().count(", TLS") == 1  # the workers use IMAPS; the test does not

    # And when the first dies, the second takes over within the lease's TTL (3 s here)
    first.kill()
    killed_at = time.time()
    wait_until(lambda: bool(second.steps("polling")), 10, "the second to take over")
    assert _ts(second.steps("polling")[0]) - killed_at < 3 + 1
    mailroom.append(citizen_messages(10, "after"))
    wait_until(lambda: mailroom.all_filed() and mailroom.all_acknowledged(), 60, "10 more through")
    assert second.terminate() == 0
    mailroom.assert_exactly_once()


def test_a_lease_is_held_by_one_at_a_time_and_handed_over_on_release(namespace: str) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    key = f"{namespace}:lease:test-{uuid.uuid4().hex[:6]}"
    a, b = RedisLease(client, key, ttl=1.0, name="a"), RedisLease(client, key, ttl=1.0, name="b")
    stop = threading.Event()
    try:
        a.start()
        assert a.wait_held(stop, timeout=2)
        b.start()
        time.sleep(1.5)  # longer than the TTL: the holder renews, the standby stays out
        assert a.held() and not b.held()
        assert a.holder() == a.token
        a.stop()  # released at once
        assert b.wait_held(stop, timeout=1)
    finally:
        a.stop()
        b.stop()
        client.close()
