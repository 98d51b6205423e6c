"""The two statements that differ between SQLite and PostgreSQL: insert-or-ignore and
insert-or-update on a unique key (both spell it ``INSERT … ON CONFLICT``, through their own
SQLAlchemy dialect constructs). Parameters stay bound."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


def _insert(conn: Connection, table: Table):
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def insert_ignore(conn: Connection, table: Table, key: Sequence[str], rows: Sequence[Mapping]
                  ) -> None:
    """Insert ``rows``; a row whose ``key`` is already there is left as it is."""
    if rows:
        conn.execute(_insert(conn, table).on_conflict_do_nothing(index_elements=list(key)),
                     list(rows))


def upsert(conn: Connection, table: Table, key: Sequence[str], row: Mapping,
           changes: Mapping):
    """The statement that inserts ``row``, or applies ``changes`` to the row with its ``key``."""
    return _insert(conn, table).values(**row).on_conflict_do_update(
        index_elements=list(key), set_=dict(changes))
