"""A fetched batch is kept in one transaction; what was stored before is found, not stored twice."""

from __future__ import annotations

from sqlalchemy import func, select

from intake.rawstore import Fetched, _message_id, store_batch, store_raw
from intake.store import open_database
from intake.store.models import MailboxCheckpoint, RawMessage

MAILBOX = "migratie@imap.example/INBOX"


def mail(n: int, *, body: str = "Goedemorgen") -> bytes:
    return (
        f"From: Burger {n} <burger{n}@example.org>\r\nTo: migratie@stad.gent\r\n"
        f"Subject: Aanvraag {n}\r\nMessage-ID: <m{n}@example.org>\r\n\r\n{body} {n}\r\n"
    ).encode()


def test_a_batch_is_stored_with_its_ids_defaults_and_checkpoint(db_url: str) -> None:
    db = open_database(db_url)
    try:
        stored = store_batch(db, [Fetched(7, mail(1)), Fetched(9, mail(2))], mailbox=MAILBOX, uidvalidity=42)

        assert [s.new for s in stored] == [True, True]
        with db.session() as session:
            rows = {row.uid: row for row in session.scalars(select(RawMessage))}
            checkpoint = session.get(MailboxCheckpoint, MAILBOX)
        assert {uid: row.id for uid, row in rows.items()} == {7: stored[0].raw_id, 9: stored[1].raw_id}
        first = rows[7]
        assert (first.message_id, first.mailbox, first.uidvalidity, first.size) == (
            "m1@example.org", MAILBOX, 42, len(mail(1)))
        assert first.raw == mail(1)
        assert first.source == f"imap:{MAILBOX};uidvalidity=42;uid=7"
        assert (first.state, first.attempts) == ("stored", 0)
        assert first.received_at is not None and first.received_at.tzinfo is not None
        assert checkpoint is not None and (checkpoint.uidvalidity, checkpoint.last_uid) == (42, 9)
    finally:
        db.dispose()


def test_what_was_stored_before_is_found_by_content_or_by_uid(db_url: str) -> None:
    db = open_database(db_url)
    try:
        earlier = store_raw(db, mail(1), source="file")  # same content, from elsewhere
        [same_uid] = store_batch(db, [Fetched(5, mail(2))], mailbox=MAILBOX, uidvalidity=1)

        stored = store_batch(
            db,
            [Fetched(4, mail(1)), Fetched(5, mail(2, body="changed")), Fetched(6, mail(3)), Fetched(8, mail(3))],
            mailbox=MAILBOX, uidvalidity=1,
        )

        assert stored[0].raw_id == earlier.raw_id and not stored[0].new
        assert stored[1].raw_id == same_uid.raw_id and not stored[1].new
        # Two identical messages in one batch: the first is new, the second finds it.
        assert stored[2].new and not stored[3].new and stored[2].raw_id == stored[3].raw_id
        with db.session() as session:
            assert session.scalar(select(func.count()).select_from(RawMessage)) == 3
    finally:
        db.dispose()


def test_the_message_id_comes_from_the_header_block_not_from_the_body() -> None:
    forwarded = (
        b"From: a@example.org\r\nSubject: Fwd\r\n\r\n"
        b"---------- Forwarded message ---------\r\nMessage-ID: <inner@example.org>\r\n"
    )
    assert _message_id(forwarded) is None
    assert _message_id(mail(5)) == "m5@example.org"
    assert _message_id(b"Message-ID:\r\n <folded@example.org>\r\nSubject: x\r\n\r\nbody") == "folded@example.org"
    assert _message_id(b"Subject: x\nMessage-ID: <lf@example.org>\n\nMessage-ID: <body@example.org>\n") == (
        "lf@example.org")
