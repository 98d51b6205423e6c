"""Class mode's fixtures: the store on SQLite (a file in a temporary folder) and on a real
PostgreSQL server that the tests start (serving/postgres.py). Never a mock database.

``engine`` runs a test on both: a migrated, empty store each time. Without PostgreSQL's
binaries the PostgreSQL half skips and says why; in CI (``CI`` set) it fails instead, since
scripts/test.sh installs Debian's postgresql there.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from lstm_viz.classroom import migrate
from lstm_viz.classroom.connect import make_engine
from serving.postgres import Postgres, bin_dir

_DATABASES = itertools.count()


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL server for the whole test session (started once, ~2 s)."""
    binaries = bin_dir()
    if binaries is None:
        reason = ("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/pg_ctl): "
                  "scripts/test.sh installs Debian's postgresql")
        if os.environ.get("CI"):
            pytest.fail(f"CI must test against PostgreSQL: {reason}")
        pytest.skip(reason)
    # Not under pytest's tmp_path: that folder is root's alone, and the server runs as
    # another user when we are root.
    root = Path(tempfile.mkdtemp(prefix="lstm-viz-postgres-"))
    try:
        server = Postgres(root, binaries).start()
        yield server
        server.stop("immediate")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def sqlite_url(folder) -> str:
    return f"sqlite:///{folder / 'classroom.db'}"


@pytest.fixture
def store_url(request, tmp_path):
    """A fresh store's URL: SQLite (default) or PostgreSQL (``indirect`` parametrize)."""
    if getattr(request, "param", "sqlite") == "postgresql":
        return request.getfixturevalue("postgres").create_database(
            f"test_{next(_DATABASES)}")
    return sqlite_url(tmp_path)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    """A migrated, empty store on each backend."""
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres").create_database(f"test_{next(_DATABASES)}")
    else:
        url = sqlite_url(tmp_path)
    eng = make_engine(url)
    migrate.upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def class_store(monkeypatch, tmp_path):
    """The app's class store: a SQLite file of this test's own (no password, default days)."""
    for name in ("LSTM_VIZ_DATABASE_URL", "LSTM_VIZ_TEACHER_PASSWORD", "LSTM_VIZ_CLASS_DAYS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LSTM_VIZ_DATA_DIR", str(tmp_path))
    return tmp_path
