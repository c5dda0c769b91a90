"""Hand replies from the outbox to SMTP, or write them as .eml files on the embedded default.

A reply is claimed (pending -> sending, committed) before it is handed to SMTP and marked sent
after, so two workers never send one reply twice. A worker that dies between the claim and the
mark leaves the row "sending"; the sweeper flags it for a human instead of sending it again,
because nobody can tell whether it went out: one citizen message, at most one acknowledgement.
"""

from __future__ import annotations

import functools
import logging
import os
import smtplib
import socket
import ssl
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.exc import DBAPIError, OperationalError

from intake.config import Settings
from intake.errors import DeliveryError, PermanentDeliveryError
from intake.store import Database
from intake.store.models import Event, OutboxMessage, RawMessage, Ticket, utcnow
from intake.tickets import add_event, event_values

log = logging.getLogger(__name__)


SENDING = "sending"
# Messages sent on one SMTP connection before it is renewed (some servers cap this).
MESSAGES_PER_CONNECTION = 100

T = TypeVar("T")


@functools.cache
def _local_hostname() -> str:
    # smtplib looks this up on every connection otherwise, which can take tens of milliseconds.
    return socket.getfqdn()


class _Connection:
    def __init__(self, client: smtplib.SMTP) -> None:
        self.client = client
        self.last_used = time.monotonic()
        self.sent = 0


class Sender:
    """Sends one message; SMTP when configured, else a file in the outbox folder.

    With ``reuse=True`` each thread keeps its SMTP connection open for the next message (while
    younger than ``smtp_reuse_seconds``); call ``close()`` when done. Without it, every message
    has its own connection, closed at once.
    """

    def __init__(self, settings: Settings, *, reuse: bool = False) -> None:
        self.settings = settings
        self.reuse = reuse
        self._local = threading.local()
        self._lock = threading.Lock()
        self._open: set[_Connection] = set()
        self._ssl_context: ssl.SSLContext | None = None

    def send(self, mime: bytes, to_addr: str, message_id: str) -> str:
        if self.settings.smtp_host:
            return self._send_smtp(mime, to_addr)
        return self._write_file(mime, message_id)

    def close(self) -> None:
        """Close every connection this sender keeps open (all threads)."""
        with self._lock:
            conns, self._open = list(self._open), set()
        for conn in conns:
            _quit(conn.client)

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
        try:
            conn, reused = self._connection()
            try:
                try:
                    self._mail_from(conn.client)
                except (smtplib.SMTPServerDisconnected, smtplib.SMTPSenderRefused, ConnectionError):
                    if not reused:
                        raise
                    # A kept connection the server has closed meanwhile; nothing was sent on it.
                    self._discard(conn)
                    conn, reused = self._connection()
                    self._mail_from(conn.client)
                self._rcpt_and_data(conn.client, mime, to_addr)
            except BaseException:
                self._discard(conn)
                raise
            conn.sent += 1
            conn.last_used = time.monotonic()
            if not self.reuse or conn.sent >= MESSAGES_PER_CONNECTION:
                self._discard(conn)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentDeliveryError(f"recipient refused: {exc.recipients}") from None
        except smtplib.SMTPResponseException as exc:
            if 500 <= exc.smtp_code < 600:
                raise PermanentDeliveryError(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from None
            raise DeliveryError(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"SMTP server {s.smtp_host}:{s.smtp_port} unreachable: {exc}") from None
        return f"smtp://{s.smtp_host}:{s.smtp_port}"

    def _connection(self) -> tuple[_Connection, bool]:
        conn: _Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            if self.reuse and time.monotonic() - conn.last_used < self.settings.smtp_reuse_seconds:
                return conn, True
            self._discard(conn)
        conn = _Connection(self._connect())
        self._local.conn = conn
        with self._lock:
            self._open.add(conn)
        return conn, False

    def _discard(self, conn: _Connection) -> None:
        if getattr(self._local, "conn", None) is conn:
            self._local.conn = None
        with self._lock:
            self._open.discard(conn)
        _quit(conn.client)

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        host, name = s.smtp_host or "", _local_hostname()
        if s.smtp_security == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                host, s.smtp_port, local_hostname=name, timeout=s.smtp_timeout, context=self._tls_context()
            )
        else:
            client = smtplib.SMTP(host, s.smtp_port, local_hostname=name, timeout=s.smtp_timeout)
        try:
            if s.smtp_security == "starttls":
                client.starttls(context=self._tls_context())
            if s.smtp_user:
                client.login(s.smtp_user, s.smtp_password or "")
            client.ehlo_or_helo_if_needed()
        except BaseException:
            _quit(client)
            raise
        return client

    def _tls_context(self) -> ssl.SSLContext:
        # Made once: loading the system's certificates takes tens of milliseconds.
        if self._ssl_context is None:
            context = ssl.create_default_context()
            if not self.settings.smtp_verify_tls:
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            self._ssl_context = context
        return self._ssl_context

    def _mail_from(self, client: smtplib.SMTP) -> None:
        code, resp = client.mail(self.settings.office_address)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, resp, self.settings.office_address)

    @staticmethod
    def _rcpt_and_data(client: smtplib.SMTP, mime: bytes, to_addr: str) -> None:
        code, resp = client.rcpt(to_addr)
        if code not in (250, 251):
            raise smtplib.SMTPRecipientsRefused({to_addr: (code, resp)})
        code, resp = client.data(mime)
        if code != 250:
            raise smtplib.SMTPDataError(code, resp)


