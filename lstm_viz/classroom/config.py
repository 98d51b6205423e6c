"""Where class mode keeps its data, and the deployment's class settings.

    LSTM_VIZ_DATA_DIR          folder of the embedded SQLite store (default: $XDG_DATA_HOME/
                               lstm-viz, else ~/.local/share/lstm-viz; the image: /data)
    LSTM_VIZ_DATABASE_URL      a shared store for several replicas instead:
                               postgresql+psycopg://user:password@host:5432/lstm_viz
    LSTM_VIZ_TEACHER_PASSWORD  when set, opening a class asks for it
    LSTM_VIZ_CLASS_DAYS        classes older than this many days are purged (default 30)

``problems(environ)`` lists what is wrong with them as (variable, value, rule), for
``lstm_viz.state.teacher_env.read`` to refuse at start like every other ``LSTM_VIZ_*``
setting; ``read(environ)`` gives the checked settings (ValueError on a bad one).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = "LSTM_VIZ_DATA_DIR"
DATABASE_URL = "LSTM_VIZ_DATABASE_URL"
TEACHER_PASSWORD = "LSTM_VIZ_TEACHER_PASSWORD"
CLASS_DAYS = "LSTM_VIZ_CLASS_DAYS"
VARIABLES = (DATA_DIR, DATABASE_URL, TEACHER_PASSWORD, CLASS_DAYS)
DEFAULT_DAYS = 30
MAX_DAYS = 3650
DB_FILE = "classroom.db"
DRIVERS = {("sqlite", "pysqlite"), ("postgresql", "psycopg")}  # (dialect, driver) we ship
PASSWORD_CHARS = 200


@dataclass(frozen=True)
class StoreSettings:
    url: str  # SQLAlchemy URL of the store
    password: str | None = None  # LSTM_VIZ_TEACHER_PASSWORD; None: no password asked
    class_days: int = DEFAULT_DAYS

    @property
    def shared(self) -> bool:
        """Whether the store is a server several replicas share (not an embedded file)."""
        return not self.url.startswith("sqlite")


def data_dir(environ: Mapping[str, str]) -> Path:
    """The folder of the embedded store."""
    if environ.get(DATA_DIR, "").strip():
        return Path(environ[DATA_DIR].strip()).expanduser()
    base = environ.get("XDG_DATA_HOME", "").strip() or Path.home() / ".local" / "share"
    return Path(base) / "lstm-viz"


def sqlite_url(folder: Path) -> str:
    return f"sqlite:///{folder.resolve() / DB_FILE}"


def _url_problem(raw: str) -> str | None:
    from sqlalchemy.engine import make_url  # a parse only: nothing connects

    try:
        url = make_url(raw)
    except Exception:  # ArgumentError, ValueError: not a URL at all
        return "not a database URL"
    if (url.get_backend_name(), url.get_driver_name()) not in DRIVERS:
        return ("must be postgresql+psycopg://user:password@host:5432/database "
                "(or sqlite:///path/to/file.db)")
    if url.get_backend_name() == "postgresql" and not url.host:
        return "names no host"
    return None


def _dir_problem(folder: Path) -> str | None:
    if folder.exists():
        if not folder.is_dir():
            return "is not a folder"
        return None if os.access(folder, os.W_OK | os.X_OK) else "is not writable"
    parent = next((p for p in folder.absolute().parents if p.exists()), None)
    if parent is None or not os.access(parent, os.W_OK | os.X_OK):
        return "does not exist and cannot be created"
    return None


def problems(environ: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """Every invalid class setting as (variable, value, rule); none when all are valid."""
    found = []
    url = environ.get(DATABASE_URL, "").strip()
    if DATABASE_URL in environ and url and (rule := _url_problem(url)):
        found.append((DATABASE_URL, "<hidden: it may hold a password>", rule))
    if not url and (rule := _dir_problem(data_dir(environ))):
        found.append((DATA_DIR, str(data_dir(environ)), rule))
    if TEACHER_PASSWORD in environ:
        raw = environ[TEACHER_PASSWORD]
        if not raw.strip():
            found.append((TEACHER_PASSWORD, "", "is empty; unset it to open classes freely"))
        elif len(raw) > PASSWORD_CHARS:
            found.append((TEACHER_PASSWORD, "<hidden>", f"longer than {PASSWORD_CHARS}"))
    if CLASS_DAYS in environ:
        raw = environ[CLASS_DAYS].strip()
        if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_DAYS):
            found.append((CLASS_DAYS, raw, f"must be a whole number from 1 to {MAX_DAYS}"))
    return found


def read(environ: Mapping[str, str] | None = None) -> StoreSettings:
    """The checked class settings; ValueError naming the first bad variable."""
    environ = os.environ if environ is None else environ
    bad = problems(environ)
    if bad:
        name, value, rule = bad[0]
        raise ValueError(f"{name}={value!r}: {rule}")
    url = environ.get(DATABASE_URL, "").strip() or sqlite_url(data_dir(environ))
    days = environ.get(CLASS_DAYS, "").strip()
    return StoreSettings(url, environ.get(TEACHER_PASSWORD) or None,
                         int(days) if days else DEFAULT_DAYS)


def describe(s: StoreSettings) -> str:
    """One line for the server log: where classes are kept (no password shown)."""
    from sqlalchemy.engine import make_url

    url = make_url(s.url)
    where = (f"SQLite {url.database}" if url.get_backend_name() == "sqlite" else
             f"PostgreSQL {url.render_as_string(hide_password=True)}")
    guard = "a password opens classes" if s.password else "anyone may open a class"
    return f"lstm-viz: class store: {where}; classes kept {s.class_days} days; {guard}"
