"""Retention: closed tickets go with everything personal; the dashboard's counts stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from intake.purge import purge_closed
from intake.store.models import (
    AttachmentBlob,
    Contact,
    DailyCount,
    Event,
    MessageAttachment,
    OutboxMessage,
    RawMessage,
    Ticket,
    TicketMessage,
)
from tests.builders import TINY_PDF, citizen_mail
from tests.web.conftest import file_mails, three_citizens


def count(ctx, model) -> int:  # type: ignore[no-untyped-def]
    with ctx.db.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_purge_removes_old_closed_tickets_and_keeps_counts(context) -> None:  # type: ignore[no-untyped-def]
    ctx = context
    now = datetime.now(UTC)
    old, recent, still_open = file_mails(ctx, *three_citizens())
    shared_pdf = ("scan.pdf", "application/pdf", TINY_PDF)
    [with_pdf, keeps_pdf] = file_mails(
        ctx,
        citizen_mail(
            sender="Pia <pia@example.com>", subject="Documenten", attachments=[shared_pdf]
        ),
        citizen_mail(
            sender="Rik <rik@example.com>", subject="Mijn documenten", attachments=[shared_pdf]
        ),
    )
    with ctx.db.session() as session:
        for ticket_id, closed in ((old, 400), (recent, 10), (with_pdf, 500)):
            session.execute(
                update(Ticket)
                .where(Ticket.id == ticket_id)
                .values(
                    status="closed",
                    received_at=now - timedelta(days=closed + 2),
                    closed_at=now - timedelta(days=closed),
                )
            )
    tickets_before = count(ctx, Ticket)

    counts = purge_closed(ctx, 365, now=now)

    assert counts.tickets == 2 and counts.raw_messages == 2 and counts.messages == 2
    assert counts.contacts == 2  # Amina and Pia have no other ticket
    with ctx.db.session() as session:
        left = set(session.scalars(select(Ticket.id)))
        assert left == {recent, still_open, keeps_pdf}
        assert count(ctx, Ticket) == tickets_before - 2
        assert (
            session.scalar(
                select(func.count())
                .select_from(TicketMessage)
                .where(TicketMessage.ticket_id.in_([old, with_pdf]))
            )
            == 0
        )
        assert (
            session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.ticket_id.in_([old, with_pdf]))
            )
            == 0
        )
        assert (
            session.scalar(
                select(func.count()).select_from(Event).where(Event.ticket_id.in_([old, with_pdf]))
            )
            == 0
        )
        assert (
            session.scalar(select(Contact.id).where(Contact.email == "amina@example.com")) is None
        )
        # The shared PDF is still used by Rik's ticket, so its bytes stay.
        assert count(ctx, AttachmentBlob) == 1 and count(ctx, MessageAttachment) == 1
        assert session.scalar(select(func.count()).select_from(RawMessage)) == 3
        daily = session.scalars(select(DailyCount)).all()
        assert sum(d.opened for d in daily) == 2 and sum(d.closed for d in daily) == 2
        assert session.scalar(select(Event).where(Event.kind == "purged")) is not None
    # Once more is a no-op.
    assert purge_closed(ctx, 365, now=now).tickets == 0


def test_a_dry_run_only_counts(context) -> None:  # type: ignore[no-untyped-def]
    [ticket_id] = file_mails(context, three_citizens()[0])
    with context.db.session() as session:
        session.execute(
            update(Ticket)
            .where(Ticket.id == ticket_id)
            .values(status="resolved", closed_at=datetime.now(UTC) - timedelta(days=40))
        )
    assert purge_closed(context, 30, dry_run=True).tickets == 1
    assert count(context, Ticket) == 1
    assert purge_closed(context, 30).tickets == 1
    assert count(context, Ticket) == 0


def test_purging_a_ticket_merged_away_keeps_the_mail_and_replies_it_handed_over(context) -> None:  # type: ignore[no-untyped-def]
    from intake.web.actions import merge
    from intake.web.users import Account

    # Given two tickets of one case, the first merged into the second long ago
    ctx = context
    now = datetime.now(UTC)
    first, second = file_mails(
        ctx,
        citizen_mail(sender="Amina <amina@example.com>", subject="Aanvraag F+ kaart"),
        citizen_mail(sender="Amina <amina.werk@example.com>", subject="Nog over mijn F+ kaart"),
    )
    agent = Account(id=1, username="agent", display_name="", role="agent", language="nl")
    with ctx.db.session() as session:
        source, target = session.get(Ticket, first), session.get(Ticket, second)
        merge(session, source, agent, target.reference)
        session.execute(
            update(Ticket).where(Ticket.id == first)
            .values(received_at=now - timedelta(days=402), closed_at=now - timedelta(days=400))
        )

    # When the retention purge removes the closed, merged-away ticket
    counts = purge_closed(ctx, 365, now=now)

    # Then the open ticket still has both messages with their raw mail, and both acknowledgements
    assert counts.tickets == 1 and counts.raw_messages == 0
    with ctx.db.session() as session:
        messages = session.scalars(select(TicketMessage).where(TicketMessage.ticket_id == second)).all()
        assert len(messages) == 2 and all(m.raw_message_id is not None for m in messages)
        raws = session.scalars(select(RawMessage.ticket_id)).all()
        assert raws == [second, second]
        assert session.scalars(select(OutboxMessage.ticket_id)).all() == [second, second]