def _quit(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except Exception:  # noqa: BLE001 - the connection is going away either way
        client.close()


@dataclass(frozen=True, slots=True)
class Delivery:
    """What became of one outbox row, with what the log line and the metrics need."""

    state: str  # sent | failed | pending (will be retried) | sending (another worker has it) | ...
    outbox_id: int
    kind: str | None = None
    reference: str | None = None
    # When the message this reply answers was stored: arrival-to-reply latency.
    arrived_at: datetime | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class _Claimed:
    ticket_id: int
    kind: str
    to_addr: str
    message_id: str
    mime: bytes
    reference: str | None
    arrived_at: datetime | None


def deliver(db: Database, sender: Sender, outbox_id: int, *, max_attempts: int = 10) -> str:
    """Send one outbox row if still pending; returns its state afterwards. Idempotent.

    A transient failure (``DeliveryError``) is re-raised after the row is put back to pending
    with its next attempt time, so the caller's retry can try again.
    """
    return deliver_reply(db, sender, outbox_id, max_attempts=max_attempts).state


def deliver_reply(
    db: Database, sender: Sender, outbox_id: int, *, max_attempts: int = 10, stale_after: float = 600.0
) -> Delivery:
    """``deliver`` with the details of what happened; ``stale_after`` bounds the claim."""
    done = deliver_many(db, sender, [outbox_id], max_attempts=max_attempts, stale_after=stale_after)[0]
    if done.state == "pending" and done.error is not None:
        raise DeliveryError(done.error)
    return done


def deliver_many(
    db: Database, sender: Sender, outbox_ids: Sequence[int], *, max_attempts: int = 10, stale_after: float = 600.0
) -> list[Delivery]:
    """Send several replies, one after another on the sender's connection. Idempotent.

    Each reply is claimed (committed "sending") just before it goes, so a crash leaves at most
    the one in hand uncertain; the ones sent are recorded together at the end. After a transient
    failure the rest are not tried: they come back "pending" without an error, to be retried
    later with the one that failed (which comes back "pending" with its error).
    """
    if not outbox_ids:
        return []
    details = _retrying_db(functools.partial(_details, db, outbox_ids))
    results: dict[int, Delivery] = {}
    sent: list[tuple[int, _Claimed, str]] = []
    try:
        with db.autocommit_engine.connect() as conn:
            for outbox_id in outbox_ids:
                claimed = _claim(conn, outbox_id, stale_after, details.get(outbox_id))
                if isinstance(claimed, str):
                    results[outbox_id] = Delivery(claimed, outbox_id)
                    continue
                try:
                    where = sender.send(claimed.mime, claimed.to_addr, claimed.message_id)
                except DeliveryError as exc:
                    state = _retrying_db(
                        functools.partial(_record_failure, db, outbox_id, claimed, exc, max_attempts)
                    )
                    results[outbox_id] = Delivery(
                        state, outbox_id, claimed.kind, claimed.reference, claimed.arrived_at, str(exc)
                    )
                    if state == "pending":
                        break  # the server is away: the rest wait with this one
                    continue
                except BaseException:
                    # Not an SMTP answer (a bug, an interrupt): nothing went out, so give the claim back.
                    _retrying_db(functools.partial(_unclaim, db, outbox_id))
                    raise
                sent.append((outbox_id, claimed, where))
                results[outbox_id] = Delivery("sent", outbox_id, claimed.kind, claimed.reference, claimed.arrived_at)
    except DBAPIError as exc:
        if not db_unavailable(exc):
            raise
        # The rest come back "pending" and are tried again later.
        log.warning("database unavailable while sending (%s); the rest of the replies wait", type(exc.orig).__name__)
    finally:
        if sent:
            _retrying_db(functools.partial(_record_sent, db, sent))
    return [results.get(i, Delivery("pending", i)) for i in outbox_ids]


def _details(db: Database, outbox_ids: Sequence[int]) -> dict[int, tuple[str | None, datetime | None]]:
    """For the log and the latency metric: each reply's ticket reference and when its message came."""
    with db.autocommit_engine.connect() as conn:
        rows = conn.execute(
            select(OutboxMessage.id, Ticket.reference, RawMessage.received_at)
            .join(Ticket, Ticket.id == OutboxMessage.ticket_id)
            .outerjoin(RawMessage, RawMessage.id == OutboxMessage.answers_raw_id)
            .where(OutboxMessage.id.in_(list(outbox_ids)))
        )
        return {outbox_id: (reference, arrived) for outbox_id, reference, arrived in rows}


_OUTBOX = OutboxMessage.__table__
# Built once: a statement run for every reply.
_CLAIM = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("b_id"), _OUTBOX.c.state == "pending")
    .values(state=SENDING, next_attempt_at=bindparam("b_due"))
    .returning(_OUTBOX.c.ticket_id, _OUTBOX.c.kind, _OUTBOX.c.to_addr, _OUTBOX.c.message_id, _OUTBOX.c.mime)
)


