"""The tables: raw messages, tickets and their messages, attachments, contacts, events, outbox."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class Stamp(TypeDecorator[datetime]):
    """A UTC timestamp that comes back timezone-aware on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class CleanText(TypeDecorator[str]):
    """Text from mail, with NUL characters (which PostgreSQL refuses) shown as U+FFFD."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: object) -> str | None:
        return value.replace("\x00", "\ufffd") if value else value


# Integer primary keys that autoincrement on SQLite too (BigInteger does not there).
Id = BigInteger().with_variant(Integer(), "sqlite")


class RawMessage(Base):
    """The bytes as they arrived, stored before anything else happens to them."""

    __tablename__ = "raw_messages"
    __table_args__ = (
        UniqueConstraint("mailbox", "uidvalidity", "uid", name="uq_raw_mailbox_uid"),
        Index("ix_raw_state", "state"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    content_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    message_id: Mapped[str | None] = mapped_column(CleanText(), index=True)
    source: Mapped[str] = mapped_column(CleanText())
    mailbox: Mapped[str | None] = mapped_column(String(255))
    uidvalidity: Mapped[int | None] = mapped_column(BigInteger)
    uid: Mapped[int | None] = mapped_column(BigInteger)
    size: Mapped[int] = mapped_column(Integer)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(Stamp(), default=utcnow)
    # stored -> processed | failed; a sweeper re-enqueues what stays "stored".
    state: Mapped[str] = mapped_column(String(16), default="stored")
    outcome: Mapped[str | None] = mapped_column(String(32))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(CleanText())
    processed_at: Mapped[datetime | None] = mapped_column(Stamp())
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))


class Contact(Base):
    """A person's e-mail address, and whether mail to it still arrives."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(CleanText(), default="")
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(Stamp(), default=utcnow)
    undeliverable_since: Mapped[datetime | None] = mapped_column(Stamp())
    undeliverable_reason: Mapped[str | None] = mapped_column(Text)


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_ticket_queue_status_received", "queue", "status", "received_at"),
        Index("ix_ticket_contact_status", "contact_id", "status"),
        # The web page: oldest waiting first, my tickets, the dashboard's windows, the purge.
        Index("ix_ticket_status_received", "status", "received_at"),
        Index("ix_ticket_assigned_status", "assigned_to", "status"),
        # Covering the dashboard's per-day and answer-time windows (index-only scans).
        Index("ix_ticket_received", "received_at", "intent", "merged_into"),
        Index("ix_ticket_closed", "closed_at", "status", "intent", "merged_into"),
        Index("ix_ticket_first_reply", "first_reply_at", "received_at"),
        # The default list (waiting for the team, oldest first) without scanning closed tickets.
        Index(
            "ix_ticket_waiting", "received_at", "id",
            postgresql_where=text("status IN ('new', 'open')"), sqlite_where=text("status IN ('new', 'open')"),
        ),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(32), unique=True)
    queue: Mapped[str] = mapped_column(String(64))
    intent: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(32), index=True)
    language: Mapped[str | None] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(CleanText(), default="")
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    location: Mapped[str | None] = mapped_column(String(64))
    needs_appointment: Mapped[bool | None] = mapped_column(Boolean)
    missing_documents: Mapped[bool] = mapped_column(Boolean, default=False)
    confidence: Mapped[float | None] = mapped_column(Float)
    evidence: Mapped[list[str]] = mapped_column(JSON, default=list)
    needs_human: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_reason: Mapped[str | None] = mapped_column(CleanText())
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[datetime] = mapped_column(Stamp(), default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(Stamp())
    first_reply_at: Mapped[datetime | None] = mapped_column(Stamp())
    closed_at: Mapped[datetime | None] = mapped_column(Stamp())
    updated_at: Mapped[datetime] = mapped_column(Stamp(), default=utcnow, onupdate=utcnow)
    merged_into: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))

    contact: Mapped[Contact | None] = relationship(lazy="joined")
    messages: Mapped[list[TicketMessage]] = relationship(
        back_populates="ticket", order_by="TicketMessage.id", cascade="all, delete-orphan",
        foreign_keys="TicketMessage.ticket_id",
    )


