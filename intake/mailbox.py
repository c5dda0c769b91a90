"""The IMAP poller: fetch new mail by UID, store it, hand it to the workers, mark it done.

One cycle, in this order, so that nothing is lost and nothing is done twice:

1. search the folder for messages not yet marked done;
2. fetch the ones not stored yet, in batches, with ``BODY.PEEK[]`` (the \\Seen flag is untouched);
3. store each batch in one transaction together with the folder's checkpoint, and commit;
4. enqueue the stored messages for processing (a lost enqueue is redone by the sweeper);
5. mark them done on the server: move to a folder or set a keyword. Never delete.

Between cycles the poller waits in IDLE, or sleeps when the server has no IDLE. When the
connection drops it reconnects with backoff, logging the loss once and the recovery once.
Only the holder of the mailbox lease polls; a standby waits for the lease.
"""

from __future__ import annotations

import logging
import random
import socket
import ssl
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from imapclient import IMAPClient  # type: ignore[import-untyped]
from imapclient.exceptions import IMAPClientError, LoginError  # type: ignore[import-untyped]
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from intake import imap_auth
from intake.config import Settings
from intake.errors import ConfigError, StoreUnavailable
from intake.lease import Lease
from intake.rawstore import Fetched, Stored, advance_checkpoint, store_batch
from intake.store import Database
from intake.store.models import MailboxCheckpoint, RawMessage

log = logging.getLogger("intake.mailbox")

# What a dropped connection, a restarted server or a lost database looks like from here.
CONNECTION_ERRORS = (IMAPClientError, OSError, ssl.SSLError, socket.timeout, EOFError)
STORE_ERRORS = (SQLAlchemyError, StoreUnavailable)


def mailbox_key(settings: Settings) -> str:
    """The name this folder is known by in the store and the lease: ``user@host/folder``."""
    return f"{settings.imap_user}@{settings.imap_host}/{settings.imap_folder}"[:255]


@dataclass(frozen=True, slots=True)
class CycleResult:
    fetched: int = 0
    new: int = 0
    marked_done: int = 0


class Backoff:
    """Growing, jittered delays: 1, 2, 4 ... up to ``maximum`` seconds."""

    def __init__(self, maximum: float, first: float = 1.0) -> None:
        self.maximum, self.first, self.failures = maximum, first, 0

    def next_delay(self) -> float:
        delay = min(self.maximum, self.first * 2.0**self.failures)
        self.failures += 1
        return float(delay * random.uniform(0.8, 1.2))

    def reset(self) -> None:
        self.failures = 0


