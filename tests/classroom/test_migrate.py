"""The schema's versions (Alembic): a new store gets exactly ``schema.metadata``; an older
store is upgraded on start with its data kept; replicas starting together do not race."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from lstm_viz.classroom import migrate, records, store
from lstm_viz.classroom.connect import make_engine
from lstm_viz.classroom.dashboard import build
from lstm_viz.classroom.schema import SCHEMA_VERSION, metadata

ROOT = Path(__file__).resolve().parents[2]
BOTH = pytest.mark.parametrize("store_url", ["sqlite", "postgresql"], indirect=True)


def test_the_newest_revision_is_the_schema_version():
    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert script.get_heads() == [SCHEMA_VERSION]
    assert [r.revision for r in script.walk_revisions()] == ["0002", "0001"]


def test_the_revisions_build_exactly_the_tables(engine):
    assert migrate.version(engine) == SCHEMA_VERSION and migrate.current(engine)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    assert migrate.upgrade(engine) == SCHEMA_VERSION  # again: nothing to do


V1_ROWS = """
INSERT INTO classes (code, key_hash, name, lessons, seed, drill_steps, created)
  VALUES (:code, :hash, 'Period 3', '000-shapes,drill', 5, 10, :now);
INSERT INTO students (class_id, token, number, nickname, joined)
  VALUES (1, 'tok-aaaaaaaaaaaaaaa', 1, 'Ada', :now), (1, 'tok-bbbbbbbbbbbbbbb', 2, '', :now);
INSERT INTO answers (answer_id, class_id, student_id, lesson, step, attempt, typed, read,
                     status, misconception, at)
  VALUES ('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 1, 1, '000-shapes', 0, 1, '3,5,20', '(3, 5, 20)',
          'wrong', 'nl_swapped', :now),
         ('bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 1, 1, '000-shapes', 0, 2, '5,3,20', '(5, 3, 20)',
          'right', NULL, :now),
         ('cccccccccccccccccccccccccccccccc', 1, 2, '000-shapes', 0, 1, '(5, 3, 20)',
          '(5, 3, 20)', 'right', NULL, :now)
"""


@BOTH
def test_a_schema_1_store_is_upgraded_with_its_data(store_url):
    """Schema 1 (no pacing, no rounds) with a class in it; the new code starts on it."""
    from lstm_viz.classroom import codes

    engine = make_engine(store_url)
    assert migrate.upgrade(engine, "0001") == "0001"
    key, now = codes.new_key(), time.time()
    with engine.begin() as conn:
        for statement in V1_ROWS.split(";"):
            conn.execute(text(statement), {"code": "K7QX3M", "hash": codes.key_hash(key),
                                           "now": now})
    assert migrate.upgrade(engine) == SCHEMA_VERSION  # what the app does on start
    cls = store.teacher_class(engine, "K7QX3M", key)
    assert cls is not None and cls.lessons == ("000-shapes", "drill")
    assert (cls.seed, cls.drill_steps, cls.furthest, cls.paused) == (5, 10, None, False)
    kept = records.answers_of(engine, cls.id)
    assert [(a.student_id, a.attempt, a.status, a.round) for a in kept] == [
        (1, 1, "wrong", 1), (1, 2, "right", 1), (2, 1, "right", 1)]
    board = build([("000-shapes", 0)], store.class_students(engine, cls.id), kept,
                  store.pulse(engine, cls.id))
    assert board.steps[0].votes[0].right_first == 1
    assert board.misconceptions == (("nl_swapped", 1, 1),)
    assert store.open_vote(engine, cls.id, "000-shapes", 0) == 2  # schema 2 works on it
    engine.dispose()


RACER = """
import sys, time
from pathlib import Path
from lstm_viz.classroom import migrate
from lstm_viz.classroom.connect import make_engine
engine = make_engine(sys.argv[1])
print("ready", flush=True)
while not Path(sys.argv[2]).exists():
    time.sleep(0.001)
print(migrate.upgrade(engine))
"""


@BOTH
def test_replicas_starting_together_do_not_race(store_url, tmp_path):
    """Three processes upgrade one empty store at the same instant: all succeed, once."""
    go = tmp_path / "go"
    racers = [subprocess.Popen([sys.executable, "-c", RACER, store_url, str(go)], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
              for _ in range(3)]
    for r in racers:  # each has imported the package and made its engine
        assert r.stdout.readline().strip() == "ready", r.stderr.read()[-800:]
    go.touch()
    outs = [r.communicate(timeout=120) for r in racers]
    assert [r.returncode for r in racers] == [0, 0, 0], [err[-800:] for _, err in outs]
    assert [out.strip() for out, _ in outs] == [SCHEMA_VERSION] * 3
    engine = make_engine(store_url)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1
    engine.dispose()
