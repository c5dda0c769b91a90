"""Access: every route needs a login, roles gate what they should, forms need their CSRF token."""

from __future__ import annotations

import re
import time

import pytest

from intake.web import create_app
from intake.web.app import all_routes
from intake.web.auth import PUBLIC_ROUTES
from intake.web.security import CONTENT_SECURITY_POLICY
from intake.web.users import reset_password, set_active
from tests.web.conftest import PASSWORD, Web, add_team, file_mails, three_citizens


def _sample_path(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_every_route_without_login_gets_the_login_page_or_401(web: Web) -> None:
    # Given a ticket to point at, and nobody signed in
    add_team(web.ctx)
    file_mails(web.ctx, three_citizens()[0])
    routes = [r for r in all_routes() if r.name not in PUBLIC_ROUTES]
    assert len(routes) > 15
    for route in routes:
        for method in route.methods:
            # When the route is called without a session
            response = web.client.request(
                method, _sample_path(route.path), data={"csrf_token": "x"}
            )
            # Then a page answers with the way to the login page, and JSON with 401
            if route.path.startswith("/api/"):
                assert response.status_code == 401, (method, route.path)
            else:
                assert response.status_code == 303, (method, route.path)
                assert response.headers["location"].startswith("/login?next="), (method, route.path)


def test_the_login_page_and_health_check_are_open(web: Web) -> None:
    assert web.client.get("/login").status_code == 200
    assert web.client.get("/health").json() == {"status": "ok"}


def test_the_redirect_leads_back_after_login(web: Web) -> None:
    add_team(web.ctx)
    response = web.client.get("/dashboard?days=14")
    assert response.headers["location"] == "/login?next=%2Fdashboard%3Fdays%3D14"
    web.client.cookies.clear()
    token = re.search(
        r'name="csrf_token" value="([^"]+)"', web.client.get(response.headers["location"]).text
    ).group(1)  # type: ignore[union-attr]
    login = web.client.post(
        "/login",
        data={
            "username": "manager",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "/dashboard?days=14",
        },
    )
    assert login.headers["location"] == "/dashboard?days=14"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_login_never_sends_the_user_to_another_site(web: Web, target: str) -> None:
    add_team(web.ctx)
    token = web.csrf()
    login = web.client.post(
        "/login",
        data={"username": "agent", "password": PASSWORD, "csrf_token": token, "next": target},
    )
    assert login.headers["location"] == "/tickets"


def test_a_wrong_password_is_refused_and_repeated_failures_lock_the_account(web: Web) -> None:
    add_team(web.ctx)
    limit = web.ctx.settings.web_login_max_failures
    for _ in range(limit):
        response = web.client.post(
            "/login", data={"username": "agent", "password": "wrong", "csrf_token": web.csrf()}
        )
        assert response.status_code == 401
    # Even the right password is refused while locked.
    locked = web.client.post(
        "/login", data={"username": "agent", "password": PASSWORD, "csrf_token": web.csrf()}
    )
    assert locked.status_code == 429
    assert web.client.get("/tickets").status_code == 303


def test_an_agent_cannot_reach_admin_actions_or_the_dashboard(web: Web) -> None:
    add_team(web.ctx)
    web.login("agent")
    assert web.client.get("/tickets").status_code == 200
    assert web.client.get("/admin/users").status_code == 403
    assert web.post("/admin/users", {"username": "mallory", "role": "admin"}).status_code == 403
    assert web.post("/admin/users/admin/reset").status_code == 403
    assert web.post("/admin/users/admin/disable").status_code == 403
    assert web.post("/admin/users/agent/role", {"role": "admin"}).status_code == 403
    assert web.client.get("/dashboard").status_code == 403
    assert (
        web.client.get("/dashboard/export.csv?start=2026-01-01&end=2026-01-31").status_code == 403
    )
    assert web.client.get("/api/dashboard").status_code == 403


def test_a_manager_sees_the_dashboard_but_not_user_administration(web: Web) -> None:
    add_team(web.ctx)
    web.login("manager")
    assert web.client.get("/dashboard").status_code == 200
    assert web.client.get("/admin/users").status_code == 403


def test_an_admin_adds_a_user_and_sees_the_password_once(web: Web) -> None:
    add_team(web.ctx)
    web.login("admin")
    page = web.post(
        "/admin/users",
        {"username": "Nieuw", "display_name": "Nina", "role": "agent", "language": "en"},
    )
    assert page.status_code == 200
    password = re.search(r"(?:wachtwoord|password): (\S+)</p>", page.text).group(1)  # type: ignore[union-attr]
    web.login("nieuw", password)
    assert web.client.get("/tickets").status_code == 200


def test_a_form_without_its_csrf_token_is_refused(web: Web) -> None:
    add_team(web.ctx)
    [ticket_id] = file_mails(web.ctx, three_citizens()[0])
    web.login("agent")
    assert web.client.post(f"/tickets/{ticket_id}/claim").status_code == 403
    assert (
        web.client.post(f"/tickets/{ticket_id}/claim", data={"csrf_token": "forged"}).status_code
        == 403
    )
    assert web.client.post("/logout").status_code == 403
    # And the login form too: no token, no login.
    web.client.cookies.clear()
    assert (
        web.client.post("/login", data={"username": "agent", "password": PASSWORD}).status_code
        == 403
    )
    # With the token it works.
    web.login("agent")
    assert web.post(f"/tickets/{ticket_id}/claim").status_code == 303


def test_the_session_cookie_is_httponly_samesite_and_secure_when_configured(
    make_context, make_web, tmp_path
) -> None:
    ctx = make_context(f"sqlite:///{tmp_path / 's.db'}", web_cookie_secure=True)
    web = make_web(ctx)
    cookie = web.client.get("/login").headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" in cookie


def test_pages_carry_a_strict_content_security_policy(web: Web) -> None:
    response = web.client.get("/login")
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"
    assert (
        "script-src 'self'" in CONTENT_SECURITY_POLICY
        and "unsafe-inline" not in CONTENT_SECURITY_POLICY
    )


def test_a_session_ends_after_its_maximum_lifetime(
    make_context, make_web, tmp_path, monkeypatch
) -> None:
    ctx = make_context(
        f"sqlite:///{tmp_path / 's.db'}",
        web_cookie_secure=False,
        web_session_max_hours=1,
        web_session_idle_minutes=120,
    )
    add_team(ctx)
    web = make_web(ctx)
    web.login("agent")
    assert web.client.get("/tickets").status_code == 200
    later = time.time() + 3601
    monkeypatch.setattr("intake.web.auth.time.time", lambda: later)
    response = web.client.get("/tickets")
    assert response.status_code == 303 and "expired=1" in response.headers["location"]


def test_an_idle_session_cookie_expires(web: Web) -> None:
    add_team(web.ctx)
    web.login("agent")
    cookie = web.client.get("/tickets").headers["set-cookie"].lower()
    assert f"max-age={web.ctx.settings.web_session_idle_minutes * 60}" in cookie


def test_a_password_reset_or_disabling_ends_open_sessions(web: Web) -> None:
    add_team(web.ctx)
    web.login("agent")
    reset_password(web.ctx.db, "agent", "another long password")
    assert web.client.get("/tickets").status_code == 303
    web.login("agent", "another long password")
    set_active(web.ctx.db, "agent", False)
    assert web.client.get("/tickets").status_code == 303


def test_the_proxy_user_header_is_ignored_unless_configured(
    web: Web, make_context, make_web, tmp_path
) -> None:
    add_team(web.ctx)
    assert web.client.get("/tickets", headers={"X-Remote-User": "admin"}).status_code == 303
    ctx = make_context(
        web.ctx.settings.database_url,
        web_cookie_secure=False,
        web_trusted_user_header="X-Remote-User",
    )
    sso = make_web(ctx)
    assert sso.client.get("/tickets", headers={"X-Remote-User": "agent"}).status_code == 200
    assert sso.client.get("/admin/users", headers={"X-Remote-User": "agent"}).status_code == 403
    assert sso.client.get("/tickets", headers={"X-Remote-User": "nobody"}).status_code == 303


def test_the_interface_speaks_dutch_or_english(web: Web) -> None:
    add_team(web.ctx)
    assert "Aanmelden" in web.client.get("/login").text
    assert "Log in" in web.client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.8"}).text
    web.login("manager")  # the manager's own setting is English
    assert "Backlog dashboard" in web.client.get("/dashboard").text
    web.post("/language", {"lang": "nl", "next": "/dashboard"})
    assert "Overzicht van de achterstand" in web.client.get("/dashboard").text


def test_create_app_is_a_factory_of_independent_apps(web_ctx) -> None:
    # Given two apps from one context, one locked against a user after failed logins
    first, second = create_app(web_ctx), create_app(web_ctx)
    for _ in range(web_ctx.settings.web_login_max_failures):
        first.state.throttle.failed("user:agent")

    # Then the other app is not locked: each app keeps its own state
    assert first.state.throttle.locked("user:agent")
    assert not second.state.throttle.locked("user:agent")
