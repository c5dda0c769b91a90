"""Open a ticket or thread a message into one, in the caller's transaction.

Where a message goes, in order (the first that applies wins):

1. a reply to one of our messages: our reference in the subject, one of our Message-IDs in
   In-Reply-To/References, or our reference in the body of a message from the ticket's own
   contact -> that ticket;
2. the same sender writing again about the same case while a ticket is open: the same text
   again, or the same intent (any open ticket for a status follow-up) about the same person
   -> that ticket (see intake/persons.py for "the same person");
3. a storm (many messages from one address in minutes) -> the sender's newest open ticket,
   flagged, unless the message names another person;
4. otherwise a new ticket.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session, lazyload

from intake.classifiers.documents import documents
from intake.classifiers.verdict import Classification
from intake.config import Settings
from intake.handlers.plan import Plan
from intake.intents import NON_ACTIONABLE, Intent
from intake.mail import Attachment, ParsedMail
from intake.persons import Persons, Relation, fold, persons_in, relation, unquoted
from intake.replies import reference_from_message_id
from intake.statuses import OPEN_STATUSES, WAITING_ON_CITIZEN, TicketStatus
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

REFERENCE = re.compile(r"\b(?P<ref>[A-Z]{2,5}-\d{4}-\d{6,})\b")
_SUBJECT_REFERENCE = re.compile(r"\[(?P<ref>[A-Z]{2,5}-\d{4}-\d{6,})\]")
ACTIONABLE = [i.value for i in Intent if i not in NON_ACTIONABLE]

# A storm: this many messages from one address within the window; no person writes that fast.
# Identical messages and same-case messages join anyway; this catches a flood of assorted ones.
STORM_MESSAGES = 10
STORM_WINDOW = timedelta(minutes=5)
# Automatic mail from one address within this time collapses into one (closed) ticket.
AUTOMATIC_WINDOW = timedelta(days=1)
# How many of a ticket's messages are read to tell who it is about.
_PERSON_MESSAGES = 20
# session.info key: ids of the contacts created in the session's transaction.
_NEW_CONTACTS = "intake_new_contacts"



@dataclass(frozen=True, slots=True)
class Placement:
    """Where a message goes: an existing ticket and why, or None for a new ticket."""

    ticket: Ticket | None
    # threaded: a reply to us; same_case: same sender, same open case; storm: flood from one address.
    how: str = "new"


def format_reference(settings: Settings, ticket_id: int, when: datetime) -> str:
    return f"{settings.reference_prefix}-{when.year}-{ticket_id:06d}"


# --- finding the ticket ---------------------------------------------------------------------


def place(
    session: Session,
    settings: Settings,
    parsed: ParsedMail,
    verdict: Classification,
    contact: Contact | None,
) -> Placement:
    """The ticket a (non-automatic) message joins, or a Placement without one for a new ticket."""
    thread = find_thread(session, settings, parsed, contact)
    if thread is not None:
        return Placement(thread, "threaded")
    if contact is None:
        return Placement(None)
    candidates = _open_tickets(session, contact, limit=20)
    if not candidates:
        # No open ticket to join: neither the same case nor a storm's newest ticket.
        return Placement(None)
    look = _Candidates(session, parsed)
    case = _open_case_among(look, candidates, parsed, verdict)
    if case is not None:
        return Placement(case, "same_case")
    if in_storm(session, contact):
        newest = candidates[0]
        if look.relation(newest) is not Relation.OTHER:
            return Placement(newest, "storm")
    return Placement(None)


def find_thread(
    session: Session, settings: Settings, parsed: ParsedMail, contact: Contact | None = None
) -> Ticket | None:
    """The ticket this message answers: our reference in the subject, or a known Message-ID.

    A reference in the body counts only from the ticket's own contact: quoted text travels.
    """
    found = _SUBJECT_REFERENCE.search(parsed.subject) or REFERENCE.search(parsed.subject)
    if found:
        ticket = _by_reference(session, found.group("ref"))
        if ticket is not None:
            return ticket
    ids = [i for i in (parsed.in_reply_to, *parsed.references) if i]
    for mid in ids:
        ref = reference_from_message_id(settings, mid)
        ticket = _by_reference(session, ref) if ref else None
        if ticket is not None:
            return ticket
    if ids:
        ticket_id = session.scalar(
            select(OutboxMessage.ticket_id).where(OutboxMessage.message_id.in_(ids)).limit(1)
        ) or session.scalar(
            select(TicketMessage.ticket_id)
            .where(TicketMessage.message_id.in_(ids))
            .order_by(TicketMessage.id.desc())
            .limit(1)
        )
        ticket = (
            _actionable(follow_merge(session, session.get(Ticket, ticket_id)))
            if ticket_id
            else None
        )
        if ticket is not None:
            return ticket
    if contact is not None and contact.id is not None:
        for m in REFERENCE.finditer(unquoted(parsed.text)[:5000]):
            ticket = _by_reference(session, m.group("ref"))
            if ticket is not None and ticket.contact_id == contact.id:
                return ticket
    return None


def _open_case_among(
    look: _Candidates, candidates: list[Ticket], parsed: ParsedMail, verdict: Classification
) -> Ticket | None:
    """An open ticket of the same sender about the same case and person, for a message to join.

    The same text again always joins (a resend, a storm). Otherwise the intent must match
    (any intent for a status follow-up) and nothing in the message may point at another person.
    """
    if not candidates:
        return None
    mark = fingerprint(parsed.subject, parsed.text)
    for ticket in candidates:
        if mark in look.fingerprints(ticket):
            return ticket
    followup = verdict.intent == Intent.STATUS_FOLLOWUP
    same_intent = [t for t in candidates if followup or t.intent == verdict.intent.value]
    relations = [(t, look.relation(t)) for t in same_intent]
    for ticket, rel in relations:
        if rel is Relation.SAME:
            return ticket
    # "Any news?" names no one: it belongs to the one open file there is, if there is one.
    if followup and len(candidates) == 1 and relations[0][1] is Relation.UNKNOWN:
        return candidates[0]
    return None


def in_storm(session: Session, contact: Contact) -> bool:
    """Has this address sent a flood of messages in the last minutes?"""
    since = utcnow() - STORM_WINDOW
    count = (
        session.scalar(
            select(func.count())
            .select_from(TicketMessage)
            .join(Ticket, TicketMessage.ticket_id == Ticket.id)
            .where(
                Ticket.contact_id == contact.id,
                TicketMessage.direction == "in",
                TicketMessage.created_at >= since,
            )
        )
        or 0
    )
    return count >= STORM_MESSAGES


def recent_automatic_ticket(
    session: Session, contact: Contact | None, intent: Intent
) -> Ticket | None:
    """The ticket an earlier automatic message of this kind from this address opened today."""
    if contact is None or contact.id is None:
        return None
    return session.scalar(
        select(Ticket)
        .where(Ticket.contact_id == contact.id, Ticket.intent == intent.value)
        .where(Ticket.received_at >= utcnow() - AUTOMATIC_WINDOW, Ticket.merged_into.is_(None))
        .order_by(Ticket.received_at.desc(), Ticket.id.desc())
        .limit(1)
    )


def fingerprint(subject: str, text: str) -> str:
    """The same message sent again has the same fingerprint, whatever its Message-ID and date."""
    subject = re.sub(
        r"^\s*(?:(?:re|aw|antw|fw|fwd|tr|wg)\s*:\s*|\[[^\]]*\]\s*)+",
        "",
        subject or "",
        flags=re.IGNORECASE,
    )
    words = re.findall(r"\w+", fold(subject + "\n" + unquoted(text or "")))
    return hashlib.sha256(" ".join(words).encode()).hexdigest()


def has_documents(parsed: ParsedMail) -> bool:
    """A PDF or a photo came with the message (not a logo or an inline signature image)."""
    return bool(documents(parsed))


def _open_tickets(session: Session, contact: Contact, *, limit: int) -> list[Ticket]:
    if contact.id in session.info.get(_NEW_CONTACTS, ()):
        return []  # created in this transaction: it has no tickets yet
    return list(
        session.scalars(
            select(Ticket)
            .where(Ticket.contact_id == contact.id, *_joinable())
            .order_by(Ticket.received_at.desc(), Ticket.id.desc())
            .limit(limit)
            # The contact is the one already in the session: no join needed to load it.
            .options(lazyload(Ticket.contact))
        )
    )


def contacts_with_open_tickets(session: Session, contact_ids: list[int]) -> set[int]:
    """Of these contacts, those with an open ticket that a new message of theirs might join."""
    if not contact_ids:
        return set()
    return set(
        session.scalars(select(Ticket.contact_id).where(Ticket.contact_id.in_(contact_ids), *_joinable()).distinct())
    )


def _joinable() -> tuple[ColumnElement[bool], ...]:
    return (
        Ticket.status.in_([s.value for s in OPEN_STATUSES]),
        Ticket.merged_into.is_(None),
        Ticket.intent.in_(ACTIONABLE),
    )


def _incoming(session: Session, ticket: Ticket) -> list[tuple[str, str, str]]:
    rows = session.execute(
        select(TicketMessage.subject, TicketMessage.body_text, TicketMessage.from_name)
        .where(TicketMessage.ticket_id == ticket.id, TicketMessage.direction == "in")
        .order_by(TicketMessage.id)
        .limit(_PERSON_MESSAGES)
    )
    return [(s or "", b or "", n or "") for s, b, n in rows]


class _Candidates:
    """The open tickets one message might join: each read at most once while it is placed."""

    def __init__(self, session: Session, parsed: ParsedMail) -> None:
        self._session = session
        self._text = f"{parsed.subject}\n{parsed.text}"
        self._from_name = parsed.from_name
        self._read: dict[int, list[tuple[str, str, str]]] = {}

    def _incoming(self, ticket: Ticket) -> list[tuple[str, str, str]]:
        if ticket.id not in self._read:
            self._read[ticket.id] = _incoming(self._session, ticket)
        return self._read[ticket.id]

    @cached_property
    def _persons(self) -> Persons:
        return persons_in(self._text, self._from_name)

    def fingerprints(self, ticket: Ticket) -> set[str]:
        return {fingerprint(s, b) for s, b, _ in self._incoming(ticket)}

    def relation(self, ticket: Ticket) -> Relation:
        persons = Persons()
        for subject, body, name in self._incoming(ticket):
            persons = persons.union(persons_in(f"{subject}\n{body}", name))
        return relation(persons, self._persons, self._text)


def _by_reference(session: Session, reference: str | None) -> Ticket | None:
    if not reference:
        return None
    ticket = session.scalar(select(Ticket).where(Ticket.reference == reference))
    return _actionable(follow_merge(session, ticket))


def _actionable(ticket: Ticket | None) -> Ticket | None:
    """Automatic mail and spam never got a reply, so nothing can be a reply to their tickets."""
    return ticket if ticket is not None and ticket.intent in ACTIONABLE else None


def follow_merge(session: Session, ticket: Ticket | None) -> Ticket | None:
    seen = set()
    while ticket is not None and ticket.merged_into and ticket.id not in seen:
        seen.add(ticket.id)
        ticket = session.get(Ticket, ticket.merged_into)
    return ticket


# --- writing --------------------------------------------------------------------------------


def contact_for(session: Session, parsed: ParsedMail, language: str | None) -> Contact | None:
    """The sender's contact, created on first sight and locked for this transaction.

    The lock makes messages from one address file one after another, so a storm of them
    finds the ticket the first one opened instead of opening one each.
    """
    address = parsed.reply_address
    if not address:
        return None
    contact = _locked_contact(session, address)
    if contact is None:
        contact = _insert_contact(session, address, parsed.from_name[:255], language)
    elif language and not contact.language:
        contact.language = language
    return contact


def _locked_contact(session: Session, address: str) -> Contact | None:
    return session.scalar(
        select(Contact)
        .where(Contact.email == address)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _insert_contact(session: Session, address: str, name: str, language: str | None) -> Contact:
    if session.get_bind().dialect.name == "sqlite":
        # SQLite writers are serialised by then (the claim of the raw message took the lock).
        created = Contact(email=address, name=name, language=language)
        session.add(created)
        session.flush()
        _note_new(session, created)
        return created
    # One statement: the row is ours (and locked) when it comes back; when another worker
    # created it a moment ago, nothing comes back and we take theirs, locked.
    created = session.scalars(
        pg_insert(Contact)
        .values(email=address, name=name, language=language)
        .on_conflict_do_nothing(index_elements=[Contact.email])
        .returning(Contact),
        execution_options={"populate_existing": True},
    ).one_or_none()
    if created is not None:
        _note_new(session, created)
        return created
    found = _locked_contact(session, address)
    assert found is not None
    return found


def _note_new(session: Session, contact: Contact) -> None:
    session.info.setdefault(_NEW_CONTACTS, set()).add(contact.id)


def open_ticket(
    session: Session,
    settings: Settings,
    parsed: ParsedMail,
    verdict: Classification,
    plan: Plan,
    contact: Contact | None,
    flag_reason: str | None,
) -> Ticket:
    ticket = Ticket(**ticket_values(parsed, verdict, plan, contact.id if contact else None, flag_reason))
    session.add(ticket)
    session.flush()
    ticket.reference = format_reference(settings, ticket.id, ticket.received_at)
    add_event(session, ticket, "created", queue=ticket.queue, intent=ticket.intent)
    return ticket


def ticket_values(
    parsed: ParsedMail, verdict: Classification, plan: Plan, contact_id: int | None, flag_reason: str | None
) -> dict[str, object]:
    """The columns of a new ticket (all but its reference, which needs its id)."""
    now = utcnow()
    return {
        "queue": plan.queue,
        "intent": plan.intent.value,
        "status": plan.status.value,
        "language": verdict.language,
        "subject": parsed.subject[:2000],
        "contact_id": contact_id,
        "location": plan.location,
        "needs_appointment": plan.needs_appointment,
        "missing_documents": plan.missing_documents,
        "confidence": verdict.confidence,
        "evidence": [str(e) for e in verdict.evidence],
        "needs_human": flag_reason is not None,
        "flag_reason": flag_reason,
        "received_at": now,
        "closed_at": now if plan.status == TicketStatus.CLOSED else None,
    }


def add_incoming(
    session: Session, ticket: Ticket, raw: RawMessage, parsed: ParsedMail, verdict: Classification
) -> TicketMessage:
    message = TicketMessage(**incoming_values(ticket.id, raw.id, parsed, verdict))
    session.add(message)
    if parsed.attachments:
        session.flush()  # the attachments need the message's id
    for att in parsed.attachments:
        if session.get(AttachmentBlob, att.sha256) is None:
            session.add(AttachmentBlob(sha256=att.sha256, size=att.size, data=att.data))
            session.flush()
        session.add(MessageAttachment(**attachment_values(message.id, att)))
    add_event(session, ticket, "classified", **classified_data(verdict))
    return message


def incoming_values(ticket_id: int, raw_id: int, parsed: ParsedMail, verdict: Classification) -> dict[str, object]:
    """The columns of a citizen's message on a ticket."""
    return {
        "ticket_id": ticket_id,
        "direction": "in",
        "raw_message_id": raw_id,
        "message_id": parsed.message_id,
        "from_addr": parsed.from_email,
        "from_name": parsed.from_name[:255],
        "to_addrs": ", ".join(a.email for a in parsed.to)[:4000],
        "subject": parsed.subject[:2000],
        "body_text": parsed.text,
        "body_html": parsed.html,
        "intent": verdict.intent.value,
        "language": verdict.language,
        "defects": list(parsed.defects)[:50],
        # Stamped now, not when the session next writes: before the reply it may get.
        "created_at": utcnow(),
    }


