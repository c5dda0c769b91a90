"""Who is asking: the signed session cookie (or the proxy's header), and what their role allows.

Every route needs a signed-in user unless its name is in PUBLIC_ROUTES: deny by default.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from typing import Annotated, cast

from fastapi import Depends, Request

from intake.config import Settings
from intake.context import Context
from intake.store.models import User
from intake.web.security import csrf_token
from intake.web.users import Account, account_of, find_user, password_fingerprint

# Route names reachable without login: the login page (and its language switch), the health check.
PUBLIC_ROUTES = frozenset({"login_form", "login", "language", "health", "static"})
_UNKNOWN = object()


class NotAuthenticated(Exception):
    """Raised when a route needs a login and the request has none (or an expired one)."""

    def __init__(self, expired: bool = False) -> None:
        self.expired = expired


class Forbidden(Exception):
    """Raised when the signed-in user's role does not allow the route."""


def context_of(request: Request) -> Context:
    return request.app.state.ctx  # type: ignore[no-any-return]


def session_secret(settings: Settings) -> str:
    """The cookie signing key: its own setting, or one derived from secret_key."""
    if settings.web_session_secret:
        return settings.web_session_secret
    return hmac.new(settings.secret_key.encode(), b"intake-web-session", hashlib.sha256).hexdigest()


def start_session(request: Request, user: Account, password_hash: str) -> None:
    """A fresh session after login: a new CSRF token, nothing carried over from before."""
    request.session.clear()
    request.session.update(
        uid=user.id,
        ver=password_fingerprint(password_hash),
        at=int(time.time()),
        csrf=secrets.token_urlsafe(32),
        lang=user.language,
    )


def end_session(request: Request) -> None:
    lang = request.session.get("lang")
    request.session.clear()
    if lang:
        request.session["lang"] = lang
    csrf_token(request)


def current_account(request: Request) -> Account | None:
    """The signed-in account, looked up once per request; None when nobody is signed in."""
    known = getattr(request.state, "account", _UNKNOWN)
    if known is not _UNKNOWN:
        return cast(Account | None, known)
    account = _identify(request)
    request.state.account = account
    return account


def require_login(request: Request) -> None:
    """App-wide dependency: every route not named public needs a signed-in user."""
    route = request.scope.get("route")
    if getattr(route, "name", None) in PUBLIC_ROUTES:
        return
    if current_account(request) is None:
        raise NotAuthenticated(expired=getattr(request.state, "session_expired", False))


def require_role(role: str) -> Callable[[Request], Account]:
    def dependency(request: Request) -> Account:
        account = current_account(request)
        if account is None:
            raise NotAuthenticated()
        if not account.has_role(role):
            raise Forbidden()
        return account

    dependency.__name__ = f"require_{role}"
    return dependency


def _identify(request: Request) -> Account | None:
    ctx = context_of(request)
    header = ctx.settings.web_trusted_user_header
    if header:
        username = request.headers.get(header)
        if username:
            return _by_username(ctx, username)
    uid = request.session.get("uid")
    if uid is None:
        return None
    max_age = ctx.settings.web_session_max_hours * 3600
    if time.time() - float(request.session.get("at", 0)) > max_age:
        end_session(request)
        request.state.session_expired = True
        return None
    with ctx.db.session() as session:
        user = session.get(User, uid)
        if (
            user is None
            or not user.active
            or password_fingerprint(user.password_hash) != request.session.get("ver")
        ):
            end_session(request)
            return None
        account = account_of(user)
    _touch(request)
    return account


def _touch(request: Request) -> None:
    """Re-sign the cookie at most once a minute, so the idle timeout counts from the last request."""
    now = int(time.time())
    if now - int(request.session.get("seen", 0)) >= 60:
        request.session["seen"] = now


def _by_username(ctx: Context, username: str) -> Account | None:
    """The proxy vouches for the person; the role still comes from our own users table."""
    with ctx.db.session() as session:
        user = find_user(session, username)
        return account_of(user) if user is not None and user.active else None


# Route parameters: the signed-in account, checked to hold at least that role.
AgentUser = Annotated[Account, Depends(require_role("agent"))]
ManagerUser = Annotated[Account, Depends(require_role("manager"))]
AdminUser = Annotated[Account, Depends(require_role("admin"))]
