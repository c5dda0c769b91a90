"""The app factory: the Context in, a FastAPI app out; every route behind login and CSRF checks."""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from intake.context import Context
from intake.web.auth import Forbidden, NotAuthenticated, require_login, session_secret
from intake.web.rendering import STATIC_DIR, make_templates, render, translator
from intake.web.replying import ReplyTemplates
from intake.web.routes import admin, api, auth, manager, tickets
from intake.web.security import CSRFError, LoginThrottle, SecurityHeaders, check_csrf

log = logging.getLogger("intake.web")

SESSION_COOKIE = "intake_session"
ROUTE_MODULES = (auth, tickets, manager, admin, api)
MAX_BODY_BYTES = 2 * 1024 * 1024


def create_app(ctx: Context) -> FastAPI:
    settings = ctx.settings
    app = FastAPI(
        title="Intake",
        summary="The migration service's ticket queues and backlog figures.",
        version="1",
        docs_url=None,  # the interactive docs load scripts from a CDN; /api/openapi.json needs a login
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(require_login), Depends(check_csrf)],
        max_body_size=MAX_BODY_BYTES,
    )
    app.state.ctx = ctx
    app.state.templates = make_templates()
    app.state.throttle = LoginThrottle(
        settings.web_login_max_failures, settings.web_login_lockout_minutes * 60
    )
    app.state.reply_templates = ReplyTemplates(settings.templates_dir, ctx.routing)
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_secret(settings),
        session_cookie=SESSION_COOKIE,
        max_age=settings.web_session_idle_minutes * 60,
        same_site="lax",
        https_only=settings.web_cookie_secure,
    )
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    for module in ROUTE_MODULES:
        app.include_router(module.router)
    _add_error_pages(app)
    return app


def all_routes() -> list[APIRoute]:
    """Every route the app serves (the static files aside), for checks that must miss none."""
    return [r for m in ROUTE_MODULES for r in m.router.routes if isinstance(r, APIRoute)]


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/health"


def _add_error_pages(app: FastAPI) -> None:
    @app.exception_handler(NotAuthenticated)
    def not_authenticated(request: Request, exc: NotAuthenticated) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": "login required"}, status_code=401)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        expired = "&expired=1" if exc.expired else ""
        return RedirectResponse(f"/login?next={quote(target, safe='')}{expired}", status_code=303)

    @app.exception_handler(Forbidden)
    def forbidden(request: Request, exc: Forbidden) -> Response:
        return _error(request, 403, "error.forbidden")

    @app.exception_handler(CSRFError)
    def csrf_failed(request: Request, exc: CSRFError) -> Response:
        return _error(request, 403, "error.csrf")

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return _error(request, 404, "error.not_found")
        if _wants_json(request):
            return JSONResponse(
                {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
            )
        return _error(request, exc.status_code, None, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    def invalid(request: Request, exc: RequestValidationError) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": exc.errors()}, status_code=422)
        return _error(request, 400, "flash.invalid")

    @app.exception_handler(Exception)
    def crashed(request: Request, exc: Exception) -> Response:
        log.exception("web request %s %s failed", request.method, request.url.path)
        return _error(request, 500, "error.server")


def _error(request: Request, status: int, key: str | None, text: str = "") -> Response:
    message = translator(request)(key) if key else text
    if _wants_json(request):
        return JSONResponse({"detail": message}, status_code=status)
    return render(request, "error.html", status, status=status, message=message)
