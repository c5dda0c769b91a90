"""The Alembic migrations build exactly the schema the models describe, on both stores."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from intake.store import open_database
from intake.store.models import Base


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


def test_opening_twice_is_a_no_op(db_url: str) -> None:
    open_database(db_url).dispose()
    db = open_database(db_url)
    db.dispose()
