"""Hand replies from the outbox to SMTP, or write them as .eml files on the embedded default."""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
from datetime import timedelta
from email.parser import BytesHeaderParser
from pathlib import Path

from sqlalchemy import select

from intake.config import Settings
from intake.errors import DeliveryError, PermanentDeliveryError
from intake.store import Database
from intake.store.models import OutboxMessage, Ticket, utcnow
from intake.tickets import add_event

log = logging.getLogger(__name__)


class Sender:
    """Sends one message; SMTP when configured, else a file in the outbox folder."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def send(self, mime: bytes, to_addr: str, message_id: str) -> str:
        if self.settings.smtp_host:
            return self._send_smtp(mime, to_addr)
        return self._write_file(mime, message_id)

    def _write_file(self, mime: bytes, message_id: str) -> str:
        folder = Path(self.settings.outbox_dir)
        folder.mkdir(parents=True, exist_ok=True)
        name = "".join(c if c.isalnum() or c in "-._" else "_" for c in message_id.split("@")[0])
        target = folder / f"{name}.eml"
        tmp = target.with_suffix(".eml.tmp")
        tmp.write_bytes(mime)
        os.replace(tmp, target)  # atomic: a half-written reply is never seen
        return str(target)

    def _send_smtp(self, mime: bytes, to_addr: str) -> str:
        s = self.settings
        context = ssl.create_default_context()
        if not s.smtp_verify_tls:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        try:
            if s.smtp_security == "tls":
                client: smtplib.SMTP = smtplib.SMTP_SSL(s.smtp_host or "", s.smtp_port, timeout=s.smtp_timeout, context=context)
            else:
                client = smtplib.SMTP(s.smtp_host or "", s.smtp_port, timeout=s.smtp_timeout)
            with client:
                if s.smtp_security == "starttls":
                    client.starttls(context=context)
                if s.smtp_user:
                    client.login(s.smtp_user, s.smtp_password or "")
                client.sendmail(s.office_address, [to_addr], mime)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentDeliveryError(f"recipient refused: {exc.recipients}") from None
        except smtplib.SMTPResponseException as exc:
            if 500 <= exc.smtp_code < 600:
                raise PermanentDeliveryError(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from None
            raise DeliveryError(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"SMTP server {s.smtp_host}:{s.smtp_port} unreachable: {exc}") from None
        return f"smtp://{s.smtp_host}:{s.smtp_port}"


def deliver(db: Database, sender: Sender, outbox_id: int, *, max_attempts: int = 10) -> str:
    """Send one outbox row if still pending; returns its state afterwards. Idempotent."""
    with db.session() as session:
        row = session.get(OutboxMessage, outbox_id)
        if row is None or row.state != "pending":
            return row.state if row else "missing"
        mime, to_addr, message_id = row.mime, row.to_addr, row.message_id
    try:
        where = sender.send(mime, to_addr, message_id)
    except DeliveryError as exc:
        permanent = isinstance(exc, PermanentDeliveryError)
        with db.session() as session:
            row = session.get(OutboxMessage, outbox_id)
            assert row is not None
            row.attempts += 1
            row.last_error = str(exc)
            if permanent or row.attempts >= max_attempts:
                row.state = "failed"
                ticket = session.get(Ticket, row.ticket_id)
                if ticket is not None:
                    ticket.needs_human = True
                    ticket.flag_reason = f"reply could not be sent: {exc}"
                add_event(session, ticket, "reply_failed", outbox_id=row.id, error=str(exc))
            else:
                row.next_attempt_at = utcnow() + timedelta(seconds=min(3600, 10 * 2 ** row.attempts))
            state = row.state
        if state == "failed":
            return state
        raise
    with db.session() as session:
        row = session.get(OutboxMessage, outbox_id)
        assert row is not None
        row.state = "sent"
        row.sent_at = utcnow()
        row.attempts += 1
        ticket = session.get(Ticket, row.ticket_id)
        add_event(session, ticket, "replied", outbox_id=row.id, kind=row.kind, to=row.to_addr, via=where)
    return "sent"


def pending_outbox_ids(db: Database, *, due_only: bool = True, limit: int = 1000) -> list[int]:
    with db.session() as session:
        query = select(OutboxMessage.id).where(OutboxMessage.state == "pending")
        if due_only:
            query = query.where(OutboxMessage.next_attempt_at <= utcnow())
        return list(session.scalars(query.order_by(OutboxMessage.id).limit(limit)))


def read_headers(mime: bytes) -> dict[str, str]:
    """The headers of a stored reply, for display."""
    msg = BytesHeaderParser().parsebytes(mime)
    return {k: str(v) for k, v in msg.items()}
