"""The headers of our replies: RFC 3834, threading, our own signed Message-ID, and no header
from incoming mail able to smuggle a line into ours."""

from __future__ import annotations

import threading
import time
from email.header import Header

import pytest
from dramatiq import Worker

from intake.delivery import Sender, deliver
from intake.intents import Intent
from intake.replies import is_our_message_id, reference_from_message_id
from intake.tasks import build_actors, make_broker
from tests.builders import citizen_mail
from tests.replies.helpers import Mailroom, html_of, text_of, verdict

# The header names of an acknowledgement; nothing more may appear.
REPLY_HEADERS = {
    "from",
    "to",
    "reply-to",
    "subject",
    "date",
    "message-id",
    "in-reply-to",
    "references",
    "auto-submitted",
    "x-auto-response-suppress",
    "precedence",
    "mime-version",
    "content-type",
    "content-language",
}


def header_names(data: bytes) -> list[str]:
    head = data.split(b"\r\n\r\n", 1)[0].decode("ascii")
    return [
        line.split(":", 1)[0].lower()
        for line in head.split("\r\n")
        if line and line[0] not in " \t"
    ]


def test_a_reply_carries_the_headers_that_stop_mail_loops(make_mailroom, db_url: str) -> None:
    room: Mailroom = make_mailroom(
        db_url,
        office_name="Stad Gent Migratie",
        office_address="migratie@stad.gent",
        reply_to="antwoord@stad.gent",
    )

    _, message_id = room.write(
        as_=verdict(Intent.FPLUS_CARD),
        subject="Aanvraag F+ kaart",
        references="<root@example.com> <prev@example.com>",
    )

    (received,) = room.smtp.messages
    assert received.mail_from == "migratie@stad.gent" and received.rcpt_tos == ["amina@example.com"]
    reply = received.message
    assert reply["Auto-Submitted"] == "auto-replied"
    assert reply["X-Auto-Response-Suppress"] == "All"
    assert reply["Precedence"] == "auto_reply"
    assert reply["In-Reply-To"] == f"<{message_id}>"
    assert reply["References"] == f"<root@example.com> <prev@example.com> <{message_id}>"
    assert str(reply["From"]) == "Stad Gent Migratie <migratie@stad.gent>"
    assert str(reply["Reply-To"]) == "antwoord@stad.gent"
    (ticket,) = room.tickets()
    assert str(reply["Subject"]) == f"[{ticket.reference}] Re: Aanvraag F+ kaart"
    our_id = reply["Message-ID"].strip("<>")
    assert our_id.endswith("@stad.gent")
    assert is_our_message_id(room.ctx.settings, our_id)
    assert reference_from_message_id(room.ctx.settings, our_id) == ticket.reference
    tampered = our_id.replace(ticket.reference, "GNT-2026-999999")
    assert not is_our_message_id(room.ctx.settings, tampered)
    assert set(header_names(received.data)) <= REPLY_HEADERS


def test_the_message_id_stays_the_same_across_send_retries(sqlite_mailroom: Mailroom) -> None:
    room = sqlite_mailroom
    room.smtp.refuse_with = "451 4.3.0 try again later"
    room.write(as_=verdict(Intent.KL_CARD_SWITCH))
    (row,) = room.outbox()
    assert (row.state, row.attempts) == ("pending", 1)

    room.smtp.refuse_with = None
    assert deliver(room.ctx.db, Sender(room.ctx.settings), row.id) == "sent"

    (received,) = room.smtp.messages
    assert received.message["Message-ID"] == f"<{row.message_id}>"
    assert (
        received.data.replace(b"\r\n", b"\n").rstrip() == row.mime.replace(b"\r\n", b"\n").rstrip()
    )
    (sent,) = room.outbox()
    assert (sent.state, sent.attempts) == ("sent", 2)


