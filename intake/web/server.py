"""Serving the app: uvicorn in production behind a reverse proxy, or on loopback for the demo."""

from __future__ import annotations

import dataclasses
import ipaddress
import logging
from typing import Any

import uvicorn
from fastapi import FastAPI

from intake.context import Context
from intake.errors import ConfigError
from intake.web.app import create_app
from intake.web.users import (
    UserError,
    add_user,
    generate_password,
    reset_password,
    set_active,
    set_role,
)

log = logging.getLogger("intake.web")

DEMO_USER = "demo"
DEFAULT_SECRET = "change-me-in-production"


def serve(
    ctx: Context,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    production: bool = False,
    forwarded_allow_ips: str | None = None,
    workers: int = 1,
) -> None:
    """Run the web page until interrupted.

    The demo (production False) on a loopback address gets cookies without the Secure flag, so
    it works over plain http; production refuses to start with the example secret key.
    """
    if production:
        check_production(ctx)
    elif _is_loopback(host):
        ctx = dataclasses.replace(
            ctx, settings=ctx.settings.model_copy(update={"web_cookie_secure": False})
        )
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "proxy_headers": production,
        "forwarded_allow_ips": forwarded_allow_ips or ctx.settings.web_forwarded_allow_ips,
        "server_header": False,
        "log_level": "info",
        # Search terms in URLs are names and addresses: no access log (the proxy keeps its own).
        "access_log": False,
    }
    if workers > 1:
        # Each worker process builds its own Context from the same environment.
        uvicorn.run(
            "intake.web.server:app_from_environment", factory=True, workers=workers, **options
        )
    else:
        uvicorn.run(create_app(ctx), **options)


def app_from_environment() -> FastAPI:
    return create_app(Context.build())


def check_production(ctx: Context) -> None:
    """Refuse to serve personal data with a session key anybody can read in our source."""
    s = ctx.settings
    if not s.web_session_secret and s.secret_key == DEFAULT_SECRET:
        raise ConfigError(
            "set INTAKE_SECRET_KEY (or INTAKE_WEB_SESSION_SECRET) before serving the web page"
        )


def ensure_demo_account(ctx: Context) -> tuple[str, str]:
    """The demo's admin account with a fresh password each run; returns (username, password)."""
    password = generate_password()
    try:
        add_user(
            ctx.db, DEMO_USER, role="admin", password=password, display_name="Demo", language="nl"
        )
    except UserError:
        reset_password(ctx.db, DEMO_USER, password)
        set_active(ctx.db, DEMO_USER, True)
        set_role(ctx.db, DEMO_USER, "admin")
    return DEMO_USER, password


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