class Poller:
    """Watches one folder and carries each new message to the store and the queue."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        enqueue: Callable[[Sequence[int]], None],
        lease: Lease,
        *,
        connect: Callable[[Settings], IMAPClient] = imap_auth.connect,
        on_fetched: Callable[[int], None] | None = None,
    ) -> None:
        self.settings = settings
        self.db = db
        self.enqueue = enqueue
        self.lease = lease
        self.connect = connect  # one overridable place that opens the connection
        self.on_fetched = on_fetched
        self.mailbox = mailbox_key(settings)
        self.uidvalidity: int | None = None
        self._done_folder: str | None = None

    # -- the loop -----------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Poll until ``stop`` is set; connection and store failures end in a reconnect."""
        backoff = Backoff(self.settings.reconnect_max_delay)
        down_since: float | None = None

        def healthy() -> None:
            # Recovered only once a whole cycle worked: the mailbox and the store both answer.
            nonlocal down_since
            if down_since is not None:
                log.info(
                    "reconnected to %s after %d attempt(s), %.1fs", self.settings.imap_host,
                    backoff.failures, time.monotonic() - down_since, extra={"step": "reconnected"},
                )
                down_since = None
            backoff.reset()

        announced = False  # "polling" is logged each time this poller starts holding the lease
        while not stop.is_set():
            if not self.lease.held():
                log.info("waiting for the mailbox lease of %s", self.mailbox, extra={"step": "standby"})
                while not stop.is_set() and not self.lease.wait_held(stop, timeout=60):
                    pass
                if stop.is_set():
                    return
                announced = False
            if not announced:
                log.info("polling %s", self.mailbox, extra={"step": "polling", "mailbox": self.mailbox})
                announced = True
            try:
                with self._open() as client:
                    self._session(client, stop, healthy)
            except ConfigError:
                raise
            except (*CONNECTION_ERRORS, *STORE_ERRORS) as exc:
                if stop.is_set():
                    return
                if down_since is None:
                    down_since = time.monotonic()
                    level = logging.ERROR if isinstance(exc, LoginError) else logging.WARNING
                    log.log(
                        level, "mailbox %s unavailable (%s: %s); reconnecting with backoff", self.mailbox,
                        type(exc).__name__, _short(exc), extra={"step": "disconnected"},
                    )
                else:
                    log.debug("reconnect attempt %d failed: %s", backoff.failures, exc)
                stop.wait(backoff.next_delay())

    def _open(self) -> IMAPClient:
        client = self.connect(self.settings)
        _quiet_imaplib(client)
        return client

    def _session(self, client: IMAPClient, stop: threading.Event, healthy: Callable[[], None]) -> None:
        """One connection's life: select, then cycle and wait until stopped or the lease is lost."""
        self._select(client)
        while not stop.is_set() and self.lease.held():
            _take_mail_announcements(client)  # this cycle's SEARCH sees what they announced
            self.poll_once(client, stop)
            healthy()
            if stop.is_set() or not self.lease.held():
                break
            if not _take_mail_announcements(client):
                self._wait_for_mail(client, stop)

    # -- one cycle ----------------------------------------------------------------------------

    def _select(self, client: IMAPClient) -> None:
        info = client.select_folder(self.settings.imap_folder)
        uidvalidity = int(info[b"UIDVALIDITY"])
        if self.settings.imap_done_action == "flag" and b"\\*" not in info.get(b"PERMANENTFLAGS", (b"\\*",)):
            log.warning("%s does not keep keywords: flagging done mail will not stick; use the move action",
                        self.settings.imap_folder)
        self._done_folder = self._ensure_done_folder(client)
        with self.db.session() as session:
            checkpoint = session.get(MailboxCheckpoint, self.mailbox)
            if checkpoint is not None and checkpoint.uidvalidity != uidvalidity:
                log.warning(
                    "UIDVALIDITY of %s changed from %s to %s: rescanning; messages already stored are "
                    "recognised by their content", self.mailbox, checkpoint.uidvalidity, uidvalidity,
                    extra={"step": "uidvalidity_changed", "mailbox": self.mailbox},
                )
                advance_checkpoint(session, self.mailbox, uidvalidity, 0)
            elif checkpoint is None:
                advance_checkpoint(session, self.mailbox, uidvalidity, 0)
        self.uidvalidity = uidvalidity

    def poll_once(self, client: IMAPClient, stop: threading.Event | None = None) -> CycleResult:
        """Fetch, store, enqueue and mark done everything not yet done in the folder."""
        assert self.uidvalidity is not None, "select the folder first"
        pending = sorted(client.search(self._not_done_criteria()))
        if not pending:
            return CycleResult()
        known = self._known(pending)
        # Stored before (a crash came between commit and marking done): only mark them now.
        already = [uid for uid in pending if uid in known]
        if already:
            self._enqueue([raw_id for raw_id, state in known.values() if state == "stored"])
            self._mark_done(client, already)
        fetched = new = 0
        size = self.settings.imap_batch_size
        todo = [uid for uid in pending if uid not in known]
        for start in range(0, len(todo), size):
            if (stop is not None and stop.is_set()) or not self.lease.held():
                break
            batch = self._fetch(client, todo[start : start + size])
            stored = store_batch(self.db, batch, mailbox=self.mailbox, uidvalidity=self.uidvalidity)
            self._log_stored(batch, stored)
            fetched += len(batch)
            new += sum(s.new for s in stored)
            if self.on_fetched:
                self.on_fetched(len(batch))
            self._enqueue([s.raw_id for s in stored if s.new])
            self._mark_done(client, [item.uid for item in batch])
        return CycleResult(fetched, new, len(already) + fetched)

    def _not_done_criteria(self) -> list[str]:
        if self.settings.imap_done_action == "flag":
            return ["NOT", "DELETED", "UNKEYWORD", self.settings.imap_done_flag]
        return ["NOT", "DELETED"]

    def _known(self, uids: list[int]) -> dict[int, tuple[int, str]]:
        """Of these UIDs, those stored already: uid -> (raw id, state)."""
        found: dict[int, tuple[int, str]] = {}
        with self.db.reader() as session:
            for start in range(0, len(uids), 1000):
                rows = session.execute(
                    select(RawMessage.uid, RawMessage.id, RawMessage.state).where(
                        RawMessage.mailbox == self.mailbox,
                        RawMessage.uidvalidity == self.uidvalidity,
                        RawMessage.uid.in_(uids[start : start + 1000]),
                    )
                )
                found.update({uid: (raw_id, state) for uid, raw_id, state in rows if uid is not None})
        return found

    def _fetch(self, client: IMAPClient, uids: list[int]) -> list[Fetched]:
        response = client.fetch(uids, [b"BODY.PEEK[]"])
        batch = []
        for uid in uids:
            data = response.get(uid)
            raw = data.get(b"BODY[]") if data else None
            if raw is None:
                continue  # expunged by someone else between SEARCH and FETCH
            batch.append(Fetched(uid, bytes(raw)))
        return batch

    def _log_stored(self, batch: list[Fetched], stored: list[Stored]) -> None:
        for item, result in zip(batch, stored):
            log.info(
                "stored uid %d as raw %d%s", item.uid, result.raw_id, "" if result.new else " (seen before)",
                extra={"step": "stored", "mailbox": self.mailbox, "uid": item.uid, "raw_id": result.raw_id,
                       "new": result.new},
            )

    def _enqueue(self, raw_ids: list[int]) -> None:
        if not raw_ids:
            return
        try:
            self.enqueue(raw_ids)
        except Exception as exc:  # noqa: BLE001 - the messages are committed; the sweeper enqueues them again
            log.warning(
                "could not enqueue %d stored message(s) (%s); the sweeper will", len(raw_ids), _short(exc),
                extra={"step": "enqueue_failed"},
            )

    def _mark_done(self, client: IMAPClient, uids: list[int]) -> None:
        if not uids:
            return
        if self.settings.imap_done_action == "flag" or self._done_folder is None:
            client.add_flags(uids, [self.settings.imap_done_flag], silent=True)
        elif client.has_capability("MOVE"):
            client.move(uids, self._done_folder)
        else:
            # A move without MOVE: copy, then remove the original; the copy is the mail kept.
            client.copy(uids, self._done_folder)
            client.add_flags(uids, [b"\\Deleted"], silent=True)
            client.uid_expunge(uids)
        log.info(
            "marked %d message(s) done (uid %d-%d)", len(uids), uids[0], uids[-1],
            extra={"step": "marked_done", "mailbox": self.mailbox, "count": len(uids)},
        )

    def _ensure_done_folder(self, client: IMAPClient) -> str | None:
        """The folder processed mail moves to, created if missing; None when flagging instead."""
        if self.settings.imap_done_action != "move":
            return None
        if not client.has_capability("MOVE") and not client.has_capability("UIDPLUS"):
            log.warning("server has neither MOVE nor UIDPLUS: marking done with a keyword instead")
            return None
        folder = self.settings.imap_done_folder
        delimiter = _delimiter(client)
        if delimiter and delimiter != "/":
            folder = folder.replace("/", delimiter)
        if not client.folder_exists(folder):
            client.create_folder(folder)
            log.info("created folder %s for processed mail", folder)
        return folder

    # -- waiting ------------------------------------------------------------------------------

    def _wait_for_mail(self, client: IMAPClient, stop: threading.Event) -> None:
        if not (self.settings.imap_use_idle and client.has_capability("IDLE")):
            deadline = time.monotonic() + self.settings.imap_poll_interval
            while not stop.is_set() and self.lease.held() and time.monotonic() < deadline:
                stop.wait(min(1.0, max(0.0, deadline - time.monotonic())))
            return
        client.idle()
        try:
            deadline = time.monotonic() + self.settings.imap_idle_timeout
            while not stop.is_set() and self.lease.held() and time.monotonic() < deadline:
                started = time.monotonic()
                responses = client.idle_check(timeout=1.0)
                if any(_announces_mail(r) for r in responses):
                    return
                if not responses and time.monotonic() - started < 0.5:
                    # Woken with nothing to read: the connection may have closed. Leave IDLE;
                    # idle_done() raises if it did, and the loop reconnects.
                    return
        finally:
            client.idle_done()


