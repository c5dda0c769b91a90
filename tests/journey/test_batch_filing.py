"""Filing a batch in one transaction gives the same tickets, events and replies as one by one.

The worker files stored messages in batches: those that open a new ticket are written together
(intake/bulk_filing.py), the rest one by one in the same transaction. The same messages filed
one per transaction, all through the one-by-one path, must end in the same place.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from intake.bulk_filing import Prepared, split_new_tickets
from intake.context import Context
from intake.pipeline import _prepare, process_batch
from intake.rawstore import store_raw
from intake.store.models import (
    Contact,
    Event,
    MessageAttachment,
    OutboxMessage,
    RawMessage,
    Ticket,
    TicketMessage,
)
from tests.builders import TINY_PDF, citizen_mail

REPO = Path(__file__).resolve().parents[2]
_REFERENCE = re.compile(rb"GNT-\d{4}-\d{6,}|(?<=[.>])[0-9a-f]{10}\.[0-9a-f]{16}(?=@)")

# Cases the one-by-one path decides on the database: each must come out the same in a batch.
MADE_UP = [
    ("resent", citizen_mail(sender="Amina <amina@example.com>")),
    ("resent again", citizen_mail(sender="Amina <amina@example.com>")),
    ("second case", citizen_mail(sender="Bob <bob@example.com>", subject="K kaart", body="Ik wil een K kaart.")),
    ("other case", citizen_mail(sender="Bob <bob@example.com>", subject="Verlies", body="Ik verloor mijn kaart.")),
    ("unknown thread", citizen_mail(sender="c@example.com", in_reply_to="<elsewhere@example.net>")),
    ("quoted name", citizen_mail(sender='"El-Amin, Saïd \\"Sami\\"" <said@example.com>', subject="بطاقة F+")),
    ("documents", citizen_mail(sender="d@example.com", subject="Documenten CGVS",
                               body="Hierbij mijn documenten van het CGVS.",
                               attachments=[("cgvs.pdf", "application/pdf", TINY_PDF)])),
    ("same documents", citizen_mail(sender="e@example.com", subject="Documenten CGVS",
                                    body="Hierbij de documenten.", attachments=[("b.pdf", "application/pdf", TINY_PDF)])),
    ("mail system", citizen_mail(sender="mailer-daemon@example.com", subject="Aanvraag F+ kaart")),
    ("not sendable", citizen_mail(sender="Zoë <zoë@example.com>")),
]


def _messages(corpus: list[Path]) -> list[tuple[str, bytes]]:
    found = [(p.name, p.read_bytes()) for p in sorted((REPO / "samples").glob("*.eml"))]
    for folder in corpus:
        found += [(str(p), p.read_bytes()) for p in sorted(folder.rglob("*.eml"))]
    return found + MADE_UP


def _store_all(ctx: Context, messages: list[tuple[str, bytes]]) -> list[int]:
    ids = [store_raw(ctx.db, raw, source=name) for name, raw in messages]
    return list(dict.fromkeys(s.raw_id for s in ids))


def _normal(value: Any) -> Any:
    """References and our Message-IDs differ between two stores; ids of rows too."""
    if isinstance(value, bytes):
        body = re.sub(rb"(?m)^(Date|Message-ID): .*\r\n", b"", value)
        for boundary in set(re.findall(rb'boundary="?([^"\s;]+)', body)):
            body = body.replace(boundary, b"BOUNDARY")
        # Without soft line breaks: a reference may be cut by one.
        return _REFERENCE.sub(b"REF", body.replace(b"=\r\n", b""))
    if isinstance(value, str):
        return _REFERENCE.sub(b"REF", value.encode()).decode()
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items() if k not in ("outbox_id", "raw_id")}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    return value


def _snapshot(ctx: Context) -> dict[str, Any]:
    """Everything filing wrote, keyed by the messages' content instead of row ids."""
    with ctx.db.session() as session:
        raws = session.execute(select(RawMessage.id, RawMessage.content_sha256, RawMessage.state,
                                      RawMessage.outcome, RawMessage.ticket_id)).all()
        hash_of = {r.id: r.content_sha256 for r in raws}
        per_ticket: dict[int, list[str]] = {}
        for r in raws:
            per_ticket.setdefault(r.ticket_id, []).append(r.content_sha256)
        key = {tid: tuple(sorted(hashes)) for tid, hashes in per_ticket.items()}
        tickets = {}
        for t in session.scalars(select(Ticket)):
            tickets[key[t.id]] = {
                "fields": _normal({c: getattr(t, c) for c in (
                    "queue", "intent", "status", "language", "subject", "location", "needs_appointment",
                    "missing_documents", "confidence", "evidence", "needs_human", "flag_reason")}),
                "acknowledged": t.acknowledged_at is not None, "closed": t.closed_at is not None,
                "contact": t.contact.email if t.contact else None,
                "messages": sorted(
                    (hash_of.get(m.raw_message_id), m.direction, m.message_id, m.from_addr, m.from_name, m.to_addrs,
                     m.subject, m.body_text, m.body_html, m.intent, m.language, tuple(m.defects),
                     tuple((a.sha256, a.filename, a.content_type, a.size, a.inline) for a in m.attachments))
                    for m in session.scalars(select(TicketMessage).where(TicketMessage.ticket_id == t.id))
                ),
                "events": [(e.kind, e.actor, _normal(e.data)) for e in session.scalars(
                    select(Event).where(Event.ticket_id == t.id).order_by(Event.id))],
                "replies": [(o.kind, o.to_addr, _normal(o.subject), o.state, hash_of.get(o.answers_raw_id),
                             _normal(o.mime)) for o in session.scalars(
                    select(OutboxMessage).where(OutboxMessage.ticket_id == t.id).order_by(OutboxMessage.id))],
            }
        return {
            "raws": sorted((r.content_sha256, r.state, r.outcome, key.get(r.ticket_id)) for r in raws),
            "tickets": tickets,
            "contacts": sorted(session.execute(select(Contact.email, Contact.name, Contact.language)).all()),
            "attachments": session.query(MessageAttachment).count(),
        }


