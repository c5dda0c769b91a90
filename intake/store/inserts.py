"""Inserting many rows and learning their ids, in statements that stay short and cached."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session


def reserve_ids(session: Session, model: type[Any], count: int) -> list[int] | None:
    """Ids for ``count`` new rows, in order, from the table's sequence; None without sequences (SQLite)."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    sequence = func.pg_get_serial_sequence(model.__table__.name, "id")
    return sorted(session.scalars(select(func.nextval(sequence)).select_from(func.generate_series(1, count))))


def insert_returning_ids(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows and return their ids in the rows' order.

    On PostgreSQL the ids come from the table's sequence first, then the rows go in as one short
    prepared INSERT, pipelined: a multi-row INSERT ... RETURNING is a new statement text of
    several kilobytes for each batch, which the driver re-parses every time and the server
    plans every time.
    """
    if not rows:
        return []
    table = model.__table__
    ids = reserve_ids(session, model, len(rows))
    if ids is None:
        result = session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
        return list(result.scalars())
    session.execute(insert(table), [{**row, "id": id_} for row, id_ in zip(rows, ids, strict=True)])
    return ids
