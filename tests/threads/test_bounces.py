"""A hard bounce of one of our replies marks the address undeliverable on the ticket; no more
mail goes to it until the person writes to us from it again."""

from __future__ import annotations

import email
import email.policy

import pytest

from intake.bounces import read_bounce
from intake.intents import Intent
from tests.conftest import require_shared
from tests.replies.helpers import Mailroom, verdict

HAMID = "Hamid Rezaei <hamid@example.net>"
UNKNOWN_USER = "550 5.1.1 <hamid@example.net>: Recipient address rejected: User unknown in virtual mailbox table"


def returned_headers(reply: bytes) -> str:
    return reply.split(b"\r\n\r\n", 1)[0].decode("ascii")


def postfix_dsn(
    reply: bytes, recipient: str, status: str = "5.1.1", diagnostic: str = UNKNOWN_USER
) -> bytes:
    """A Postfix DSN: multipart/report with the returned message's headers only."""
    return (
        "Return-Path: <>\r\nFrom: MAILER-DAEMON@mx.example.net (Mail Delivery System)\r\n"
        "To: migratie@stad.gent\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <dsn-1@mx.example.net>\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\r\n"
        f"--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.net\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: {status}\r\n"
        f"Diagnostic-Code: smtp; {diagnostic}\r\n\r\n"
        f"--B\r\nContent-Type: text/rfc822-headers\r\n\r\n{returned_headers(reply)}\r\n\r\n--B--\r\n"
    ).encode()


def exchange_ndr(reply: bytes, recipient: str) -> bytes:
    """An Exchange NDR in Dutch: the whole returned message as message/rfc822, no Auto-Submitted."""
    return (
        (
            "Return-Path: <>\r\nFrom: Microsoft Outlook <postmaster@example.org>\r\nTo: migratie@stad.gent\r\n"
            "Subject: Onbestelbaar: uw bericht\r\nMessage-ID: <ndr-1@example.org>\r\nMIME-Version: 1.0\r\n"
            'Content-Type: multipart/report; report-type=delivery-status; boundary="N"\r\n\r\n'
            f"--N\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nLevering aan deze geadresseerden is mislukt:\r\n{recipient}\r\n\r\n"
            f"--N\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns;exchange.example.org\r\n\r\n"
            f"Final-Recipient: rfc822;{recipient}\r\nAction: failed\r\nStatus: 5.1.10\r\n"
            "Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound\r\n\r\n"
            "--N\r\nContent-Type: message/rfc822\r\n\r\n"
        ).encode()
        + reply
        + b"\r\n--N--\r\n"
    )


def qmail_notice(reply: bytes, recipient: str, *, keep_message_id: bool) -> bytes:
    """qmail's plain "failure notice": no MIME, the returned message pasted below a line."""
    copy = (
        reply
        if keep_message_id
        else b"\r\n".join(
            line for line in reply.split(b"\r\n") if not line.lower().startswith(b"message-id")
        )
    )
    return (
        "Return-Path: <>\r\nFrom: MAILER-DAEMON@example.com\r\nTo: migratie@stad.gent\r\n"
        "Subject: failure notice\r\nMessage-ID: <qmail-1@example.com>\r\n\r\n"
        "Hi. This is the qmail-send program at mail.example.com.\r\n"
        "I'm afraid I wasn't able to deliver your message to the following addresses.\r\n"
        "This is a permanent error; I've given up. Sorry it didn't work out.\r\n\r\n"
        f"<{recipient}>:\r\nSorry, no mailbox here by that name. (#5.1.1)\r\n\r\n"
        "--- Below this line is a copy of the message.\r\n\r\n"
    ).encode() + copy


def reply_notice(message_id: str, recipient: str) -> bytes:
    """A bounce that returns nothing but answers our message (In-Reply-To)."""
    return (
        f"From: postmaster@example.net\r\nTo: migratie@stad.gent\r\nSubject: Delivery failure\r\n"
        f"Message-ID: <notice-1@example.net>\r\nIn-Reply-To: {message_id}\r\n\r\n"
        f"Delivery to {recipient} failed permanently: 550 5.1.1 user unknown\r\n"
    ).encode()


def first_ack(room: Mailroom) -> tuple[bytes, str]:
    room.write(as_=verdict(Intent.FPLUS_CARD), sender=HAMID, subject="F+ kaart")
    (received,) = room.smtp.messages
    (ticket,) = room.tickets()
    return received.data, ticket.reference


