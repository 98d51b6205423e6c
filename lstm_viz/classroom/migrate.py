"""Bring a store's schema to the version this code needs, on start: ``upgrade(engine)``.

Alembic, run programmatically (no alembic.ini; the revisions are in ``migrations/versions``):
each schema change is a numbered revision with its own upgrade and downgrade, the store
records its version in ``alembic_version``, and an older store is upgraded step by step with
its data kept (tests build schema 1, fill it, and start the new code on it). We chose it over
a hand-written version table because it is the standard, well-kept tool for SQLAlchemy
schemas: it handles SQLite's limited ALTER TABLE (batch mode), and ``compare_metadata`` lets a
test prove the revisions build exactly ``schema.metadata``.

On SQLite, foreign keys are off while it runs (a batch migration recreates a table, and
dropping the old one must not cascade to the rows that point at it).

Replicas starting together must not race: on PostgreSQL the whole upgrade runs in one
transaction that first takes a transaction-level advisory lock (``pg_advisory_xact_lock``),
so the second replica waits, then finds the schema current; SQLite's file is locked with
``flock`` on a file beside it for the same span.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, text

from lstm_viz.classroom.schema import SCHEMA_VERSION

LOCK_KEY = 0x6C76_7A5F_636C_6173  # "lvz_clas": the advisory lock's number (bigint)
MIGRATIONS = "lstm_viz.classroom:migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic Config for our revisions, handing ``connection`` to ``migrations/env.py``."""
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    config.attributes["connection"] = connection
    return config


def version(engine: Engine) -> str | None:
    """The schema version the store has now (None: an empty store)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@contextmanager
def _file_lock(engine: Engine) -> Iterator[None]:
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with open(Path(database).with_name(Path(database).name + ".migrate-lock"), "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def upgrade(engine: Engine, revision: str = "head") -> str | None:
    """Upgrade the store to ``revision`` (default: the newest), one process at a time; the
    version it has afterwards."""
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)
    with _file_lock(engine), engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:  # a batch migration copies tables: no ON DELETE CASCADE while it does
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
        try:
            with conn.begin():
                if not sqlite:
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
                command.upgrade(alembic_config(conn), revision)
        finally:
            if sqlite:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.commit()
    return version(engine)


def current(engine: Engine) -> bool:
    """Whether the store has the schema this code needs."""
    return version(engine) == SCHEMA_VERSION
