"""The managers' figures, on SQLite and PostgreSQL alike, and the CSV export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update

from intake.store.models import DailyCount, RawMessage, Ticket, User
from intake.web.dashboard import build_dashboard
from tests.builders import citizen_mail
from tests.web.conftest import Web, add_team, file_mails, three_citizens

ZONE = ZoneInfo("Europe/Brussels")


def set_times(web_or_ctx, ticket_id: int, **values: object) -> None:  # type: ignore[no-untyped-def]
    ctx = getattr(web_or_ctx, "ctx", web_or_ctx)
    with ctx.db.session() as session:
        session.execute(update(Ticket).where(Ticket.id == ticket_id).values(**values))


def test_the_dashboard_figures(context, make_web) -> None:  # type: ignore[no-untyped-def]
    # Given three tickets of different ages, one answered and closed, one written twice about
    ctx = context
    add_team(ctx)
    now = datetime.now(UTC)
    a, b, c = file_mails(ctx, *three_citizens())
    file_mails(
        ctx,
        citizen_mail(
            sender="Amina Test <amina@example.com>",
            subject="Re: Aanvraag F+ kaart",
            body="Nog een vraag over mijn F+ kaart, de foto is bijgevoegd.",
        ),
    )
    set_times(ctx, a, received_at=now - timedelta(days=10))
    set_times(
        ctx,
        b,
        received_at=now - timedelta(days=2),
        first_reply_at=now - timedelta(days=1),
        status="closed",
        closed_at=now - timedelta(hours=20),
    )
    set_times(ctx, c, received_at=now - timedelta(hours=5))
    with ctx.db.session() as session:
        agent_id = session.query(User.id).filter(User.username == "agent").scalar()
        session.execute(
            update(Ticket).where(Ticket.id == c).values(assigned_to=agent_id, status="open")
        )
        day = (now - timedelta(days=3)).astimezone(ZONE).date().isoformat()
        session.add(
            DailyCount(day=day, queue="triage", intent="general_question", opened=4, closed=6)
        )
        session.add(
            RawMessage(
                content_sha256="0" * 64,
                source="t",
                size=1,
                raw=b"x",
                state="stored",
                received_at=now - timedelta(minutes=30),
            )
        )
    # When the dashboard is computed
    d = build_dashboard(ctx.db, days=28, zone=ZONE, now=now)
    # Then the backlog, ages, flow, answer time, workload and repeat writers are right
    assert d.total_open == 2 and d.total_waiting == 2
    assert {b.queue: b.waiting for b in d.by_queue} == {"kaarten-email": 1, "triage": 1}
    assert dict(d.ages) == {
        "lt1d": 1,
        "1to3d": 0,
        "3to7d": 0,
        "7to14d": 1,
        "14to30d": 0,
        "gt30d": 0,
    }
    flow = {f.day: f for f in d.flow}
    today = now.astimezone(ZONE).date()
    assert flow[(now - timedelta(days=10)).astimezone(ZONE).date()].inflow == 1
    assert flow[(now - timedelta(hours=20)).astimezone(ZONE).date()].outflow == 1
    assert (
        flow[(now - timedelta(days=3)).astimezone(ZONE).date()].outflow == 6
    )  # purged, still counted
    assert len(d.flow) == 28 and d.flow[-1].day == today
    assert d.median_first_reply == timedelta(days=1) and d.answered == 1
    assert [r.id for r in d.oldest] == [a, c]
    assert {w.name: w.assigned_open for w in d.workload}["Anna Agent"] == 1
    assert d.unprocessed == 1 and d.unprocessed_since is not None
    assert abs((now - d.unprocessed_since).total_seconds() - 1800) < 5
    assert d.repeat_citizens == 1 and d.cases_in_window == 3
    # And the page shows them with the chart
    web = make_web(ctx)
    web.login("manager")
    page = web.client.get("/dashboard")
    assert page.status_code == 200
    assert '<svg class="chart"' in page.text and page.text.count('class="bar"') == 56


def test_the_csv_export_of_a_period_has_no_personal_data(web: Web) -> None:
    add_team(web.ctx)
    a, b, c = file_mails(web.ctx, *three_citizens())
    set_times(web, a, received_at=datetime(2026, 3, 1, 10, tzinfo=UTC))
    set_times(
        web, b, received_at=datetime(2026, 3, 31, 22, 30, tzinfo=UTC)
    )  # 1 April in Ghent (CEST)
    set_times(web, c, received_at=datetime(2026, 3, 15, 9, tzinfo=UTC))
    with web.ctx.db.session() as session:
        session.execute(
            update(Ticket).where(Ticket.id == c).values(subject='=HYPERLINK("http://x")')
        )
    web.login("manager")
    response = web.client.get("/dashboard/export.csv?start=2026-03-01&end=2026-03-31")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    with web.ctx.db.session() as session:
        refs = [session.get(Ticket, i).reference for i in (a, c)]  # type: ignore[union-attr]
    assert [r["reference"] for r in rows] == refs
    assert "amina" not in response.text.lower() and "HYPERLINK" not in response.text
    assert (
        web.client.get("/dashboard/export.csv?start=2026-03-31&end=2026-03-01").status_code == 400
    )
