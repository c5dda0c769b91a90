"""The same sender writing again about the same case joins the open ticket; a message about
another person or another case opens its own, so two people's files are never merged."""

from __future__ import annotations

import pytest

from intake.intents import Intent
from intake.persons import Relation, persons_in, relation
from intake.statuses import TicketStatus
from tests.replies.helpers import ADDED_TO_FILE, Mailroom, text_of, verdict

SOCIAL_WORKER = "Sofie De Smet - OCMW Gent <sofie.desmet@example.org>"


def _ask_fplus_cards_for_two_clients(room: Mailroom) -> None:
    """The social worker asks an F+ card for Yusuf Haddad, then one for Mariam Haddad."""
    for client in ("Yusuf Haddad", "Mariam Haddad"):
        room.write(
            as_=verdict(Intent.FPLUS_CARD),
            sender=SOCIAL_WORKER,
            subject="F+ kaart",
            body=f"Graag een F+ kaart voor mijn cliënt {client}.",
        )


def test_the_same_sender_about_the_same_case_joins_the_open_ticket(mailroom: Mailroom) -> None:
    mailroom.write(
        as_=verdict(Intent.CARD_RENEWAL),
        subject="Verblijfskaart vervalt",
        body="Mijn verblijfskaart vervalt volgende maand. Wat moet ik doen?",
    )

    outcome, _ = mailroom.write(
        as_=verdict(Intent.CARD_RENEWAL),
        subject="kaart vernieuwen",
        body="Hallo, ik heb nog geen afspraak kunnen maken voor mijn nieuwe kaart.",
    )

    assert outcome == "threaded"
    (ticket,) = mailroom.tickets()
    assert [e.data["how"] for e in mailroom.events(ticket.reference, "joined")] == ["same_case"]
    assert len(mailroom.events(ticket.reference, "classified")) == 2  # both messages on it


def test_writing_again_hours_later_hears_it_was_added_to_the_existing_file(
    sqlite_mailroom: Mailroom,
) -> None:
    room = sqlite_mailroom
    room.write(
        as_=verdict(Intent.CHILD_CARD, "en"), subject="Card for my baby", body="I need a Kids-ID."
    )
    room.age_replies(hours=5)

    room.write(
        as_=verdict(Intent.CHILD_CARD, "en"),
        subject="Card for my baby?",
        body="Did you get my e-mail?",
    )

    _ack, added = room.replies()
    (ticket,) = room.tickets()
    assert ADDED_TO_FILE["en"] in text_of(added) and ticket.reference in text_of(added)
    assert "/afspraak/" not in text_of(added)


def test_another_intent_from_the_same_sender_opens_its_own_ticket(
    sqlite_mailroom: Mailroom,
) -> None:
    room = sqlite_mailroom
    room.write(as_=verdict(Intent.FPLUS_CARD), subject="F+ kaart")

    outcome, _ = room.write(as_=verdict(Intent.CARD_LOST), subject="Kaart verloren")

    assert outcome == "ticket_opened"
    assert [t.intent for t in room.tickets()] == ["fplus_card", "card_lost"]
    assert len(room.replies()) == 2


def test_a_social_worker_writing_for_two_people_gets_two_tickets(mailroom: Mailroom) -> None:
    mailroom.write(
        as_=verdict(Intent.FPLUS_CARD),
        sender=SOCIAL_WORKER,
        subject="Aanvraag F+ kaart",
        body="Goedemorgen, graag een F+ kaart voor mijn cliënt Yusuf Haddad, geboren op 04/07/1988.",
    )

    outcome, _ = mailroom.write(
        as_=verdict(Intent.FPLUS_CARD),
        sender=SOCIAL_WORKER,
        subject="Aanvraag F+ kaart",
        body="Goedemorgen, graag ook een F+ kaart voor mijn cliënte Mariam Haddad, geboren op 19/11/1990.",
    )

    assert outcome == "ticket_opened"
    assert len(mailroom.tickets()) == 2
    assert len(mailroom.replies()) == 2  # each file its own acknowledgement


def test_the_same_client_named_again_joins_that_clients_ticket(sqlite_mailroom: Mailroom) -> None:
    room = sqlite_mailroom
    _ask_fplus_cards_for_two_clients(room)

    outcome, _ = room.write(
        as_=verdict(Intent.STATUS_FOLLOWUP),
        sender=SOCIAL_WORKER,
        subject="Stand van zaken",
        body="Is er al nieuws over het dossier van Yusuf Haddad?",
    )

    assert outcome == "threaded"
    yusuf, mariam = room.tickets()
    assert len(room.events(yusuf.reference, "joined")) == 1
    assert room.events(mariam.reference, "joined") == []


def test_an_unnamed_follow_up_with_two_open_files_opens_a_ticket_of_its_own(
    sqlite_mailroom: Mailroom,
) -> None:
    room = sqlite_mailroom
    _ask_fplus_cards_for_two_clients(room)

    outcome, _ = room.write(
        as_=verdict(Intent.STATUS_FOLLOWUP),
        sender=SOCIAL_WORKER,
        subject="Nieuws?",
        body="Ik heb nog niets gehoord, is er al nieuws?",
    )

    assert outcome == "ticket_opened"
    assert [t.intent for t in room.tickets()] == ["fplus_card", "fplus_card", "status_followup"]


