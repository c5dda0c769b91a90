"""Store raw message bytes first, before anything else; a message seen before is a no-op."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from intake.store import Database
from intake.store.models import RawMessage

_MESSAGE_ID = re.compile(rb"^message-id:[ \t]*(.*(?:\r?\n[ \t].*)*)", re.I | re.M)


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
    head = raw[: raw.find(b"\n\n") if b"\n\n" in raw[:65536] else 65536]
    found = _MESSAGE_ID.search(head)
    if not found:
        return None
    value = re.sub(rb"\s+", b"", found.group(1)).decode("utf-8", "replace").strip("<>")
    return value[:998] or None