class TicketMessage(Base):
    """One message of a ticket: in from the citizen, out from us, or an internal note."""

    __tablename__ = "ticket_messages"
    __table_args__ = (
        # The dashboard: replies per agent in a window, citizens who wrote more than once.
        Index("ix_ticket_message_direction_created", "direction", "created_at", "ticket_id", "author_id"),
        Index("ix_ticket_message_ticket_direction", "ticket_id", "direction"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    direction: Mapped[str] = mapped_column(String(8))  # in | out | note
    raw_message_id: Mapped[int | None] = mapped_column(ForeignKey("raw_messages.id", ondelete="SET NULL"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    message_id: Mapped[str | None] = mapped_column(CleanText(), index=True)
    from_addr: Mapped[str] = mapped_column(CleanText(), default="")
    from_name: Mapped[str] = mapped_column(CleanText(), default="")
    to_addrs: Mapped[str] = mapped_column(CleanText(), default="")
    subject: Mapped[str] = mapped_column(CleanText(), default="")
    body_text: Mapped[str] = mapped_column(CleanText(), default="")
    body_html: Mapped[str | None] = mapped_column(CleanText())
    intent: Mapped[str | None] = mapped_column(String(40))
    language: Mapped[str | None] = mapped_column(String(8))
    defects: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(Stamp(), default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="messages", foreign_keys=[ticket_id])
    attachments: Mapped[list[MessageAttachment]] = relationship(
        cascade="all, delete-orphan", order_by="MessageAttachment.id"
    )


class AttachmentBlob(Base):
    """Attachment bytes, stored once per content hash however often they arrive."""

    __tablename__ = "attachment_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class MessageAttachment(Base):
    __tablename__ = "message_attachments"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    ticket_message_id: Mapped[int] = mapped_column(
        ForeignKey("ticket_messages.id", ondelete="CASCADE"), index=True
    )
    sha256: Mapped[str] = mapped_column(ForeignKey("attachment_blobs.sha256"), index=True)
    filename: Mapped[str] = mapped_column(CleanText())
    content_type: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    inline: Mapped[bool] = mapped_column(Boolean, default=False)


class Event(Base):
    """The log of what happened to a ticket: created, classified, replied, status changed, viewed."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    actor: Mapped[str] = mapped_column(String(255), default="system")
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(Stamp(), default=utcnow, index=True)


class OutboxMessage(Base):
    """A reply to send, written in the same transaction as its ticket; the sender marks it sent.

    Unique per (answered message, kind): one citizen message never gets two acknowledgements.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("answers_raw_id", "kind", name="uq_outbox_answer_kind"),
        Index("ix_outbox_state", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    answers_raw_id: Mapped[int | None] = mapped_column(ForeignKey("raw_messages.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(32))  # ack | added | agent_reply | documents_request
    to_addr: Mapped[str] = mapped_column(String(320), index=True)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    subject: Mapped[str] = mapped_column(CleanText())
    mime: Mapped[bytes] = mapped_column(LargeBinary)
    # pending -> sent | failed | suppressed; sent -> bounced when a hard bounce comes back
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(CleanText())
    created_at: Mapped[datetime] = mapped_column(Stamp(), default=utcnow)
    next_attempt_at: Mapped[datetime | None] = mapped_column(Stamp())
    sent_at: Mapped[datetime | None] = mapped_column(Stamp())


class MailboxCheckpoint(Base):
    """How far the poller got in one IMAP folder."""

    __tablename__ = "mailbox_checkpoints"

    mailbox: Mapped[str] = mapped_column(String(255), primary_key=True)
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(Stamp(), default=utcnow, onupdate=utcnow)


class User(Base):
    """A member of the migration team who signs in to the web page."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    display_name: Mapped[str] = mapped_column(String(255), default="")
    password_hash: Mapped[str] = mapped_column(Text, default="")
    role: Mapped[str] = mapped_column(String(16), default="agent")  # agent | manager | admin
    language: Mapped[str] = mapped_column(String(8), default="nl")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(Stamp(), default=utcnow)


class DailyCount(Base):
    """Anonymous counts per day that outlive the purge of closed tickets."""

    __tablename__ = "daily_counts"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    queue: Mapped[str] = mapped_column(String(64), primary_key=True)
    intent: Mapped[str] = mapped_column(String(40), primary_key=True)
    opened: Mapped[int] = mapped_column(Integer, default=0)
    closed: Mapped[int] = mapped_column(Integer, default=0)