def test_a_follow_up_joins_the_one_open_file_of_the_sender(sqlite_mailroom: Mailroom) -> None:
    room = sqlite_mailroom
    room.write(
        as_=verdict(Intent.ORANGE_CARD), subject="Oranje kaart", body="Mijn oranje kaart vervalt."
    )

    outcome, _ = room.write(
        as_=verdict(Intent.STATUS_FOLLOWUP),
        subject="Geen antwoord",
        body="Ik schreef vorige week, nog geen antwoord.",
    )

    assert outcome == "threaded"
    assert len(room.tickets()) == 1


@pytest.mark.parametrize(
    "intent,sender,subject,first,second",
    [
        pytest.param(
            Intent.CHILD_CARD,
            "Karim <karim@example.com>",
            "Kids-ID",
            "Een kaart voor mijn zoon Adam, geboren op 01/06/2019.",
            "En ook een kaart voor mijn dochter Lina, geboren op 12/02/2021.",
            id="a-relative-writing-for-a-second-family-member",
        ),
        pytest.param(
            Intent.REGISTRATION,
            "vrijwilliger@example.net",
            "Inschrijving",
            "Inschrijving voor rijksregisternummer 85.07.30-033.28 graag.",
            "Inschrijving voor rijksregisternummer 90.02.01-997.04.",
            id="a-different-national-register-number",
        ),
    ],
)
def test_the_same_sender_and_intent_about_another_person_opens_a_ticket(
    sqlite_mailroom: Mailroom, intent: Intent, sender: str, subject: str, first: str, second: str
) -> None:
    room = sqlite_mailroom
    room.write(as_=verdict(intent), sender=sender, subject=subject, body=first)

    outcome, _ = room.write(as_=verdict(intent), sender=sender, subject=subject, body=second)

    assert outcome == "ticket_opened"
    assert len(room.tickets()) == 2


def test_a_closed_ticket_is_not_joined_by_a_new_message(sqlite_mailroom: Mailroom) -> None:
    room = sqlite_mailroom
    room.write(as_=verdict(Intent.FPLUS_CARD), subject="F+ kaart")
    with room.ctx.db.session() as session:
        from intake.store.models import Ticket

        session.get(Ticket, room.tickets()[0].id).status = TicketStatus.CLOSED.value

    outcome, _ = room.write(
        as_=verdict(Intent.FPLUS_CARD), subject="Nog een F+ kaart", body="Nieuwe vraag."
    )

    assert outcome == "ticket_opened"


# --- who a message is about ----------------------------------------------------------------


@pytest.mark.parametrize(
    "first,second,expected",
    [
        (
            "F+ kaart voor mijn cliënt Jan Peeters",
            "F+ kaart voor mijn cliënte Fatima Zahra",
            Relation.OTHER,
        ),
        ("F+ kaart voor mijn cliënt Jan Peeters", "Nog nieuws over Jan Peeters?", Relation.SAME),
        ("F+ kaart voor mijn cliënt Jan Peeters", "Nog nieuws?", Relation.UNKNOWN),
        ("Ik wil een F+ kaart.", "Wanneer krijg ik mijn F+ kaart?", Relation.SAME),
        ("Ik wil een F+ kaart.", "En een F+ kaart voor my son Omar please", Relation.OTHER),
        ("My date of birth: 03/03/1990", "I was born on 1990-03-03, any news?", Relation.SAME),
        ("Client born on 03/03/1990", "Client born on 04/04/1992", Relation.OTHER),
        ("rijksregisternummer 85.07.30-033.28", "RRN 85073003328", Relation.SAME),
        (
            "Pour ma fille Salma Benali, née le 2 mars 2015",
            "Pour mon fils Karim Benali",
            Relation.OTHER,
        ),
        ("Мій син Андрій потребує картку", "Моя донька Олена потребує картку", Relation.OTHER),
    ],
)
def test_who_a_message_is_about(first: str, second: str, expected: Relation) -> None:
    assert relation(persons_in(first), persons_in(second), second) is expected


def test_a_dotted_national_register_number_is_read_as_its_digits() -> None:
    assert persons_in("rijksregisternummer 90.02.01-997.04").register_numbers == {"90020199704"}


def test_the_writer_naming_themself_is_not_another_person() -> None:
    persons = persons_in("Naam: Amina Test\nIk wil een F+ kaart.", sender_name="Amina Test")
    assert persons.empty


def test_a_greeting_to_a_team_member_is_not_the_person_of_the_case() -> None:
    assert persons_in("Beste mevrouw Janssens, Dear Mr. Peeters,").empty


def test_quoted_earlier_mail_does_not_count() -> None:
    text = "Nog nieuws?\n\nOp 2 nov. 2026 schreef Dienst Migratie:\n> voor mijn cliënt Jan Peeters"
    assert persons_in(text).empty
