"""Fixtures for the web page: a Context with real mail turned into tickets, users, a signed-in client."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import update

from intake.context import Context
from intake.ingest import ingest
from intake.sources import RawSource
from intake.store.models import Ticket
from intake.web import create_app
from intake.web.users import add_user
from tests.builders import citizen_mail

PASSWORD = "a long enough password"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


@dataclass
class Web:
    """A signed-in (or not) test client and the Context behind the app."""

    ctx: Context
    client: TestClient
    app: FastAPI

    def csrf(self) -> str:
        page = self.client.get("/login")
        if page.status_code == 303:  # signed in: any page carries the token
            page = self.client.get("/tickets")
        found = _CSRF.search(page.text)
        assert found, page.text[:500]
        return found.group(1)

    def login(self, username: str, password: str = PASSWORD) -> None:
        self.client.cookies.clear()
        token = _CSRF.search(self.client.get("/login").text).group(1)  # type: ignore[union-attr]
        response = self.client.post(
            "/login", data={"username": username, "password": password, "csrf_token": token}
        )
        assert response.status_code == 303, response.text[:500]

    def post(self, path: str, data: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        return self.client.post(path, data={**(data or {}), "csrf_token": self.csrf()})


@pytest.fixture
def context(db_url: str, make_context) -> Context:  # type: ignore[no-untyped-def]
    """Both stores, as in the root conftest, with cookies a test client over http sends back."""
    return make_context(db_url, web_cookie_secure=False)


@pytest.fixture
def web_ctx(tmp_path, make_context) -> Context:  # type: ignore[no-untyped-def]
    """SQLite Context for page tests (the dashboard and list queries also run on PostgreSQL)."""
    return make_context(f"sqlite:///{tmp_path / 'web.db'}", web_cookie_secure=False)


@pytest.fixture
def make_web() -> Iterator[Callable[[Context], Web]]:
    clients: list[TestClient] = []

    def make(ctx: Context) -> Web:
        app = create_app(ctx)
        client = TestClient(app, follow_redirects=False)
        clients.append(client)
        return Web(ctx, client, app)

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def web(web_ctx: Context, make_web) -> Web:  # type: ignore[no-untyped-def]
    return make_web(web_ctx)


def add_team(ctx: Context) -> None:
    add_user(ctx.db, "agent", role="agent", password=PASSWORD, display_name="Anna Agent")
    add_user(
        ctx.db,
        "manager",
        role="manager",
        password=PASSWORD,
        display_name="Mo Manager",
        language="en",
    )
    add_user(ctx.db, "admin", role="admin", password=PASSWORD, display_name="Ada Admin")


def file_mails(ctx: Context, *mails: bytes) -> list[int]:
    """Ingest the mails through the real pipeline; returns the new ticket ids in order."""
    before = _ticket_ids(ctx)
    ingest(ctx, [RawSource(f"test-{i}.eml", raw) for i, raw in enumerate(mails)])
    return sorted(_ticket_ids(ctx) - before)


def age_ticket(ctx: Context, ticket_id: int, days: float) -> None:
    """Pretend the ticket arrived `days` ago."""
    with ctx.db.session() as session:
        session.execute(
            update(Ticket)
            .where(Ticket.id == ticket_id)
            .values(received_at=datetime.now(UTC) - timedelta(days=days))
        )


def _ticket_ids(ctx: Context) -> set[int]:
    from sqlalchemy import select

    with ctx.db.session() as session:
        return set(session.scalars(select(Ticket.id)))


def three_citizens() -> tuple[bytes, bytes, bytes]:
    return (
        citizen_mail(sender="Amina Test <amina@example.com>", subject="Aanvraag F+ kaart"),
        citizen_mail(
            sender="Oleh Test <oleh@example.org>",
            subject="Lost my residence card",
            body="Hello, I lost my residence card yesterday. What should I do? Regards, Oleh",
        ),
        citizen_mail(
            sender="Marie Test <marie@example.net>",
            subject="Question",
            body="Bonjour, j'ai une question générale sur mon séjour. Merci, Marie",
        ),
    )
