"""The managers' pages: the backlog dashboard and the CSV export."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response, StreamingResponse

from intake.tickets import add_event
from intake.web.auth import ManagerUser, context_of
from intake.web.charts import bar_list, flow_chart
from intake.web.dashboard import build_dashboard
from intake.web.export import export_rows
from intake.web.rendering import render, translator

router = APIRouter(include_in_schema=False)
MAX_EXPORT_DAYS = 3 * 366


def dashboard_days(days: int) -> int:
    return min(max(days, 7), 180)


@router.get("/dashboard", name="dashboard")
def dashboard(request: Request, who: ManagerUser, days: int = 28) -> Response:
    ctx = context_of(request)
    t = translator(request)
    zone = ZoneInfo(ctx.settings.web_timezone)
    d = build_dashboard(ctx.db, days=dashboard_days(days), zone=zone)
    flow_svg = flow_chart(
        d.flow,
        title=t("dash.chart_label", days=d.days),
        in_label=t("dash.inflow"),
        out_label=t("dash.outflow"),
    )
    ages_svg = bar_list([(t(f"bucket.{key}"), n) for key, n in d.ages], title=t("dash.ages"))
    today = datetime.now(UTC).astimezone(zone).date()
    return render(
        request,
        "dashboard.html",
        d=d,
        flow_svg=flow_svg,
        ages_svg=ages_svg,
        export_start=(today - timedelta(days=30)).isoformat(),
        export_end=today.isoformat(),
    )


@router.get("/dashboard/export.csv", name="export_csv")
def export_csv(request: Request, who: ManagerUser, start: date, end: date) -> Response:
    if end < start or (end - start).days > MAX_EXPORT_DAYS:
        raise HTTPException(400, "the period must run forward and span at most three years")
    ctx = context_of(request)
    with ctx.db.session() as session:
        add_event(
            session,
            None,
            "exported",
            actor=who.username,
            start=start.isoformat(),
            end=end.isoformat(),
        )
    filename = f"intake-tickets-{start.isoformat()}-{end.isoformat()}.csv"
    return StreamingResponse(
        export_rows(ctx.db, start, end, ZoneInfo(ctx.settings.web_timezone)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