def _claim(
    conn: Connection, outbox_id: int, stale_after: float, details: tuple[str | None, datetime | None] | None
) -> _Claimed | str:
    """Mark one reply "sending" (committed at once: ``conn`` is in autocommit); of two workers
    racing for it, only one gets it."""
    row = conn.execute(_CLAIM, {"b_id": outbox_id, "b_due": utcnow() + timedelta(seconds=stale_after)}).one_or_none()
    if row is None:
        state = conn.scalar(select(_OUTBOX.c.state).where(_OUTBOX.c.id == outbox_id))
        return state or "missing"
    reference, arrived_at = details or (None, None)
    return _Claimed(*row, reference, arrived_at)


def _record_sent(db: Database, sent: list[tuple[int, _Claimed, str]]) -> None:
    with db.engine.begin() as conn:
        marked = set(
            conn.scalars(
                update(_OUTBOX)
                .where(_OUTBOX.c.id.in_([outbox_id for outbox_id, _, _ in sent]), _OUTBOX.c.state == SENDING)
                .values(state="sent", sent_at=utcnow(), attempts=_OUTBOX.c.attempts + 1)
                .returning(_OUTBOX.c.id)
            )
        )
        # A retry after a commit whose answer was lost finds them marked already: no second event.
        events = [
            event_values(c.ticket_id, "replied", outbox_id=outbox_id, kind=c.kind, to=c.to_addr, via=where)
            for outbox_id, c, where in sent
            if outbox_id in marked
        ]
        if events:
            conn.execute(insert(Event.__table__), events)


def _record_failure(db: Database, outbox_id: int, claimed: _Claimed, exc: DeliveryError, max_attempts: int) -> str:
    permanent = isinstance(exc, PermanentDeliveryError)
    with db.session() as session:
        row = session.get(OutboxMessage, outbox_id)
        if row is None or row.state != SENDING:
            return row.state if row else "missing"
        row.attempts += 1
        row.last_error = str(exc)
        if permanent or row.attempts >= max_attempts:
            row.state = "failed"
            ticket = session.get(Ticket, claimed.ticket_id)
            if ticket is not None:
                ticket.needs_human = True
                ticket.flag_reason = f"reply could not be sent: {exc}"
            add_event(session, ticket, "reply_failed", outbox_id=row.id, error=str(exc))
        else:
            row.state = "pending"
            row.next_attempt_at = utcnow() + timedelta(seconds=min(3600, 10 * 2**row.attempts))
        return row.state


def _unclaim(db: Database, outbox_id: int) -> None:
    with db.session() as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == outbox_id, OutboxMessage.state == SENDING)
            .values(state="pending", next_attempt_at=utcnow())
        )


def flag_stale_sending(db: Database) -> list[int]:
    """Replies left "sending" by a worker that died: flag them for a human, never resend.

    Nobody knows whether such a reply reached the SMTP server, and a second copy would break
    the promise of at most one acknowledgement; a person checks and answers by hand. A claim
    is stale once its ``next_attempt_at`` (set to claim time + ``stale_after``) has passed.
    """
    now = utcnow()
    with db.session() as session:
        rows = list(
            session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.state == SENDING, OutboxMessage.next_attempt_at <= now)
                .with_for_update(skip_locked=True)
                .limit(1000)
            )
        )
        for row in rows:
            row.state = "failed"
            row.last_error = "the worker stopped while sending; not resent, it may have gone out"
            ticket = session.get(Ticket, row.ticket_id)
            if ticket is not None:
                ticket.needs_human = True
                ticket.flag_reason = f"{row.kind} reply may not have been sent (worker stopped while sending)"
            add_event(session, ticket, "reply_uncertain", outbox_id=row.id, kind=row.kind)
        return [row.id for row in rows]


def db_unavailable(exc: DBAPIError) -> bool:
    """The database connection dropped or was refused (it may come back), not a bad statement."""
    return isinstance(exc, OperationalError) or exc.connection_invalidated


def _retrying_db(work: Callable[[], T], *, attempts: int = 8) -> T:
    """Run a short transaction again when the database connection dropped (it may come back)."""
    delay = 0.2
    for attempt in range(attempts):
        try:
            return work()
        except DBAPIError as exc:
            if not db_unavailable(exc) or attempt == attempts - 1:
                raise
            log.warning("database unavailable (%s); trying again in %.1fs", type(exc.orig).__name__, delay)
            time.sleep(delay)
            delay = min(delay * 2, 5.0)
    raise AssertionError("unreachable")


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
