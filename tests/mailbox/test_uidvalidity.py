"""When the folder's UIDVALIDITY changes, the poller rescans it and files nothing twice."""

from __future__ import annotations

from sqlalchemy import select

from intake.store.models import MailboxCheckpoint
from tests.mailbox.conftest import Mailroom, citizen_messages, wait_until

FOLDER = "Citizens"


def _uidvalidity(mailroom: Mailroom) -> int:
    with mailroom.engine.connect() as conn:
        return int(conn.execute(select(MailboxCheckpoint.uidvalidity)).scalar_one())


def test_uidvalidity_change_rescans_without_duplicate_tickets(mailroom: Mailroom) -> None:
    # Given a folder whose mail was all filed and answered
    with mailroom.dovecot.client() as client:
        client.create_folder(FOLDER)
    first = citizen_messages(10, "old")
    mailroom.append(first, FOLDER)
    worker = mailroom.start_worker(imap_folder=FOLDER)
    wait_until(lambda: mailroom.all_filed() and mailroom.all_acknowledged(), 60, "the first 10 through")
    assert worker.terminate() == 0
    before = _uidvalidity(mailroom)

    # When the folder is rebuilt (a server migration): new UIDVALIDITY, the same mail again, and new mail
    with mailroom.dovecot.client() as client:
        client.delete_folder(FOLDER)
        client.create_folder(FOLDER)
    mailroom.dovecot.append(list(first.values()), FOLDER)
    mailroom.append(citizen_messages(3, "new"), FOLDER)
    worker = mailroom.start_worker(imap_folder=FOLDER)

    # Then only the new mail becomes tickets; the known mail is recognised by its content
    wait_until(lambda: mailroom.all_filed() and mailroom.all_acknowledged(), 60, "the 3 new through")
    wait_until(lambda: not mailroom.dovecot.uids(FOLDER), 20, "the folder emptied")
    assert worker.terminate() == 0
    assert _uidvalidity(mailroom) != before
    assert worker.steps("uidvalidity_changed")
    mailroom.assert_exactly_once()
