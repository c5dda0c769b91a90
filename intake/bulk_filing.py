"""File the new tickets of a batch together, in a few statements instead of a dozen per message.

Most messages open a new ticket: a citizen's first question. For those, nothing in the database
can change where they go, so they need no per-message look-ups and their rows are written
together. A message takes this path when it is not automatic mail, names none of our tickets
(no reference, no In-Reply-To or References), is the only one in the batch from its address,
and its sender has no open ticket and no bounce on record. Everything else is filed one by one
by ``pipeline`` in the same transaction. Both write the same rows (tests/journey/test_batch_filing.py
compares them).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from intake.classifiers import Classification
from intake.context import Context
from intake.handlers.plan import Plan
from intake.intents import NON_ACTIONABLE
from intake.mail import ParsedMail
from intake.outbox import (
    DAY,
    UNBUILDABLE,
    ComposedReply,
    address_blocker,
    compose_reply,
    daily_cap_blocker,
    reply_values,
    sent_since,
    unbuildable_reason,
)
from intake.persons import unquoted
from intake.store.inserts import insert_returning_ids, reserve_ids
from intake.store.models import (
    AttachmentBlob,
    Contact,
    Event,
    MessageAttachment,
    OutboxMessage,
    RawMessage,
    Ticket,
    TicketMessage,
    utcnow,
)
from intake.tickets import (
    REFERENCE,
    attachment_values,
    classified_data,
    contacts_with_open_tickets,
    event_values,
    flag_reason_with,
    format_reference,
    incoming_values,
    ticket_values,
)

OPENED = "ticket_opened"


@dataclass(frozen=True, slots=True)
class Prepared:
    """A stored message, read and decided on, waiting to be filed."""

    raw: RawMessage
    parsed: ParsedMail
    verdict: Classification
    plan: Plan
    flag_reason: str | None

    @property
    def address(self) -> str:
        return self.parsed.reply_address


@dataclass(frozen=True, slots=True)
class Filed:
    raw_id: int
    reference: str
    outbox_id: int | None


@dataclass(frozen=True, slots=True)
class Split:
    new_tickets: list[Prepared]  # open a new ticket whatever the database holds
    rest: list[Prepared]  # filed one by one, in their order
    contacts: dict[str, Row[Any]]  # the new tickets' senders known already, locked


def split_new_tickets(session: Session, prepared: list[Prepared]) -> Split:
    """Which messages open a new ticket whatever the database holds.

    The senders' existing contacts are locked here, in one statement and in one order, so two
    workers filing batches with senders in common wait for each other instead of deadlocking.
    """
    per_address = Counter(p.address for p in prepared)
    candidates = [p for p in prepared if per_address[p.address] == 1 and _names_no_ticket(p)]
    if not candidates:
        return Split([], prepared, {})
    contacts = _lock_contacts(session, [p.address for p in candidates])
    busy = contacts_with_open_tickets(session, [c.id for c in contacts.values()])
    fast_ids = {
        p.raw.id
        for p in candidates
        if p.address not in contacts
        or (contacts[p.address].id not in busy and contacts[p.address].undeliverable_since is None)
    }
    fast = [p for p in prepared if p.raw.id in fast_ids]
    return Split(fast, [p for p in prepared if p.raw.id not in fast_ids],
                 {p.address: contacts[p.address] for p in fast if p.address in contacts})


def file_new_tickets(session: Session, ctx: Context, split: Split) -> tuple[list[Filed], list[Prepared]]:
    """Open a ticket for each message, with its reply; returns what was filed and what must go
    one by one after all (a sender whose contact another worker created meanwhile)."""
    batch, contacts = split.new_tickets, dict(split.contacts)
    if not batch:
        return [], []
    created, raced = _create_contacts(session, [p for p in batch if p.address not in contacts])
    contacts.update(created)
    batch = [p for p in batch if p.address not in raced]
    if not batch:
        return [], list(raced.values())
    _learn_languages(session, [(contacts[p.address], p.verdict.language) for p in batch])
    sent_today = sent_since(session, [p.address for p in batch if p.address not in created], utcnow() - DAY)

    ticket_rows = [ticket_values(p.parsed, p.verdict, p.plan, contacts[p.address].id, p.flag_reason) for p in batch]
    # On PostgreSQL the ids come first, so each ticket goes in whole once its reply is composed
    # (the reply names the reference, made of the id); elsewhere it goes in now and is finished
    # by an UPDATE, which on PostgreSQL would write every ticket and its ten index entries twice.
    ticket_ids = reserve_ids(session, Ticket, len(batch))
    inserted_early = ticket_ids is None
    if ticket_ids is None:
        ticket_ids = insert_returning_ids(session, Ticket, ticket_rows)

    events: list[list[dict[str, Any]]] = []  # per message, in the order one-by-one filing writes them
    replies: list[tuple[int, dict[str, Any], ComposedReply]] = []  # (index in batch, outbox row, reply)
    finishes: list[dict[str, Any]] = []  # per ticket: the columns known once its reply is composed
    for index, (p, tid, row) in enumerate(zip(batch, ticket_ids, ticket_rows)):
        reference = format_reference(ctx.settings, tid, row["received_at"])
        needs_human, flag = row["needs_human"], row["flag_reason"]
        acknowledged_at = None
        ticket_events = [
            event_values(tid, "created", queue=row["queue"], intent=row["intent"]),
            event_values(tid, "classified", **classified_data(p.verdict)),
        ]
        kind = p.plan.template
        if p.plan.send_ack and kind:
            contact = contacts[p.address]
            blocked = address_blocker(ctx.settings, contact, p.parsed) or daily_cap_blocker(
                ctx.settings, sent_today.get(p.address, 0)
            )
            reply = None
            if not blocked:
                try:
                    reply = compose_reply(
                        ctx, reference=reference, language=row["language"], parsed=p.parsed, plan=p.plan,
                        to_addr=contact.email, to_name=contact.name, kind=kind,
                    )
                except UNBUILDABLE as exc:
                    blocked = unbuildable_reason(exc)
                    flag, needs_human = flag_reason_with(needs_human, flag, blocked), True
            if reply is None:
                ticket_events.append(event_values(tid, "reply_suppressed", kind=kind, reason=blocked))
            else:
                replies.append((index, reply_values(tid, p.raw.id, kind, contact.email, reply), reply))
                acknowledged_at = utcnow() if kind == "ack" else None
        finishes.append(
            {"reference": reference, "acknowledged_at": acknowledged_at, "needs_human": needs_human, "flag_reason": flag}
        )
        events.append(ticket_events)

    if inserted_early:
        _finish_tickets(session, ticket_ids, finishes)
    else:
        session.execute(
            insert(Ticket.__table__),
            [{**row, **finish, "id": tid} for row, finish, tid in zip(ticket_rows, finishes, ticket_ids, strict=True)],
        )
    message_ids = insert_returning_ids(
        session, TicketMessage,
        [incoming_values(tid, p.raw.id, p.parsed, p.verdict) for tid, p in zip(ticket_ids, batch)],
    )
    _store_attachments(session, batch, message_ids)
    outbox_ids = insert_returning_ids(session, OutboxMessage, [row for _, row, _ in replies])
    outbox_of: dict[int, int] = {}
    for (index, row, reply), outbox_id in zip(replies, outbox_ids):
        outbox_of[index] = outbox_id
        events[index].append(
            event_values(row["ticket_id"], "reply_queued", kind=row["kind"], outbox_id=outbox_id,
                         languages=list(reply.languages))
        )
    for index, (p, tid) in enumerate(zip(batch, ticket_ids)):
        events[index].append(event_values(tid, "message_filed", outcome=OPENED, raw_id=p.raw.id))
    session.execute(insert(Event.__table__), [e for per_ticket in events for e in per_ticket])
    session.execute(
        update(RawMessage.__table__)
        .where(RawMessage.__table__.c.id == bindparam("b_id"))
        .values(ticket_id=bindparam("b_ticket"), outcome=OPENED),
        [{"b_id": p.raw.id, "b_ticket": tid} for p, tid in zip(batch, ticket_ids)],
    )
    filed = [
        Filed(p.raw.id, finish["reference"], outbox_of.get(index))
        for index, (p, finish) in enumerate(zip(batch, finishes))
    ]
    return filed, list(raced.values())


# --- the look-ups ---------------------------------------------------------------------------


def _names_no_ticket(p: Prepared) -> bool:
    """Not automatic mail, and nothing in it points at a ticket of ours (see tickets.find_thread)."""
    parsed = p.parsed
    return (
        p.verdict.intent not in NON_ACTIONABLE
        and bool(p.address)
        and not parsed.in_reply_to
        and not parsed.references
        and REFERENCE.search(parsed.subject) is None
        and REFERENCE.search(unquoted(parsed.text)[:5000]) is None
    )


# What filing reads of a contact, found (locked) or just created: the same row shape either way.
_CONTACT_COLUMNS = (
    Contact.id, Contact.email, Contact.name, Contact.language, Contact.undeliverable_since,
    Contact.undeliverable_reason,
)


def _lock_contacts(session: Session, addresses: list[str]) -> dict[str, Row[Any]]:
    if not addresses:
        return {}
    rows = session.execute(
        select(*_CONTACT_COLUMNS)
        .where(Contact.email.in_(sorted(set(addresses))))
        .order_by(Contact.email)
        .with_for_update()
    )
    return {row.email: row for row in rows}


# --- the writes -----------------------------------------------------------------------------


def _create_contacts(session: Session, batch: list[Prepared]) -> tuple[dict[str, Row[Any]], dict[str, Prepared]]:
    """Insert the new senders' contacts; those another worker created a moment ago come back
    as "raced" (their messages are filed one by one, which locks and reads that contact)."""
    if not batch:
        return {}, {}
    # Rows as parameters of one statement, not values written into it: its text is then the
    # same for every batch, compiled once.
    rows = session.execute(
        _dialect_insert(session, Contact)
        .on_conflict_do_nothing(index_elements=[Contact.email])
        .returning(*_CONTACT_COLUMNS),
        [{"email": p.address, "name": p.parsed.from_name[:255], "language": p.verdict.language,
          "created_at": utcnow()} for p in batch],
    )
    created = {row.email: row for row in rows}
    return created, {p.address: p for p in batch if p.address not in created}


def _learn_languages(session: Session, pairs: list[tuple[Row[Any], str | None]]) -> None:
    """A known contact whose language was unknown gets the one this message is written in."""
    todo = [{"b_id": c.id, "b_language": language} for c, language in pairs if language and not c.language]
    if todo:
        table = Contact.__table__
        session.execute(
            update(table).where(table.c.id == bindparam("b_id")).values(language=bindparam("b_language")), todo
        )


def _finish_tickets(session: Session, ticket_ids: list[int], finishes: list[dict[str, Any]]) -> None:
    table = Ticket.__table__
    session.execute(
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values({column: bindparam(f"b_{column}") for column in finishes[0]}),
        [{"b_id": tid, **{f"b_{k}": v for k, v in finish.items()}} for tid, finish in zip(ticket_ids, finishes)],
    )


def _store_attachments(session: Session, batch: list[Prepared], message_ids: list[int]) -> None:
    """Each attachment's bytes once per content hash; a row per attachment of each message."""
    links = [attachment_values(mid, att) for p, mid in zip(batch, message_ids) for att in p.parsed.attachments]
    if not links:
        return
    blobs = {att.sha256: att for p in batch for att in p.parsed.attachments}
    known = set(session.scalars(select(AttachmentBlob.sha256).where(AttachmentBlob.sha256.in_(list(blobs)))))
    new = [{"sha256": a.sha256, "size": a.size, "data": a.data} for h, a in blobs.items() if h not in known]
    if new:
        session.execute(_dialect_insert(session, AttachmentBlob).on_conflict_do_nothing(index_elements=["sha256"]), new)
    session.execute(insert(MessageAttachment.__table__), links)


def _dialect_insert(session: Session, model: type[Any]) -> Any:
    """An INSERT that knows ON CONFLICT DO NOTHING, on PostgreSQL and on SQLite."""
    insert_for = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    return insert_for(model)
