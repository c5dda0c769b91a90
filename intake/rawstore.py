"""Store raw message bytes first, before anything else; a message seen before is a no-op."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from intake.store import Database
from intake.store.inserts import insert_returning_ids
from intake.store.models import MailboxCheckpoint, RawMessage

_MESSAGE_ID = re.compile(rb"^message-id:[ \t]*(.*(?:\r?\n[ \t].*)*)", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Stored:
    raw_id: int
    new: bool


def content_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def store_raw(
    db: Database,
    raw: bytes,
    *,
    source: str,
    mailbox: str | None = None,
    uidvalidity: int | None = None,
    uid: int | None = None,
) -> Stored:
    """Keep the bytes and commit; return the row and whether it was new.

    The content hash and (mailbox, uidvalidity, uid) are unique, so storing the same message
    twice, from a re-fetch or a second ingest, finds the first row instead.
    """
    digest = content_hash(raw)
    existing = _find(db, digest, mailbox, uidvalidity, uid)
    if existing is not None:
        return Stored(existing, new=False)
    row = RawMessage(
        content_sha256=digest,
        message_id=_message_id(raw),
        source=source[:2000],
        mailbox=mailbox,
        uidvalidity=uidvalidity,
        uid=uid,
        size=len(raw),
        raw=raw,
    )
    try:
        with db.session() as session:
            session.add(row)
        return Stored(row.id, new=True)
    except IntegrityError:
        # Another process stored it between our look-up and insert.
        found = _find(db, digest, mailbox, uidvalidity, uid)
        if found is None:
            raise
        return Stored(found, new=False)


@dataclass(frozen=True, slots=True)
class Fetched:
    """One message as fetched from a mailbox folder."""

    uid: int
    raw: bytes


def store_batch(db: Database, batch: Sequence[Fetched], *, mailbox: str, uidvalidity: int) -> list[Stored]:
    """Keep a fetched batch in one transaction and advance the folder's checkpoint with it.

    Same guarantees as ``store_raw`` for each message: a message already stored (same content,
    or same mailbox, UIDVALIDITY and UID) finds its first row. The checkpoint's last UID moves
    only when the rows that justify it are committed.
    """
    if not batch:
        return []
    try:
        with db.session() as session:
            stored = _insert_batch(session, batch, mailbox, uidvalidity)
            advance_checkpoint(session, mailbox, uidvalidity, max(item.uid for item in batch))
        return stored
    except IntegrityError:
        # Another writer stored one of them meanwhile: fall back to one message at a time.
        stored = [
            store_raw(db, item.raw, source=_source(mailbox, uidvalidity, item.uid), mailbox=mailbox,
                      uidvalidity=uidvalidity, uid=item.uid)
            for item in batch
        ]
        with db.session() as session:
            advance_checkpoint(session, mailbox, uidvalidity, max(item.uid for item in batch))
        return stored


def advance_checkpoint(session: Session, mailbox: str, uidvalidity: int, last_uid: int) -> None:
    """Record how far a folder was read; a new UIDVALIDITY starts the count again."""
    checkpoint = session.get(MailboxCheckpoint, mailbox, with_for_update=True)
    if checkpoint is None:
        session.add(MailboxCheckpoint(mailbox=mailbox, uidvalidity=uidvalidity, last_uid=last_uid))
    elif checkpoint.uidvalidity != uidvalidity:
        checkpoint.uidvalidity, checkpoint.last_uid = uidvalidity, last_uid
    elif last_uid > checkpoint.last_uid:
        checkpoint.last_uid = last_uid


def _insert_batch(session: Session, batch: Sequence[Fetched], mailbox: str, uidvalidity: int) -> list[Stored]:
    digests = [content_hash(item.raw) for item in batch]
    by_hash = dict(
        session.execute(select(RawMessage.content_sha256, RawMessage.id).where(RawMessage.content_sha256.in_(digests)))
        .all()
    )
    by_uid = dict(
        session.execute(
            select(RawMessage.uid, RawMessage.id).where(
                RawMessage.mailbox == mailbox, RawMessage.uidvalidity == uidvalidity,
                RawMessage.uid.in_([item.uid for item in batch]),
            )
        ).all()
    )
    rows: dict[str, dict[str, object]] = {}
    for item, digest in zip(batch, digests):
        if digest in by_hash or item.uid in by_uid or digest in rows:
            continue
        rows[digest] = {
            "content_sha256": digest, "message_id": _message_id(item.raw),
            "source": _source(mailbox, uidvalidity, item.uid), "mailbox": mailbox,
            "uidvalidity": uidvalidity, "uid": item.uid, "size": len(item.raw), "raw": item.raw,
        }
    # Core, not an ORM object and flush per message (a third of the CPU of storing a batch).
    new_ids = dict(zip(rows, insert_returning_ids(session, RawMessage, list(rows.values())), strict=True))
    stored = []
    for item, digest in zip(batch, digests):
        if digest in by_hash:
            stored.append(Stored(by_hash[digest], new=False))
        elif item.uid in by_uid:
            stored.append(Stored(by_uid[item.uid], new=False))
        else:
            # The first of two identical messages in one batch is new, the second is not.
            stored.append(Stored(new_ids[digest], new=rows[digest]["uid"] == item.uid))
    return stored


def _source(mailbox: str, uidvalidity: int, uid: int) -> str:
    return f"imap:{mailbox};uidvalidity={uidvalidity};uid={uid}"[:2000]


def _find(db: Database, digest: str, mailbox: str | None, uidvalidity: int | None, uid: int | None) -> int | None:
    with db.session() as session:
        found = session.scalar(select(RawMessage.id).where(RawMessage.content_sha256 == digest))
        if found is None and mailbox is not None and uid is not None:
            found = session.scalar(
                select(RawMessage.id).where(
                    RawMessage.mailbox == mailbox,
                    RawMessage.uidvalidity == uidvalidity,
                    RawMessage.uid == uid,
                )
            )
        return found


def _message_id(raw: bytes) -> str | None:
    """The Message-ID from the header block, without parsing the whole message."""
    head = raw[:65536]
    # The header block ends at the first empty line: CRLF CRLF as IMAP delivers mail, or LF LF.
    ends = [end for end in (head.find(b"\r\n\r\n"), head.find(b"\n\n")) if end >= 0]
    if ends:
        head = head[: min(ends)]
    found = _MESSAGE_ID.search(head)
    if not found:
        return None
    value = re.sub(rb"\s+", b"", found.group(1)).decode("utf-8", "replace").strip("<>")
    return value[:998] or None