def _quiet_imaplib(client: IMAPClient) -> None:
    """Turn off imaplib's debug output unless its logger shows it.

    IMAPClient sets imaplib's debug level to 5 and routes it to the "imapclient.imaplib"
    logger. At that level imaplib formats the repr() of every response it keeps, each fetched
    message included, twice, before the logger drops the line: a third of the poller's CPU.
    """
    imap = getattr(client, "_imap", None)
    if imap is not None and not logging.getLogger("imapclient.imaplib").isEnabledFor(logging.DEBUG):
        imap.debug = 0


def _take_mail_announcements(client: IMAPClient) -> bool:
    """Whether the server announced new mail during the commands since the last call.

    Mail that arrives while a command runs is announced (EXISTS) in that command's untagged
    responses, which imaplib keeps aside. IDLE does not announce it again, so without this check
    the poller would sleep on it until the next message came. Clearing the kept responses also
    stops the EXPUNGE lines of moved mail from piling up over a long session.
    """
    imap = getattr(client, "_imap", None)
    if imap is None:
        return False
    kept = imap.untagged_responses
    announced = "EXISTS" in kept or "RECENT" in kept
    kept.clear()
    return announced


def _announces_mail(response: object) -> bool:
    return isinstance(response, tuple) and len(response) >= 2 and response[1] in (b"EXISTS", b"RECENT")


def _delimiter(client: IMAPClient) -> str | None:
    folders = client.list_folders(directory="", pattern="")
    if folders and folders[0][1]:
        value = folders[0][1]
        return value.decode() if isinstance(value, bytes) else str(value)
    return None


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300]
