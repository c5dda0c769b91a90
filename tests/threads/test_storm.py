"""An e-mail storm from one address (50 in a minute) yields one ticket thread and one
acknowledgement, however many workers carry the messages at once."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from intake.delivery import Sender, deliver, pending_outbox_ids
from intake.intents import Intent
from intake.pipeline import process_stored
from intake.rawstore import store_raw
from intake.store.models import TicketMessage
from tests.builders import citizen_mail
from tests.replies.helpers import Mailroom, verdict

STORM = 50
SENDER = "Amina Test <amina@example.com>"


def storm_mail(n: int, *, same_text: bool = True) -> bytes:
    subject = "Aanvraag F+ kaart" if same_text else f"Vraag {n}"
    body = (
        "Goedemorgen, ik wil graag mijn F kaart omzetten naar een F+ kaart."
        if same_text
        else f"Nog een vraag, nummer {n}."
    )
    return citizen_mail(
        subject=subject, body=body, sender=SENDER, message_id=f"<storm-{n}@example.com>"
    )


def messages_on_tickets(room: Mailroom) -> int:
    with room.ctx.db.session() as session:
        return session.scalar(select(func.count()).select_from(TicketMessage)) or 0


def test_a_storm_of_the_same_message_is_one_ticket_and_one_acknowledgement(
    mailroom: Mailroom,
) -> None:
    for n in range(STORM):
        mailroom.receive(storm_mail(n), verdict(Intent.FPLUS_CARD))

    (ticket,) = mailroom.tickets()
    assert messages_on_tickets(mailroom) == STORM  # every message kept, on the one ticket
    (reply,) = mailroom.replies()
    assert reply["Subject"].startswith(f"[{ticket.reference}]")


def test_a_storm_of_different_questions_is_still_one_thread(sqlite_mailroom: Mailroom) -> None:
    for n in range(STORM):
        sqlite_mailroom.receive(storm_mail(n, same_text=False), verdict(Intent.GENERAL_QUESTION))

    assert len(sqlite_mailroom.tickets()) == 1
    assert len(sqlite_mailroom.replies()) == 1


def test_a_storm_carried_by_many_workers_at_once_is_one_ticket_and_one_acknowledgement(
    mailroom: Mailroom,
) -> None:
    ctx = mailroom.ctx
    raw_ids = []
    for n in range(STORM):
        raw = storm_mail(n)
        mailroom.verdicts[f"storm-{n}@example.com"] = verdict(Intent.FPLUS_CARD)
        raw_ids.append(store_raw(ctx.db, raw, source="storm").raw_id)

    def work(raw_id: int) -> str:
        # As a queue would: a transaction that loses a race is retried.
        for attempt in range(10):
            try:
                return process_stored(ctx, raw_id).outcome
            except Exception:  # noqa: BLE001
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError(f"message {raw_id} never filed")

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(work, raw_ids))
    for outbox_id in pending_outbox_ids(ctx.db):
        deliver(ctx.db, Sender(ctx.settings), outbox_id)

    assert (
        sorted(set(outcomes)) == ["threaded", "ticket_opened"]
        and outcomes.count("ticket_opened") == 1
    )
    assert len(mailroom.tickets()) == 1
    assert messages_on_tickets(mailroom) == STORM
    assert len(mailroom.replies()) == 1


def test_a_flood_of_assorted_messages_stops_opening_tickets_and_is_flagged(
    sqlite_mailroom: Mailroom,
) -> None:
    room = sqlite_mailroom
    intents = [
        i for i in Intent if i.value not in ("auto_reply", "bounce", "spam", "status_followup")
    ]
    # Given ten messages in a minute about ten different things: ten tickets, five acknowledgements (the cap)
    for n, intent in enumerate(intents[:10]):
        room.receive(storm_mail(n, same_text=False), verdict(intent))
    assert len(room.tickets()) == 10
    assert len(room.replies()) == room.ctx.settings.max_acks_per_sender_per_day == 5

    # When yet another different one arrives in the same minutes
    outcome = room.receive(storm_mail(99, same_text=False), verdict(intents[10]))

    # Then it joins the newest ticket, which a human is asked to check
    assert outcome == "threaded"
    newest = room.tickets()[-1]
    assert (
        len(room.tickets()) == 10 and newest.needs_human and "storm" in (newest.flag_reason or "")
    )
    assert len(room.replies()) == 5
