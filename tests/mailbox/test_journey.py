"""Mail APPENDed to the mailbox becomes tickets, and each citizen hears from us exactly once."""

from __future__ import annotations

from tests.dovecot import Dovecot
from tests.mailbox.conftest import Mailroom, citizen_messages, wait_until


def test_appended_messages_become_tickets_and_each_citizen_gets_one_acknowledgement(mailroom: Mailroom) -> None:
    # Given a worker watching the mailbox over IMAPS, in IDLE
    worker = mailroom.start_worker()
    mailroom.append(citizen_messages(10, "early"))

    # When more mail arrives while it runs
    wait_until(lambda: mailroom.processed_count() >= 1, 30, "the first ticket")
    mailroom.append(citizen_messages(15, "later"))

    # Then every message is filed once and acknowledged once, and moved out of the inbox
    wait_until(lambda: mailroom.all_filed() and mailroom.all_acknowledged(), 60, "25 tickets and 25 acks")
    wait_until(lambda: not mailroom.in_inbox(), 20, "the inbox to be emptied")
    assert worker.terminate() == 0
    mailroom.assert_exactly_once()
    assert len(mailroom.dovecot.uids("Intake.Processed")) == 25
    assert worker.steps("processed") and all(line.get("ticket") for line in worker.steps("processed"))


def test_without_idle_it_polls_over_starttls_and_marks_mail_done_with_a_keyword(mailroom: Mailroom) -> None:
    # Given a worker that polls every half second, over STARTTLS, and flags what it has done
    worker = mailroom.start_worker(
        **mailroom.dovecot.settings("starttls"), imap_use_idle=False, imap_poll_interval=0.5,
        imap_done_action="flag",
    )
    mailroom.append(citizen_messages(8, "poll"))

    # Then the mail is filed, stays in the inbox with the keyword, and is not marked \Seen
    wait_until(lambda: mailroom.all_filed() and mailroom.all_acknowledged(), 60, "8 through")
    wait_until(lambda: not mailroom.dovecot.uids("INBOX", ["UNKEYWORD", "$IntakeDone"]), 20, "all flagged")
    assert worker.terminate() == 0
    assert len(mailroom.dovecot.uids("INBOX")) == 8
    assert mailroom.dovecot.uids("INBOX", ["SEEN"]) == []
    mailroom.assert_exactly_once()


def test_xoauth2_login_with_a_token_from_a_command(mailroom: Mailroom, tmp_path) -> None:
    # Given a server that accepts one OAuth2 access token, as hosted mailboxes do
    mailroom.dovecot.cleanup()
    mailroom.dovecot = Dovecot(oauth2_token="tok-3f9a")
    try:
        mailroom.dovecot.start()
        (tmp_path / "token").write_text("tok-3f9a\n")

        # When the worker gets its token from a command and has no password
        worker = mailroom.start_worker(imap_password=None, imap_oauth2_token_command=f"cat {tmp_path / 'token'}")
        mailroom.append(citizen_messages(3, "oauth"))

        # Then it signs in with XOAUTH2 and files the mail
        wait_until(lambda: mailroom.all_filed() and mailroom.all_acknowledged(), 60, "3 through")
        assert worker.terminate() == 0
        assert "method=XOAUTH2" in mailroom.dovecot.log_text()
        mailroom.assert_exactly_once()
    finally:
        mailroom.dovecot.cleanup()


def test_without_redis_the_worker_runs_in_one_process_on_sqlite(mailroom: Mailroom, tmp_path) -> None:
    # Given the embedded default: no Redis, a SQLite file
    mailroom.use_database(f"sqlite:///{tmp_path / 'intake.db'}")
    worker = mailroom.start_worker(redis_url=None)
    mailroom.append(citizen_messages(6, "solo"))

    # Then the poller and dramatiq's worker threads share one process and file everything
    wait_until(lambda: mailroom.all_filed() and mailroom.all_acknowledged(), 60, "6 through")
    assert worker.terminate() == 0
    assert {line["pid"] for line in worker.steps("processed")} == {worker.pid}
    mailroom.assert_exactly_once()
