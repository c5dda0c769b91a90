"""Engine and sessions for SQLite (embedded default) and PostgreSQL, and migrations on open."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DisconnectionError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from intake.errors import StoreUnavailable

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The newest migration's revision. A store already at it is opened without importing Alembic,
# which alone costs a tenth of a second of every start (tests/store/test_migrations.py keeps
# this in step with the scripts).
SCHEMA_HEAD = "0002"


class Database:
    """One engine and its session factory; pass it to whatever needs the store."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = _make_engine(url)
        # Each statement its own transaction: one round trip instead of three (BEGIN, the
        # statement, COMMIT), for work that is a single statement anyway.
        self.autocommit_engine = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed when the block ends, rolled back on error."""
        with self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A session for one read that needs no transaction around it (one statement)."""
        with self.sessions(bind=self.autocommit_engine) as session:
            yield session

    def migrate(self) -> None:
        """Bring the schema to the newest migration; Alembic runs only when it is behind."""
        try:
            with self.engine.begin() as conn:
                if schema_version(conn) == SCHEMA_HEAD:
                    return
                from alembic import command

                config = alembic_config(self.url)
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
        except OperationalError as exc:
            raise StoreUnavailable(f"cannot reach the database {safe_url(self.url)}: {exc.orig}") from None

    def check(self) -> None:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("select 1"))
        except SQLAlchemyError as exc:
            raise StoreUnavailable(f"cannot reach the database {safe_url(self.url)}: {exc}") from None

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str, *, migrate: bool = True) -> Database:
    db = Database(url)
    if migrate:
        db.migrate()
    return db


def schema_version(conn: Connection) -> str | None:
    """The revision the store is at, or None when it was never migrated."""
    if not conn.dialect.has_table(conn, "alembic_version"):
        return None
    return conn.scalar(text("SELECT version_num FROM alembic_version"))


def alembic_config(url: str):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparseable URL is shown as it is
        return url


def _make_engine(url: str) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    try:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"timeout": 30})
            event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        engine = create_engine(url, pool_size=5, max_overflow=10)
        _ping_when_idle(engine)
        return engine
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise StoreUnavailable(f"bad database URL {safe_url(url)}: {exc}") from None


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # WAL lets the web page read while the worker writes; foreign keys are off by default.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


# A pooled connection unused for this long is tested before it is handed out (it may have been
# cut while it waited). A busy worker reuses its connections within milliseconds and pays no
# round-trip per transaction; a connection cut while in use fails that transaction, which is
# retried, and the pool then replaces every connection made before the failure.
IDLE_PING_SECONDS = 5.0


def _ping_when_idle(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_connection, record) -> None:  # type: ignore[no-untyped-def]
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_connection, record, _proxy) -> None:  # type: ignore[no-untyped-def]
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < IDLE_PING_SECONDS:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
            dbapi_connection.rollback()  # the ping's own transaction, if the driver began one
        except Exception:  # noqa: BLE001 - any failure means: not this connection
            alive = False
        if not alive:
            # The pool discards this connection and checks out (or makes) another.
            raise DisconnectionError()
