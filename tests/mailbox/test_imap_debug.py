"""The poller's connection does not format imaplib's protocol trace nobody reads."""

from __future__ import annotations

import logging

from intake.config import Settings
from intake.lease import LocalLease
from intake.mailbox import Poller
from intake.store import Database
from tests.dovecot import Dovecot


def poller_for(dovecot: Dovecot) -> Poller:
    settings = Settings(database_url="sqlite://", **dovecot.settings("tls"))
    return Poller(settings, Database("sqlite://"), lambda raw_ids: None, LocalLease())


def test_imaplib_debug_output_is_off_when_its_logger_would_drop_it(dovecot: Dovecot) -> None:
    # IMAPClient turns imaplib's debug level up to 5: a repr() of every fetched message.
    dovecot.append([b"Subject: hello\r\n\r\nbody\r\n"])
    client = poller_for(dovecot)._open()
    try:
        assert client._imap.debug == 0
        client.select_folder("INBOX")
        [data] = client.fetch(client.search("ALL"), [b"BODY.PEEK[]"]).values()
        assert data[b"BODY[]"] == b"Subject: hello\r\n\r\nbody\r\n"
    finally:
        client.logout()


def test_imaplib_debug_output_stays_on_when_its_logger_shows_it(dovecot: Dovecot) -> None:
    trace = logging.getLogger("imapclient.imaplib")
    level = trace.level
    trace.setLevel(logging.DEBUG)
    try:
        client = poller_for(dovecot)._open()
        assert client._imap.debug == 5
        client.logout()
    finally:
        trace.setLevel(level)
