"""Replies of one batch go out one after another on one connection, each claimed as it goes."""

from __future__ import annotations

from intake.delivery import Sender, deliver_many
from intake.intents import Intent
from tests.replies.helpers import Mailroom, verdict


def _three_waiting(room: Mailroom) -> list[int]:
    room.smtp.refuse_with = "451 4.3.0 try again later"
    for name in ("a", "b", "c"):
        room.write(as_=verdict(Intent.KL_CARD_SWITCH), sender=f"{name} <{name}@example.com>")
    rows = room.outbox()
    assert [(r.state, r.attempts) for r in rows] == [("pending", 1)] * 3
    room.smtp.refuse_with = None
    return [r.id for r in rows]


def test_a_batch_of_replies_is_sent_in_order_and_recorded_once(make_mailroom, db_url: str) -> None:
    room: Mailroom = make_mailroom(db_url)
    ids = _three_waiting(room)
    sender = Sender(room.ctx.settings, reuse=True)

    done = deliver_many(room.ctx.db, sender, ids)
    again = deliver_many(room.ctx.db, sender, ids)
    sender.close()

    assert [d.state for d in done] == ["sent"] * 3
    assert all(d.reference and d.kind == "ack" and d.arrived_at for d in done)
    assert [m.rcpt_tos for m in room.smtp.messages] == [["a@example.com"], ["b@example.com"], ["c@example.com"]]
    assert [d.state for d in again] == ["sent"] * 3, "a second call sends nothing again"
    assert len(room.smtp.messages) == 3
    assert [(r.state, r.attempts) for r in room.outbox()] == [("sent", 2)] * 3
    for reference in {t.reference for t in room.tickets()}:
        assert len(room.events(reference, "replied")) == 1


def test_when_the_server_is_away_the_rest_of_the_batch_waits_unclaimed(make_mailroom, db_url: str) -> None:
    room: Mailroom = make_mailroom(db_url)
    ids = _three_waiting(room)
    room.smtp.refuse_with = "421 4.3.2 shutting down"

    done = deliver_many(room.ctx.db, Sender(room.ctx.settings), ids)

    assert [d.state for d in done] == ["pending"] * 3
    assert done[0].error and "421" in done[0].error
    assert done[1].error is None and done[2].error is None, "not tried after the server went away"
    assert [(r.state, r.attempts) for r in room.outbox()] == [("pending", 2), ("pending", 1), ("pending", 1)]
    assert not room.smtp.messages


def test_a_reply_refused_for_good_fails_alone(make_mailroom, db_url: str) -> None:
    room: Mailroom = make_mailroom(db_url)
    ids = _three_waiting(room)
    room.smtp.refuse_with = "550 5.1.1 no such user"

    done = deliver_many(room.ctx.db, Sender(room.ctx.settings), ids[:1])
    room.smtp.refuse_with = None
    rest = deliver_many(room.ctx.db, Sender(room.ctx.settings), ids)

    assert done[0].state == "failed" and "550" in (done[0].error or "")
    assert [d.state for d in rest] == ["failed", "sent", "sent"]
    assert len(room.smtp.messages) == 2


