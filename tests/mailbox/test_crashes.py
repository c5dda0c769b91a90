"""A worker that dies, or is told to stop, loses no message and answers none twice."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from sqlalchemy import select

from intake.store.models import OutboxMessage, RawMessage, Ticket
from tests.mailbox.conftest import Mailroom, citizen_messages, wait_until


def test_worker_killed_mid_batch_then_restarted_files_every_message_exactly_once(mailroom: Mailroom) -> None:
    # Given a backlog, and a worker killed with SIGKILL (all its processes) part-way through
    mailroom.append(citizen_messages(150, "kill"))
    first = mailroom.start_worker(imap_batch_size=10, sending_stale_after=3)
    wait_until(lambda: mailroom.processed_count() >= 15, 60, "some tickets before the kill")
    first.kill()
    done_before = mailroom.processed_count()
    assert done_before < 150, "the kill came too late to test anything"

    # When a new worker starts
    second = mailroom.start_worker(imap_batch_size=10, sending_stale_after=3)
    wait_until(mailroom.all_filed, 90, "every message filed")
    wait_until(lambda: not ({"pending", "sending"} & set(mailroom.outbox_states())), 60, "no reply left unsent")
    wait_until(lambda: not mailroom.in_inbox(), 20, "the inbox emptied")
    assert second.terminate() == 0

    # Then each message has exactly one ticket and at most one acknowledgement; a reply the kill
    # caught in the middle of sending (it may or may not have gone out) is flagged for a human
    # instead of being sent again
    mailroom.assert_exactly_once(every_ack=False)
    acks = mailroom.smtp.acks_per_message()
    with mailroom.engine.connect() as conn:
        replies = {
            mid: (state, flagged)
            for mid, state, flagged in conn.execute(
                select(RawMessage.message_id, OutboxMessage.state, Ticket.needs_human)
                .join(OutboxMessage, OutboxMessage.answers_raw_id == RawMessage.id)
                .join(Ticket, Ticket.id == OutboxMessage.ticket_id)
            )
        }
    assert set(replies) == set(mailroom.sent)
    for mid, (state, flagged) in replies.items():
        assert state in ("sent", "failed"), (mid, state)
        if acks[mid] == 0:
            assert state == "failed" and flagged, (mid, state, flagged)
        if state == "failed":
            assert flagged


def test_sigterm_finishes_the_messages_in_hand_and_exits_cleanly(mailroom: Mailroom) -> None:
    # Given a worker busy with a backlog
    mailroom.append(citizen_messages(80, "term"))
    worker = mailroom.start_worker(imap_batch_size=10)
    wait_until(lambda: mailroom.processed_count() >= 10, 60, "some tickets")

    # When it gets SIGTERM, as from systemd
    code = worker.terminate(timeout=30)

    # Then it exits with 0, no reply is left half-sent, and a new worker finishes the rest
    assert code == 0
    assert mailroom.outbox_states()["sending"] == 0
    assert worker.steps("stopped")
    mailroom.start_worker()
    wait_until(lambda: mailroom.all_filed() and mailroom.all_acknowledged(), 60, "the rest of the backlog")
    wait_until(lambda: mailroom.outbox_states()["pending"] == 0, 20, "all replies recorded as sent")
    mailroom.assert_exactly_once()


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.add(int(entry.name))
            except (OSError, ValueError, IndexError):
                pass
    return found


def test_a_worker_process_that_dies_is_replaced_and_the_work_goes_on(mailroom: Mailroom) -> None:
    # Given a worker with two worker processes
    worker = mailroom.start_worker(worker_processes=2)
    wait_until(lambda: len(_children(worker.pid)) == 2 and worker.steps("started"), 30, "two worker processes")
    first = _children(worker.pid)

    # When one of them is killed
    victim = min(first)
    os.kill(victim, signal.SIGKILL)

    # Then the worker says so, starts another in its place, and every message still gets its
    # ticket and one acknowledgement; SIGTERM stops them all cleanly
    wait_until(lambda: any("restarting it" in line.get("msg", "") for line in worker.lines()), 20,
               "the death reported")
    wait_until(lambda: len(_children(worker.pid) - first) == 1, 30, "a replacement process")
    assert victim not in _children(worker.pid)
    mailroom.append(citizen_messages(30, "respawn"))
    wait_until(lambda: mailroom.all_filed() and mailroom.all_acknowledged(), 90, "the messages after the restart")
    assert worker.terminate() == 0
    assert not _children(worker.pid)
    mailroom.assert_exactly_once()
