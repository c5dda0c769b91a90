"""Login, logout, the interface language, and the health check."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from intake.errors import StoreUnavailable
from intake.tickets import add_event
from intake.web.auth import context_of, current_account, end_session, start_session
from intake.web.rendering import flash, render, translator
from intake.web.users import authenticate, set_language

router = APIRouter()
audit = logging.getLogger("intake.web.audit")


def safe_next(target: str | None) -> str:
    """Only a path on this site: never another host after login."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/tickets"
    return target


@router.get("/health", name="health", include_in_schema=True, tags=["health"])
def health(request: Request) -> JSONResponse:
    """Up and able to reach the database; no data, no login."""
    try:
        context_of(request).db.check()
    except StoreUnavailable:
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})


@router.get("/login", name="login_form", response_class=HTMLResponse, include_in_schema=False)
def login_form(request: Request, next: str = "/tickets") -> Response:
    if current_account(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    t = translator(request)
    error = t("login.expired") if request.query_params.get("expired") else None
    if context_of(request).settings.web_cookie_secure and request.url.scheme != "https":
        error = t("login.insecure")
    return render(request, "login.html", next=safe_next(next), error=error, username="")


@router.post("/login", name="login", response_class=HTMLResponse, include_in_schema=False)
def login(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    next: str = Form("/tickets"),
) -> Response:
    ctx = context_of(request)
    t = translator(request)
    throttle = request.app.state.throttle
    client = request.client.host if request.client else "?"
    username = username[:150]
    keys = (f"user:{username.strip().lower()}", f"ip:{client}")

    def form_again(status_code: int, error: str) -> Response:
        return render(
            request, "login.html", status_code, next=safe_next(next), username=username, error=error
        )

    if throttle.locked(*keys):
        audit.warning("login locked user=%s client=%s", username, client)
        return form_again(429, t("login.locked", minutes=ctx.settings.web_login_lockout_minutes))
    found = authenticate(ctx.db, username, password[:1024])
    if found is None:
        throttle.failed(*keys)
        audit.info("login failed user=%s client=%s", username, client)
        return form_again(401, t("login.failed"))
    throttle.succeeded(keys[0])
    account, password_hash = found
    start_session(request, account, password_hash)
    with ctx.db.session() as session:
        add_event(session, None, "login", actor=account.username, client=client)
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout", name="logout", include_in_schema=False)
def logout(request: Request) -> Response:
    end_session(request)
    flash(request, "logout.done")
    return RedirectResponse("/login", status_code=303)


@router.post("/language", name="language", include_in_schema=False)
def language(request: Request, lang: str = Form("nl"), next: str = Form("/tickets")) -> Response:
    if lang in ("nl", "en"):
        request.session["lang"] = lang
        account = current_account(request)
        if account is not None:
            set_language(context_of(request).db, account.id, lang)
    return RedirectResponse(safe_next(next), status_code=303)


@router.get("/", name="home", include_in_schema=False)
def home() -> Response:
    return RedirectResponse("/tickets", status_code=303)
