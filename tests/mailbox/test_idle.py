"""Mail that arrives while the poller is busy is fetched at once, not when the next one comes."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import func, select

from intake.config import Settings
from intake.lease import LocalLease
from intake.mailbox import Poller
from intake.store import open_database
from intake.store.models import RawMessage
from tests.dovecot import Dovecot
from tests.mailbox.conftest import wait_until


def test_mail_announced_during_a_cycle_is_fetched_without_waiting_in_idle(dovecot: Dovecot, tmp_path: Path) -> None:
    # Given a poller on an IDLE-capable server that would sleep ten minutes in IDLE
    db = open_database(f"sqlite:///{tmp_path / 'intake.db'}")
    settings = Settings(database_url=str(db.engine.url), imap_idle_timeout=600, **dovecot.settings("tls"))
    dovecot.append([b"Subject: first\r\n\r\nfirst\r\n"])

    # When a second message arrives while the first is being fetched: the server announces it
    # in the reply to the poller's next command, before the poller goes into IDLE
    arrived, stop = threading.Event(), threading.Event()

    def second_arrives(count: int) -> None:
        if not arrived.is_set():
            arrived.set()
            dovecot.append([b"Subject: second\r\n\r\nsecond\r\n"])

    poller = Poller(settings, db, lambda raw_ids: None, LocalLease(), on_fetched=second_arrives)
    thread = threading.Thread(target=poller.run, args=(stop,))
    thread.start()
    try:
        # Then both are stored and done on the server within seconds
        def stored() -> int:
            with db.session() as session:
                return session.scalar(select(func.count()).select_from(RawMessage)) or 0

        wait_until(lambda: stored() == 2, 15, "the second message to be stored")
        wait_until(lambda: dovecot.uids("INBOX") == [], 15, "both to be marked done")
    finally:
        stop.set()
        thread.join(timeout=30)
        db.dispose()
    assert not thread.is_alive()
