"""How the app talks to its store: engine options per backend, and SQLite's pragmas.

- **SQLite** (the default, a file under ``LSTM_VIZ_DATA_DIR``): WAL journal (readers never
  wait for the writer: the dashboard reads while students answer), ``synchronous=NORMAL``
  (durable at each checkpoint, the usual pairing with WAL), foreign keys on, and a 5 s busy
  timeout for the moments two writers meet.
- **PostgreSQL** (``LSTM_VIZ_DATABASE_URL``, shared by replicas): a pool whose connections
  are checked before use (``pool_pre_ping``: a restarted server's dead connections are
  replaced, not handed to a student), a 3 s connect timeout and a statement timeout, so that
  an unreachable store costs a check seconds, never minutes (the outbox keeps the answer).

The app passes ``engine_options(url)`` to ``st.connection(..., type="sql")`` and calls
``prepare`` on the engine it gets; tests and tools use ``make_engine``.
"""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event

CONNECT_TIMEOUT_S = 3
STATEMENT_TIMEOUT_MS = 15_000
SQLITE_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL",
                  "PRAGMA foreign_keys=ON", "PRAGMA busy_timeout=5000")


def engine_options(url: str) -> dict:
    """Keyword arguments for ``sqlalchemy.create_engine(url, …)``."""
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 5, "check_same_thread": False}}
    return {"pool_pre_ping": True, "pool_size": 5, "max_overflow": 10, "pool_timeout": 5,
            "pool_recycle": 1800,
            "connect_args": {"connect_timeout": CONNECT_TIMEOUT_S,
                             "options": f"-c statement_timeout={STATEMENT_TIMEOUT_MS}"}}


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def prepare(engine: Engine) -> Engine:
    """Set SQLite's pragmas on every new connection of ``engine`` (once; others: as is)."""
    if engine.dialect.name == "sqlite" and not event.contains(engine, "connect",
                                                               _sqlite_pragmas):
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def make_engine(url: str) -> Engine:
    """An engine for ``url`` with the app's options and pragmas."""
    return prepare(create_engine(url, **engine_options(url)))
