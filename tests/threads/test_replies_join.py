"""A reply to one of our messages joins its ticket: no second ticket, no new acknowledgement."""

from __future__ import annotations

from intake.intents import Intent
from intake.statuses import TicketStatus
from tests.builders import TINY_PDF
from tests.replies.helpers import ADDED_TO_FILE, Mailroom, text_of, verdict

PDF = ("cgvs-beslissing.pdf", "application/pdf", TINY_PDF)


def test_a_reply_with_our_reference_in_the_subject_joins_the_ticket(mailroom: Mailroom) -> None:
    mailroom.write(as_=verdict(Intent.KL_CARD_SWITCH), subject="Aanvraag L kaart")
    (_ack,) = mailroom.replies()
    (ticket,) = mailroom.tickets()

    # The citizen writes a new mail (no threading headers), with the reference in the subject
    outcome, _ = mailroom.write(
        as_=verdict(Intent.GENERAL_QUESTION),
        subject=f"Vraag over {ticket.reference}",
        body="Hoe lang duurt het nog?",
    )

    assert outcome == "threaded"
    assert [t.reference for t in mailroom.tickets()] == [ticket.reference]
    assert len(mailroom.replies()) == 1  # no new acknowledgement
    assert [e.data["how"] for e in mailroom.events(ticket.reference, "joined")] == ["threaded"]


def test_a_reply_to_our_message_id_joins_the_ticket(mailroom: Mailroom) -> None:
    mailroom.write(as_=verdict(Intent.FPLUS_CARD), subject="F+ kaart")
    (ack,) = mailroom.replies()

    # A phone client that drops the subject tag but keeps In-Reply-To
    outcome, _ = mailroom.write(
        as_=verdict(Intent.GENERAL_QUESTION),
        subject="Re: F+ kaart",
        in_reply_to=ack["Message-ID"],
        sender="Someone Else <other@example.org>",
        body="Ik help mijn buurvrouw, hier is nog info.",
    )

    assert outcome == "threaded"
    assert len(mailroom.tickets()) == 1
    assert len(mailroom.replies()) == 1


def test_a_message_id_that_only_looks_like_ours_does_not_join(sqlite_mailroom: Mailroom) -> None:
    room = sqlite_mailroom
    room.write(as_=verdict(Intent.FPLUS_CARD), subject="F+ kaart")
    (ticket,) = room.tickets()
    forged = f"<{ticket.reference}.ack.0000000000.0000000000000000@stad.gent>"

    outcome, _ = room.write(
        as_=verdict(Intent.CARD_LOST),
        subject="Re: kaart kwijt",
        in_reply_to=forged,
        references=forged,
        sender="stranger@example.net",
    )

    assert outcome == "ticket_opened"
    assert len(room.tickets()) == 2


def test_documents_arriving_move_a_waiting_ticket_back_to_the_queue(mailroom: Mailroom) -> None:
    # Given a refugee data update without the CGRS documents: the ticket waits for them
    mailroom.write(
        as_=verdict(Intent.REFUGEE_DATA_UPDATE, missing_documents=True),
        subject="Wijziging geboortedatum",
        body="Mijn geboortedatum is fout, het CGVS heeft ze aangepast.",
    )
    (ack,) = mailroom.replies()
    (ticket,) = mailroom.tickets()
    assert ticket.status == TicketStatus.WAITING_FOR_DOCUMENTS and ticket.missing_documents
    assert "door op deze e-mail te antwoorden" in text_of(ack)

    # When the citizen replies to our e-mail with the documents
    outcome, _ = mailroom.write(
        as_=verdict(Intent.REFUGEE_DATA_UPDATE),
        subject=f"Re: {ack['Subject']}",
        in_reply_to=ack["Message-ID"],
        references=ack["Message-ID"],
        body="Hierbij de documenten.",
        attachments=[PDF],
    )

    # Then the ticket is back in the team's queue, with no new acknowledgement
    assert outcome == "threaded"
    ticket = mailroom.ticket(ticket.reference)
    assert ticket.status == TicketStatus.OPEN and not ticket.missing_documents
    (change,) = mailroom.events(ticket.reference, "status_changed")
    assert change.data == {
        "old": "waiting_for_documents",
        "new": "open",
        "reason": "documents received",
    }
    assert len(mailroom.replies()) == 1


def test_a_reply_without_documents_reopens_but_keeps_asking_for_them(
    sqlite_mailroom: Mailroom,
) -> None:
    room = sqlite_mailroom
    room.write(
        as_=verdict(Intent.REFUGEE_DATA_UPDATE, missing_documents=True), subject="Naam wijzigen"
    )
    (ack,) = room.replies()

    room.write(
        as_=verdict(Intent.GENERAL_QUESTION),
        subject=f"Re: {ack['Subject']}",
        in_reply_to=ack["Message-ID"],
        body="Ik heb die documenten niet meer, wat moet ik doen?",
    )

    (ticket,) = room.tickets()
    assert ticket.status == TicketStatus.OPEN and ticket.missing_documents


def test_at_most_one_added_to_your_file_per_ticket_per_day(sqlite_mailroom: Mailroom) -> None:
    room = sqlite_mailroom
    room.write(as_=verdict(Intent.FPLUS_CARD, "fr"), subject="Carte F+")
    (ack,) = room.replies()

    def answer_ack(body: str, **mail: object) -> None:
        room.write(
            as_=verdict(Intent.FPLUS_CARD, "fr"),
            subject=f"Re: {ack['Subject']}",
            in_reply_to=ack["Message-ID"],
            body=body,
            **mail,
        )

    # A reply minutes later: the acknowledgement just said all there is to say
    answer_ack("J'oubliais: mon adresse a changé.")
    assert len(room.replies()) == 1

    # Hours later: one short "added to your file", in the ticket's language
    room.age_replies(hours=3)
    answer_ack(
        "Voici une photo de ma carte.",
        attachments=[("carte.jpg", "image/jpeg", b"\xff\xd8\xff" * 100)],
    )
    added = room.replies()[-1]
    assert len(room.replies()) == 2
    assert ADDED_TO_FILE["fr"] in text_of(added) and "et ses pièces jointes" in text_of(added)
    (ticket,) = room.tickets()
    assert str(added["Subject"]).startswith(f"[{ticket.reference}] Re: Carte F+")

    # Later the same day: nothing more
    room.age_replies(hours=3)
    answer_ack("Encore une chose.")
    assert len(room.replies()) == 2
    assert [o.kind for o in room.outbox()] == ["ack", "added"]
    reasons = [e.data["reason"] for e in room.events(ticket.reference, "reply_suppressed")]
    assert reasons == [
        "answered on this ticket less than an hour ago",
        "already told today that messages are added to this file",
    ]
