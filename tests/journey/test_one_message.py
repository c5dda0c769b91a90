"""One message's whole journey on the embedded default: file -> ticket -> attachments -> reply."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

from sqlalchemy import select

from intake.ingest import ingest
from intake.sources import RawSource
from intake.store.models import AttachmentBlob, MessageAttachment, OutboxMessage, RawMessage, Ticket
from tests.builders import TINY_PDF, citizen_mail


def _ingest(ctx, raw: bytes, origin: str = "test.eml"):
    return ingest(ctx, [RawSource(origin, raw)]).as_dict()


def test_a_citizen_mail_becomes_a_ticket_with_its_attachment_and_an_acknowledgement_file(context, tmp_path: Path) -> None:
    raw = citizen_mail(
        subject="Aanvraag F+ kaart",
        message_id="<citizen-1@example.com>",
        references="<earlier-0@example.com>",
        attachments=[("verblijfskaart.pdf", "application/pdf", TINY_PDF)],
    )

    summary = _ingest(context, raw)

    assert summary == {"messages": 1, "tickets_opened": 1, "threaded": 0, "non_actionable": 0, "duplicates": 0, "failed": 0}
    with context.db.session() as session:
        ticket = session.scalars(select(Ticket)).one()
        assert ticket.reference.startswith("GNT-")
        assert ticket.intent == "fplus_card" and ticket.queue == "kaarten-email"
        stored = session.scalars(select(RawMessage)).one()
        assert stored.raw == raw and stored.message_id == "citizen-1@example.com"
        attachment = session.scalars(select(MessageAttachment)).one()
        assert attachment.filename == "verblijfskaart.pdf"
        assert session.get(AttachmentBlob, attachment.sha256).data == TINY_PDF
        reply_row = session.scalars(select(OutboxMessage)).one()
        assert reply_row.state == "sent" and reply_row.kind == "ack"

    files = list((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 1
    reply = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert reply["In-Reply-To"] == "<citizen-1@example.com>"
    assert reply["References"].split() == ["<earlier-0@example.com>", "<citizen-1@example.com>"]
    assert reply["Auto-Submitted"] == "auto-replied"
    assert reply["To"].addresses[0].addr_spec == "amina@example.com"
    assert reply["Subject"] == f"[{ticket.reference}] Re: Aanvraag F+ kaart"
    text = reply.get_body(("plain",)).get_content()
    assert ticket.reference in text
    assert "geen afspraak" in text  # the F+ card is handled by e-mail, no appointment
    assert "niet opnieuw te mailen" in text
    html = reply.get_body(("html",)).get_content()
    assert ticket.reference in html


def test_the_same_attachment_arriving_twice_is_stored_once(context) -> None:
    for n in range(2):
        raw = citizen_mail(
            subject=f"F+ kaart {n}", sender=f"person{n}@example.com",
            attachments=[("scan.pdf", "application/pdf", TINY_PDF)],
        )
        _ingest(context, raw, f"m{n}.eml")

    with context.db.session() as session:
        assert len(session.scalars(select(MessageAttachment)).all()) == 2
        assert len(session.scalars(select(AttachmentBlob)).all()) == 1


def test_bytes_that_are_not_mail_still_become_a_flagged_ticket_with_the_bytes_kept(context) -> None:
    raw = b"\x00\xff\xfe garbage that is no e-mail at all \x00" * 20

    summary = _ingest(context, raw, "junk.bin")

    assert summary["failed"] == 0 and summary["messages"] == 1
    with context.db.session() as session:
        stored = session.scalars(select(RawMessage)).one()
        assert stored.raw == raw and stored.ticket_id is not None
        ticket = session.get(Ticket, stored.ticket_id)
        assert ticket.needs_human and ticket.flag_reason


def test_a_message_over_the_size_limit_becomes_a_flagged_ticket_with_its_bytes(db_url, make_context) -> None:
    ctx = make_context(db_url, max_message_bytes=2000)
    raw = citizen_mail(subject="Aanvraag F+ kaart", body="x" * 5000)

    summary = _ingest(ctx, raw)

    assert summary["tickets_opened"] == 1
    with ctx.db.session() as session:
        ticket = session.scalars(select(Ticket)).one()
        assert ticket.needs_human and "over the limit" in ticket.flag_reason
        assert session.scalars(select(RawMessage)).one().raw == raw


def test_an_auto_reply_is_filed_but_never_answered(context, tmp_path: Path) -> None:
    raw = citizen_mail(subject="Out of office", body="I am away.", headers={"Auto-Submitted": "auto-replied"})

    summary = _ingest(context, raw)

    assert summary["non_actionable"] == 1
    with context.db.session() as session:
        assert session.scalars(select(OutboxMessage)).all() == []
    assert not list((tmp_path / "outbox").glob("*.eml"))


def test_the_acknowledgement_arrives_at_a_real_smtp_server(db_url, make_context, smtp_server) -> None:
    ctx = make_context(db_url, **smtp_server.settings())
    raw = citizen_mail(subject="Aanvraag F+ kaart", message_id="<smtp-1@example.com>")

    _ingest(ctx, raw)

    assert len(smtp_server.messages) == 1
    received = smtp_server.messages[0]
    assert received.rcpt_tos == ["amina@example.com"]
    assert received.message["In-Reply-To"] == "<smtp-1@example.com>"
    assert received.message["Auto-Submitted"] == "auto-replied"


def test_a_reply_that_cannot_be_sent_waits_in_the_outbox_and_the_message_is_not_lost(db_url, make_context) -> None:
    # Port 9 on loopback: nothing listens, the SMTP connection is refused.
    ctx = make_context(db_url, smtp_host="127.0.0.1", smtp_port=9, smtp_security="none")

    summary = _ingest(ctx, citizen_mail(subject="Aanvraag F+ kaart"))

    assert summary["tickets_opened"] == 1
    with ctx.db.session() as session:
        row = session.scalars(select(OutboxMessage)).one()
        assert row.state == "pending" and row.attempts == 1 and "unreachable" in row.last_error