def test_a_batch_files_the_corpus_as_one_by_one_does(two_db_urls: tuple[str, str], make_context, dev_corpus: Path,
                                                     external_corpus: Path) -> None:
    # Given the same messages stored in two empty stores
    messages = _messages([dev_corpus, external_corpus])
    one_by_one, batched = (make_context(url) for url in two_db_urls)
    ids_a, ids_b = _store_all(one_by_one, messages), _store_all(batched, messages)

    # When one store files them a message per transaction, the other twenty per transaction
    for raw_id in ids_a:
        process_batch(one_by_one, [raw_id], bulk=False)
    for start in range(0, len(ids_b), 20):
        process_batch(batched, ids_b[start : start + 20])

    # Then both hold the same tickets, messages, events, replies and contacts
    a, b = _snapshot(one_by_one), _snapshot(batched)
    assert len(a["tickets"]) > 100
    assert a["raws"] == b["raws"]
    assert a["contacts"] == b["contacts"]
    assert a["attachments"] == b["attachments"]
    assert a["tickets"].keys() == b["tickets"].keys()
    for ticket_key, ticket in a["tickets"].items():
        assert ticket == b["tickets"][ticket_key], ticket_key


def test_a_batch_of_the_made_up_cases_files_as_one_by_one_does(two_db_urls: tuple[str, str], make_context) -> None:
    one_by_one, batched = (make_context(url) for url in two_db_urls)
    ids_a, ids_b = _store_all(one_by_one, MADE_UP), _store_all(batched, MADE_UP)
    for raw_id in ids_a:
        process_batch(one_by_one, [raw_id], bulk=False)
    process_batch(batched, ids_b)
    assert _snapshot(one_by_one) == _snapshot(batched)


def _prepared(ctx: Context, raws: list[bytes]) -> list[Prepared]:
    ids = _store_all(ctx, [("test", raw) for raw in raws])
    with ctx.db.session() as session:
        rows = {r.id: r for r in session.scalars(select(RawMessage).where(RawMessage.id.in_(ids)))}
    return [_prepare(ctx, rows[i]) for i in ids]


def test_only_messages_that_must_open_a_new_ticket_are_filed_together(db_url: str, make_context) -> None:
    # Given a citizen with an open ticket
    ctx = make_context(db_url)
    process_batch(ctx, _store_all(ctx, [("first", citizen_mail(sender="open@example.com"))]))

    # When a batch holds first questions, and messages whose ticket depends on what is stored
    batch = _prepared(ctx, [
        citizen_mail(sender="new@example.com"),
        citizen_mail(sender="open@example.com", subject="Nog een vraag", body="Wanneer is mijn kaart klaar?"),
        citizen_mail(sender="twice@example.com"),
        citizen_mail(sender="twice@example.com", subject="Nog iets", body="Ik ben iets vergeten."),
        citizen_mail(sender="reply@example.com", in_reply_to="<x@example.com>"),
        citizen_mail(sender="ref@example.com", subject="Re: [GNT-2026-000001] Aanvraag"),
        citizen_mail(sender="vacation@example.com", headers={"Auto-Submitted": "auto-replied"}),
        citizen_mail(sender="new2@example.com", subject="K kaart", body="Ik wil een K kaart aanvragen."),
    ])
    with ctx.db.session() as session:
        split = split_new_tickets(session, batch)
    together, one_by_one = split.new_tickets, split.rest

    # Then only the first questions of new senders go together; the rest keep their order
    assert [p.address for p in together] == ["new@example.com", "new2@example.com"]
    assert [p.address for p in one_by_one] == [
        "open@example.com", "twice@example.com", "twice@example.com", "reply@example.com", "ref@example.com",
        "vacation@example.com",
    ]


def test_a_message_filed_before_is_left_alone_in_a_batch(db_url: str, make_context) -> None:
    ctx = make_context(db_url)
    ids = _store_all(ctx, [("a", citizen_mail(sender="a@example.com")), ("b", citizen_mail(sender="b@example.com"))])
    first = process_batch(ctx, ids[:1])
    again = process_batch(ctx, ids)
    assert not first[0].done_before and first[0].reference
    assert again[0].done_before and not again[1].done_before
    with ctx.db.session() as session:
        assert session.query(Ticket).count() == 2
        assert session.query(OutboxMessage).count() == 2


@pytest.mark.parametrize("bulk", [True, False])
def test_an_unknown_id_in_a_batch_is_reported_missing(db_url: str, make_context, bulk: bool) -> None:
    ctx = make_context(db_url)
    ids = _store_all(ctx, [("a", citizen_mail(sender="a@example.com"))])
    results = process_batch(ctx, [ids[0], 999_999], bulk=bulk)
    assert results[0].reference and results[1].outcome == "missing"