def test_the_send_actor_retries_with_backoff_until_the_server_takes_the_reply(
    sqlite_mailroom: Mailroom,
) -> None:
    room = sqlite_mailroom
    room.smtp.refuse_with = "451 4.3.0 try again later"
    room.write(as_=verdict(Intent.KL_CARD_SWITCH))
    (row,) = room.outbox()
    broker = make_broker(None)
    actors = build_actors(broker, lambda: room.ctx)
    worker = Worker(broker, worker_timeout=50)
    worker.start()
    try:
        # Given the server refuses the first attempt and accepts from the second on
        threading.Timer(0.3, lambda: setattr(room.smtp, "refuse_with", None)).start()
        # When the actor is asked to send
        actors.send_reply.send(row.id)
        deadline = time.monotonic() + 20
        while not room.smtp.messages and time.monotonic() < deadline:
            time.sleep(0.1)
        broker.join("intake-send", timeout=20_000)
    finally:
        worker.stop()
    # Then exactly one copy arrives, with the Message-ID fixed when the reply was written
    (received,) = room.smtp.messages
    assert received.message["Message-ID"] == f"<{row.message_id}>"
    assert room.outbox()[0].state == "sent"


def _encoded(value: str, encoding: str) -> str:
    return (
        Header(value, "utf-8").encode(maxlinelen=10_000)
        if encoding == "b"
        else ("=?utf-8?q?" + "".join(c if c.isalnum() else f"={ord(c):02X}" for c in value) + "?=")
    )


@pytest.mark.parametrize("encoding", ["b", "q"])
def test_crlf_in_an_encoded_subject_or_display_name_cannot_add_headers(
    sqlite_mailroom: Mailroom, encoding: str
) -> None:
    room = sqlite_mailroom
    injection = "\r\nBcc: victim@example.net\r\nX-Injected: yes\r\n\r\nbody"
    raw = (
        f"From: {_encoded('Amina' + injection, encoding)} <amina@example.com>\r\n"
        "To: migratie@stad.gent\r\n"
        f"Subject: {_encoded('Aanvraag F+ kaart' + injection, encoding)}\r\n"
        "Message-ID: <injection@example.com>\r\n"
        "Date: Mon, 02 Nov 2026 09:30:00 +0000\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Goedemorgen, ik wil een F+ kaart.\r\n"
    ).encode()

    room.receive(raw, verdict(Intent.FPLUS_CARD))

    (received,) = room.smtp.messages
    assert received.rcpt_tos == ["amina@example.com"]
    names = header_names(received.data)
    assert "bcc" not in names and "x-injected" not in names
    assert set(names) <= REPLY_HEADERS
    assert len(names) == len(set(names))  # no header twice
    reply = received.message
    assert "\n" not in str(reply["Subject"]) and "\n" not in str(reply["To"])
    assert str(reply["Subject"]).endswith(
        "Aanvraag F+ kaart Bcc: victim@example.net X-Injected: yes body"
    )
    assert reply["To"].addresses[0].addr_spec == "amina@example.com"


def test_a_raw_message_id_with_spaces_is_not_copied_into_our_headers(
    sqlite_mailroom: Mailroom,
) -> None:
    room = sqlite_mailroom
    raw = citizen_mail(references="<good@example.com> <bad id@example.com>")
    raw = raw.replace(b"Message-ID: <", b"Message-ID: <broken> Bcc: x@example.net <", 1)

    room.receive(raw, verdict(Intent.FPLUS_CARD))

    (received,) = room.smtp.messages
    names = header_names(received.data)
    assert "bcc" not in names and set(names) <= REPLY_HEADERS
    assert "bad id" not in str(received.message["References"])


def test_a_link_in_the_display_name_is_not_reflected_in_the_reply(
    sqlite_mailroom: Mailroom,
) -> None:
    sqlite_mailroom.write(
        as_=verdict(Intent.FPLUS_CARD, "en"),
        sender='"Your account is blocked, see https://evil.example" <x@example.com>',
    )

    (reply,) = sqlite_mailroom.replies()
    assert "evil.example" not in text_of(reply)
    assert "evil.example" not in html_of(reply)
    assert text_of(reply).startswith("Dear Sir or Madam,")
    assert sqlite_mailroom.smtp.messages[0].rcpt_tos == ["x@example.com"]  # still answered