def attachment_values(ticket_message_id: int, att: Attachment) -> dict[str, object]:
    return {
        "ticket_message_id": ticket_message_id,
        "sha256": att.sha256,
        "filename": att.filename[:1000] or "attachment",
        "content_type": att.content_type[:255],
        "size": att.size,
        "inline": att.inline,
    }


def classified_data(verdict: Classification) -> dict[str, object]:
    """What the "classified" event records."""
    return {
        "intent": verdict.intent.value,
        "confidence": round(verdict.confidence, 3),
        "language": verdict.language,
        "evidence": [str(e) for e in verdict.evidence][:20],
    }


def reopen_if_waiting(session: Session, ticket: Ticket, parsed: ParsedMail) -> None:
    """The citizen wrote again: a ticket waiting on them (or closed) goes back to the team.

    Documents arriving also clear the ticket's "documents missing" mark.
    """
    documents = has_documents(parsed)
    old = ticket.status
    if old in WAITING_ON_CITIZEN or old in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        ticket.status = TicketStatus.OPEN.value
        ticket.closed_at = None
        reason = (
            "documents received"
            if documents and old == TicketStatus.WAITING_FOR_DOCUMENTS
            else "citizen wrote again"
        )
        add_event(session, ticket, "status_changed", old=old, new=ticket.status, reason=reason)
    if documents and ticket.missing_documents:
        ticket.missing_documents = False
        add_event(session, ticket, "documents_received", count=len(parsed.attachments))


def flag(ticket: Ticket, reason: str) -> None:
    """Ask a human to look; the first reason stays, later ones are added to it."""
    ticket.flag_reason = flag_reason_with(ticket.needs_human, ticket.flag_reason, reason)
    ticket.needs_human = True


def flag_reason_with(needs_human: bool, current: str | None, reason: str) -> str:
    if not needs_human or not current:
        return reason
    return current if reason in current else f"{current}; {reason}"[:4000]


def add_event(
    session: Session, ticket: Ticket | None, event: str, actor: str = "system", **data: object
) -> None:
    session.add(Event(**event_values(ticket.id if ticket else None, event, actor, **data)))


def event_values(ticket_id: int | None, event: str, actor: str = "system", **data: object) -> dict[str, object]:
    return {"ticket_id": ticket_id, "kind": event, "actor": actor, "data": data, "at": utcnow()}


def forget_new_contacts(session: Session) -> None:
    """Before the next message in the same transaction: its contact may have tickets by now."""
    session.info.pop(_NEW_CONTACTS, None)
