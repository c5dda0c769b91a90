"""Never answer automatic mail, our own address, or beyond the daily cap per sender."""

from __future__ import annotations

import pytest

from intake.intents import Intent
from intake.replies import make_message_id
from tests.replies.helpers import Mailroom, verdict


@pytest.mark.parametrize("intent", [Intent.AUTO_REPLY, Intent.BOUNCE, Intent.SPAM])
def test_automatic_mail_and_spam_are_filed_without_a_reply(
    sqlite_mailroom: Mailroom, intent: Intent
) -> None:
    outcome, _ = sqlite_mailroom.write(
        as_=verdict(intent, None),
        subject="Out of office",
        headers={"Auto-Submitted": "auto-replied"},
    )

    assert outcome == "non_actionable"
    (ticket,) = sqlite_mailroom.tickets()
    assert ticket.status == "closed"
    assert sqlite_mailroom.smtp.messages == []


def test_an_out_of_office_answer_to_our_reply_joins_its_ticket_quietly(
    sqlite_mailroom: Mailroom,
) -> None:
    room = sqlite_mailroom
    room.write(as_=verdict(Intent.FPLUS_CARD), subject="F+ kaart")
    (ack,) = room.replies()
    (ticket,) = room.tickets()

    outcome, _ = room.write(
        as_=verdict(Intent.AUTO_REPLY, None),
        subject=f"Automatisch antwoord: {ack['Subject']}",
        in_reply_to=ack["Message-ID"],
        headers={"Auto-Submitted": "auto-replied"},
        body="Ik ben afwezig.",
    )

    assert outcome == "non_actionable"
    assert [t.reference for t in room.tickets()] == [ticket.reference]
    assert room.ticket(ticket.reference).status == ticket.status
    assert len(room.replies()) == 1


def test_a_storm_of_out_of_office_replies_is_one_closed_ticket(sqlite_mailroom: Mailroom) -> None:
    for n in range(10):
        sqlite_mailroom.write(
            as_=verdict(Intent.AUTO_REPLY, None), subject=f"Afwezig {n}", sender="bot@example.org"
        )

    (ticket,) = sqlite_mailroom.tickets()
    assert ticket.status == "closed"
    assert sqlite_mailroom.smtp.messages == []


@pytest.mark.parametrize(
    "sender",
    [
        "Dienst Migratie <migratie@stad.gent>",
        "collega@stad.gent",
        "MAILER-DAEMON@mx.example.net",
        "no-reply@example.com",
    ],
)
def test_our_own_address_and_mail_systems_get_no_reply(
    sqlite_mailroom: Mailroom, sender: str
) -> None:
    outcome, _ = sqlite_mailroom.write(
        as_=verdict(Intent.GENERAL_QUESTION), sender=sender, subject="Vraag"
    )

    assert outcome == "ticket_opened"  # filed for the team, as everything is
    assert sqlite_mailroom.smtp.messages == []
    (ticket,) = sqlite_mailroom.tickets()
    (suppressed,) = sqlite_mailroom.events(ticket.reference, "reply_suppressed")
    assert suppressed.data["kind"] == "ack"


def test_our_own_reply_coming_back_gets_no_reply(sqlite_mailroom: Mailroom) -> None:
    own_id = make_message_id(sqlite_mailroom.ctx.settings, "GNT-2026-000042", "ack")

    outcome, _ = sqlite_mailroom.write(
        as_=verdict(Intent.GENERAL_QUESTION), message_id=f"<{own_id}>", sender="relay@example.com"
    )

    assert outcome == "ticket_opened"  # filed for the team, as everything is
    assert sqlite_mailroom.smtp.messages == []
    (ticket,) = sqlite_mailroom.tickets()
    (suppressed,) = sqlite_mailroom.events(ticket.reference, "reply_suppressed")
    assert suppressed.data["kind"] == "ack"


def test_no_more_than_the_daily_number_of_acknowledgements_per_sender(
    make_mailroom, db_url: str
) -> None:
    room: Mailroom = make_mailroom(db_url, max_acks_per_sender_per_day=3)
    intents = [
        Intent.FPLUS_CARD,
        Intent.CARD_LOST,
        Intent.CHILD_CARD,
        Intent.GUARANTOR,
        Intent.REGISTRATION,
    ]

    for intent in intents:
        room.write(as_=verdict(intent), subject=intent.value)

    assert len(room.tickets()) == 5
    assert len(room.replies()) == 3
    last = room.tickets()[-1]
    (suppressed,) = room.events(last.reference, "reply_suppressed")
    assert suppressed.data["reason"] == "daily limit of 3 acknowledgements reached"


@pytest.mark.parametrize("address", ["amina@exämple.com", "amina@localhost", "a..b@example.com"])
def test_an_address_we_cannot_send_to_gets_no_reply_but_a_ticket(
    sqlite_mailroom: Mailroom, address: str
) -> None:
    outcome, _ = sqlite_mailroom.write(as_=verdict(Intent.FPLUS_CARD), sender=f"Amina <{address}>")

    assert outcome == "ticket_opened"
    assert sqlite_mailroom.smtp.messages == []