@pytest.mark.parametrize("classified_as", [Intent.BOUNCE, Intent.AUTO_REPLY])
def test_a_hard_bounce_marks_the_address_undeliverable_until_the_person_writes_again(
    mailroom: Mailroom, classified_as: Intent
) -> None:
    room = mailroom
    reply, reference = first_ack(room)
    # A second case from the same address, whose acknowledgement the server holds back for now
    room.smtp.refuse_with = "451 4.3.0 try again later"
    room.write(as_=verdict(Intent.CARD_LOST), sender=HAMID, subject="Kaart kwijt")
    room.smtp.refuse_with = None

    # When the bounce of the first acknowledgement comes back
    outcome = room.receive(postfix_dsn(reply, "hamid@example.net"), verdict(classified_as, None))

    # Then the address is undeliverable, the ticket says so, and the waiting reply stays back
    assert outcome == "non_actionable"
    contact = room.contact("hamid@example.net")
    assert contact.undeliverable_since is not None and "5.1.1" in (
        contact.undeliverable_reason or ""
    )
    assert "User unknown" in (contact.undeliverable_reason or "")
    ticket = room.ticket(reference)
    assert ticket.needs_human and "reach the person another way" in (ticket.flag_reason or "")
    assert room.events(reference, "contact_undeliverable")
    (bounced,) = room.events(reference, "reply_bounced")
    assert bounced.data["permanent"] is True and bounced.data["status"] == "5.1.1"
    assert [o.state for o in room.outbox()] == ["bounced", "suppressed"]
    assert len(room.tickets()) == 2  # the bounce is filed on the first ticket, not a new one
    assert len(room.smtp.messages) == 1

    # A neighbour writing with Reply-To pointing there gets nothing sent to that address
    room.write(
        as_=verdict(Intent.GENERAL_QUESTION),
        sender="buur@example.net",
        headers={"Reply-To": "hamid@example.net"},
        subject="Vraag voor Hamid",
    )
    assert len(room.smtp.messages) == 1

    # When Hamid writes from his address again, mail to it works again
    room.write(as_=verdict(Intent.CARD_RENEWAL), sender=HAMID, subject="Kaart vernieuwen")
    assert room.contact("hamid@example.net").undeliverable_since is None
    assert room.smtp.messages[-1].rcpt_tos == ["hamid@example.net"] and len(room.smtp.messages) == 2


@pytest.mark.parametrize(
    "make_bounce",
    [
        pytest.param(
            lambda reply, mid: exchange_ndr(reply, "hamid@example.net"),
            id="exchange-returned-message",
        ),
        pytest.param(
            lambda reply, mid: qmail_notice(reply, "hamid@example.net", keep_message_id=True),
            id="qmail-with-copy",
        ),
        pytest.param(
            lambda reply, mid: qmail_notice(reply, "hamid@example.net", keep_message_id=False),
            id="qmail-recipient-only",
        ),
        pytest.param(lambda reply, mid: reply_notice(mid, "hamid@example.net"), id="in-reply-to"),
    ],
)
def test_the_bounced_reply_is_found_in_every_bounce_format(
    sqlite_mailroom: Mailroom, make_bounce
) -> None:
    reply, reference = first_ack(sqlite_mailroom)
    message_id = email.message_from_bytes(reply, policy=email.policy.default)["Message-ID"]

    sqlite_mailroom.receive(make_bounce(reply, message_id), verdict(Intent.BOUNCE, None))

    assert sqlite_mailroom.contact("hamid@example.net").undeliverable_since is not None
    assert sqlite_mailroom.events(reference, "contact_undeliverable")
    assert len(sqlite_mailroom.tickets()) == 1


def test_a_full_mailbox_is_noted_but_the_address_stays(sqlite_mailroom: Mailroom) -> None:
    reply, reference = first_ack(sqlite_mailroom)

    sqlite_mailroom.receive(
        postfix_dsn(
            reply, "hamid@example.net", status="5.2.2", diagnostic="552 5.2.2 Quota exceeded"
        ),
        verdict(Intent.BOUNCE, None),
    )

    assert sqlite_mailroom.contact("hamid@example.net").undeliverable_since is None
    (bounced,) = sqlite_mailroom.events(reference, "reply_bounced")
    assert bounced.data["permanent"] is False
    assert not sqlite_mailroom.ticket(reference).needs_human


def test_a_bounce_of_something_we_never_sent_changes_nobody(sqlite_mailroom: Mailroom) -> None:
    first_ack(sqlite_mailroom)
    foreign = postfix_dsn(
        b"Message-ID: <not-ours@example.com>\r\nTo: someone@example.org", "someone@example.org"
    )

    outcome = sqlite_mailroom.receive(foreign, verdict(Intent.BOUNCE, None))

    assert outcome == "non_actionable"
    assert sqlite_mailroom.contact("hamid@example.net").undeliverable_since is None
    assert [t.status for t in sqlite_mailroom.tickets()] == ["new", "closed"]
    assert len(sqlite_mailroom.smtp.messages) == 1


@pytest.mark.parametrize(
    "file,permanent,recipient,status",
    [
        ("d018.eml", False, "hamid.rezaei@example.net", "5.2.2"),  # Postfix, mailbox full
        ("d064.eml", True, "s.ahmadi@example.org", "5.1.10"),  # Exchange NDR in Dutch
        ("d086.eml", True, "nadia.el-hadi@example.com", "5.1.1"),  # qmail failure notice
    ],
)
def test_the_corpus_bounces_are_read(
    file: str, permanent: bool, recipient: str, status: str
) -> None:
    shared = require_shared()

    report = read_bounce((shared / "corpus" / "dev" / file).read_bytes())

    assert report is not None
    assert (report.permanent, report.recipients, report.status) == (permanent, (recipient,), status)
    assert report.message_ids and report.message_ids[0].startswith("migratie-")
    assert report.diagnostic


def test_an_ordinary_message_is_no_bounce(dev_corpus) -> None:
    assert read_bounce((dev_corpus / "d001.eml").read_bytes()) is None
