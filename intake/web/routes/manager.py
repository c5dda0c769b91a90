"""The managers' pages: the backlog dashboard and the CSV export."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response, StreamingResponse

from intake.tickets import add_event
from intake.web.auth import context_of, require_role
from intake.web.charts import bar_list, flow_chart
from intake.web.dashboard import build_dashboard
from intake.web.export import export_rows
from intake.web.rendering import render, translator
from intake.web.users import Account

router = APIRouter(include_in_schema=False)
manager = require_role("manager")
MAX_EXPORT_DAYS = 3 * 366


def dashboard_days(days: int) -> int:
    return min(max(days, 7), 180)


@router.get("/dashboard", name="dashboard")
def dashboard(request: Request, days: int = 28, who: Account = Depends(manager)) -> Response:
    ctx = context_of(request)
    t = translator(request)
    zone = ZoneInfo(ctx.settings.web_timezone)
    with ctx.db.session() as session:
        d = build_dashboard(session, days=dashboard_days(days), zone=zone)
    flow_svg = flow_chart(d.flow, title=t("dash.chart_label", days=d.days), in_label=t("dash.inflow"),
                          out_label=t("dash.outflow"))
    ages_svg = bar_list([(t(f"bucket.{key}"), n) for key, n in d.ages], title=t("dash.ages"))
    today = datetime.now(timezone.utc).astimezone(zone).date()
    return render(
        request, "dashboard.html", d=d, flow_svg=flow_svg, ages_svg=ages_svg,
        export_start=(today - timedelta(days=30)).isoformat(), export_end=today.isoformat(),
    )


@router.get("/dashboard/export.csv", name="export_csv")
def export_csv(request: Request, start: date, end: date, who: Account = Depends(manager)) -> Response:
    if end < start or (end - start).days > MAX_EXPORT_DAYS:
        raise HTTPException(400, "the period must run forward and span at most three years")
    ctx = context_of(request)
    with ctx.db.session() as session:
        add_event(session, None, "exported", actor=who.username, start=start.isoformat(), end=end.isoformat())
    filename = f"intake-tickets-{start.isoformat()}-{end.isoformat()}.csv"
    return StreamingResponse(
        export_rows(ctx.db, start, end, ZoneInfo(ctx.settings.web_timezone)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
