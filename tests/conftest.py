"""Shared fixtures: real SQLite and PostgreSQL stores, a real SMTP server, the corpora."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from intake.config import load_settings
from intake.context import Context

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DEV_CORPUS = SHARED / "corpus" / "dev"
EXTERNAL_CORPUS = SHARED / "corpus" / "external"
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
NO_SHARED = "../shared corpus not present (a user's clone has no ../shared)"


def require_shared() -> Path:
    if not DEV_CORPUS.is_dir():
        pytest.skip(NO_SHARED)
    return SHARED


@pytest.fixture
def dev_corpus() -> Path:
    require_shared()
    return DEV_CORPUS


@pytest.fixture
def external_corpus() -> Path:
    require_shared()
    return EXTERNAL_CORPUS


@contextmanager
def fresh_pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database on the machine's server, dropped afterwards."""
    from sqlalchemy import create_engine, text

    name = f"intake_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def pg_url() -> Iterator[str]:
    with fresh_pg_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def two_db_urls(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two empty stores of one kind, to run the same work two ways and compare."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
        return
    with fresh_pg_database() as first, fresh_pg_database() as second:
        yield first, second


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test using it runs on both stores: the embedded default and production's."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'intake.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def make_context(tmp_path: Path) -> Iterator:
    """Build a Context on a given database URL, with replies written under tmp_path."""
    built: list[Context] = []

    def make(database_url: str, **overrides: object) -> Context:
        settings = load_settings(database_url=database_url, outbox_dir=tmp_path / "outbox", **overrides)
        ctx = Context.build(settings)
        built.append(ctx)
        return ctx

    yield make
    for ctx in built:
        ctx.db.dispose()


@pytest.fixture
def context(db_url: str, make_context) -> Context:
    return make_context(db_url)


@pytest.fixture
def smtp_server() -> Iterator:
    """A real aiosmtpd SMTP server on loopback; `.messages` holds what it received."""
    from tests.smtp import RecordingSMTPServer

    server = RecordingSMTPServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
