"""Jinja2 pages: the templates, their filters, and what every page gets (user, language, token)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from intake.web.auth import context_of, current_account
from intake.web.i18n import Translator, from_accept_language
from intake.web.security import csrf_token

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    templates.env.trim_blocks = True
    templates.env.lstrip_blocks = True
    templates.env.filters["filesize"] = filesize
    return templates


def translator(request: Request) -> Translator:
    """The interface language: the user's setting, else the session's, else the browser's."""
    account = current_account(request)
    language = (account.language if account else None) or request.session.get("lang")
    return Translator(language or from_accept_language(request.headers.get("accept-language")))


def render(request: Request, name: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    ctx = context_of(request)
    t = translator(request)
    zone = ZoneInfo(ctx.settings.web_timezone)
    now = datetime.now(UTC)
    page = {
        "t": t,
        "account": current_account(request),
        "csrf": csrf_token(request),
        "flashes": pop_flashes(request),
        "dt": lambda value: local_time(value, zone),
        "age": lambda value: format_age(now - value, t) if value else "",
        "duration": lambda value: format_age(value, t) if value is not None else "–",
        "path": request.url.path,
        **values,
    }
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, name, page, status_code=status_code)


def flash(request: Request, key: str, kind: str = "ok", **values: object) -> None:
    """A message for the next page, stored in the session as a catalogue key and its values."""
    request.session.setdefault("flash", []).append(
        [kind, key, {k: str(v) for k, v in values.items()}]
    )


def pop_flashes(request: Request) -> list[tuple[str, str]]:
    t = translator(request)
    return [(kind, t(key, **values)) for kind, key, values in request.session.pop("flash", [])]


def local_time(value: datetime | None, zone: ZoneInfo) -> str:
    if value is None:
        return ""
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def format_age(delta: timedelta, t: Translator) -> str:
    """A short age: '3 d 4 h', '5 h 10 min', '12 min'."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{t('age.days', n=days)} {t('age.hours', n=hours)}"
    if hours:
        return f"{t('age.hours', n=hours)} {t('age.minutes', n=mins)}"
    return t("age.minutes", n=mins)


def filesize(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB"):
        if value < 1024:
            return f"{value:.0f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"
