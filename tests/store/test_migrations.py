"""The Alembic migrations build exactly the schema the models describe, on both stores."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text

from intake.store import open_database
from intake.store.db import SCHEMA_HEAD, Database, alembic_config
from intake.store.models import Base, Ticket, utcnow


def test_migrations_create_every_table_the_models_declare(db_url: str) -> None:
    db = open_database(db_url)
    try:
        tables = set(inspect(db.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
    finally:
        db.dispose()


def test_models_and_migrations_do_not_drift_apart(db_url: str) -> None:
    db = open_database(db_url)
    try:
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        # Type-only differences of the UTC timestamp wrapper are not schema drift.
        real = [d for d in diff if not (isinstance(d, list) and d and d[0][0] == "modify_type")]
        assert real == []
    finally:
        db.dispose()


def test_the_schema_head_constant_names_the_newest_migration() -> None:
    # A store at SCHEMA_HEAD is not handed to Alembic: a new migration must move the constant.
    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert heads == [SCHEMA_HEAD]


def test_a_store_behind_the_newest_migration_is_brought_up_to_it(db_url: str) -> None:
    # Given a store migrated to the first revision only
    db = Database(db_url)
    try:
        with db.engine.begin() as conn:
            config = alembic_config(db_url)
            config.attributes["connection"] = conn
            command.upgrade(config, "0001")
        # When it is opened
        db.migrate()
        # Then it is at the newest revision
        assert _revision(db) == SCHEMA_HEAD
    finally:
        db.dispose()


def _revision(db: Database) -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def test_opening_twice_is_a_no_op(db_url: str) -> None:
    # Given a migrated store with a ticket in it
    db = open_database(db_url)
    try:
        first = _revision(db)
        with db.session() as session:
            session.add(Ticket(reference="GNT-2025-000001", queue="triage", intent="general_question",
                               status="open", received_at=utcnow()))
    finally:
        db.dispose()

    # When it is opened (and so migrated) again
    db = open_database(db_url)
    try:
        # Then the schema stays at the same revision and the ticket is still there
        assert first is not None
        assert _revision(db) == first
        with db.session() as session:
            assert session.scalars(select(Ticket.reference)).all() == ["GNT-2025-000001"]
    finally:
        db.dispose()


def test_mail_bytes_are_compressed_with_lz4_on_postgresql(pg_url: str) -> None:
    # Given a migrated PostgreSQL store (its server built with lz4, as Debian's is)
    db = open_database(pg_url)
    try:
        with db.engine.connect() as conn:
            # Then the raw mail, attachments and sent replies compress with lz4, the cheap one
            methods = dict(conn.execute(text(
                "SELECT attrelid::regclass::text || '.' || attname, attcompression FROM pg_attribute "
                "WHERE (attrelid::regclass::text, attname) IN "
                "(('raw_messages', 'raw'), ('attachment_blobs', 'data'), ('outbox', 'mime'))"
            )).all())
        assert methods == {"raw_messages.raw": "l", "attachment_blobs.data": "l", "outbox.mime": "l"}
    finally:
        db.dispose()
