"""The store on SQLite and on a real PostgreSQL: classes, students, answers, pacing, votes,
delete and purge — and what a code, a wrong key or another class's key can and cannot get."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select, text

from lstm_viz.classroom import codes, records, store
from lstm_viz.classroom.schema import answers, classes, students, votes

LESSONS = ("000-shapes", "003-batch-first")


def answer(cls, student, step=0, status="right", attempt=1, round_=1, mis=None, typed="(5, 3, 20)"):
    return records.make(cls.id, student.id, cls.lessons[0], step, round_, attempt, typed,
                        typed if status != "invalid" else "", status, mis)


def count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_open_find_and_the_key(engine):
    cls, key = store.open_class(engine, "  Period 3 \u202e", LESSONS, seed=4, drill_steps=0)
    assert cls.name == "Period 3" and cls.lessons == LESSONS and cls.furthest is None
    assert store.find_class(engine, cls.code) == cls
    assert store.teacher_class(engine, cls.code, key) == cls
    with engine.connect() as conn:  # only the hash is stored
        stored = conn.execute(select(classes.c.key_hash)).scalar_one()
        dump = " ".join(str(v) for v in conn.execute(select(classes)).one())
    assert key not in dump and stored == codes.key_hash(key)


def test_no_key_or_another_classs_key_opens_nothing(engine):
    a, key_a = store.open_class(engine, "A", LESSONS)
    b, key_b = store.open_class(engine, "B", LESSONS)
    assert a.code != b.code
    assert store.teacher_class(engine, a.code, key_b) is None
    assert store.teacher_class(engine, b.code, key_a) is None
    for bad in (None, "", a.code, codes.key_hash(key_a), key_a + "x", "' OR '1'='1"):
        assert store.teacher_class(engine, a.code, bad) is None
    assert store.teacher_class(engine, "ZZZZZZ", key_a) is None  # unknown: the same None


def test_students_join_in_order_with_clean_names(engine):
    cls, _ = store.open_class(engine, "A", LESSONS)
    first = store.join(engine, cls, "")
    second = store.join(engine, cls, "  王小明\u200b ")
    assert (first.number, first.name) == (1, "Student 1")
    assert (second.number, second.name) == (2, "王小明")
    assert store.find_student(engine, cls.id, second.token) == second
    other, _ = store.open_class(engine, "B", LESSONS)
    assert store.find_student(engine, other.id, second.token) is None  # a token is per class
    assert [s.number for s in store.class_students(engine, cls.id)] == [1, 2]


def test_many_students_joining_at_once_get_distinct_numbers(engine):
    cls, _ = store.open_class(engine, "A", LESSONS)
    joined, errors = [], []

    def one(k):
        try:
            joined.append(store.join(engine, cls, f"s{k}"))
        except Exception as err:  # the assertion below shows it
            errors.append(err)

    threads = [threading.Thread(target=one, args=(k,)) for k in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(s.number for s in joined) == list(range(1, 13))


def test_answers_are_stored_once_whatever_is_resent(engine):
    cls, _ = store.open_class(engine, "A", LESSONS)
    s = store.join(engine, cls)
    batch = [answer(cls, s, step=k) for k in range(5)]
    records.record(engine, batch)
    records.record(engine, batch)  # a retry whose first commit did land
    records.record(engine, [*batch[2:], answer(cls, s, step=9)])
    assert count(engine, answers) == 6
    assert [a.step for a in records.answers_of(engine, cls.id, s.id)] == [0, 1, 2, 3, 4, 9]
    assert records.answers_of(engine, cls.id, s.id)[0] == batch[0]


def test_hostile_answers_are_kept_as_typed_with_bound_parameters(engine):
    cls, _ = store.open_class(engine, "A", LESSONS)
    s = store.join(engine, cls, "';DROP TABLE students--")
    hostile = ["'); DROP TABLE answers; --", "<script>alert(1)</script>", "x" * 10_000,
               "مرحبا \u202e(5, 3, 20)", "a\x00b", "%s %(x)s {0} $1 ?", "\\'\\\"; --"]
    records.record(engine, [answer(cls, s, step=k, status="invalid", typed=h)
                            for k, h in enumerate(hostile)])
    got = [a.typed for a in records.answers_of(engine, cls.id, s.id)]
    assert got == [h.replace("\x00", "")[:200] for h in hostile]
    assert store.find_student(engine, cls.id, s.token).nickname == "';DROP TABLE students--"
    assert count(engine, students) == 1 and count(engine, answers) == len(hostile)


def test_pacing_and_a_second_vote(engine):
    cls, _ = store.open_class(engine, "A", LESSONS)
    assert store.pulse(engine, cls.id) == store.Pulse(None, False, ())
    store.set_pacing(engine, cls.id, 3, True)
    assert store.open_vote(engine, cls.id, "000-shapes", 2) == 2
    assert store.open_vote(engine, cls.id, "000-shapes", 2) == 3
    p = store.pulse(engine, cls.id)
    assert (p.furthest, p.paused) == (3, True)
    assert p.round_of("000-shapes", 2) == 3 and p.round_of("000-shapes", 1) == 1
    for _ in range(20):
        store.open_vote(engine, cls.id, "000-shapes", 2)
    assert store.pulse(engine, cls.id).round_of("000-shapes", 2) == store.MAX_ROUNDS
    store.set_pacing(engine, cls.id, None, False)
    assert store.find_class(engine, cls.code).furthest is None
    with pytest.raises(ValueError):
        store.set_pacing(engine, cls.id, -1, False)
    with pytest.raises(ValueError):
        store.open_vote(engine, cls.id, "'; --", 0)


def test_delete_takes_everything_of_that_class_only(engine):
    a, _ = store.open_class(engine, "A", LESSONS)
    b, _ = store.open_class(engine, "B", LESSONS)
    for cls in (a, b):
        s = store.join(engine, cls)
        records.record(engine, [answer(cls, s)])
        store.open_vote(engine, cls.id, LESSONS[0], 0)
    store.delete_class(engine, a.id)
    assert store.find_class(engine, a.code) is None and store.pulse(engine, a.id) is None
    assert [count(engine, t) for t in (classes, students, answers, votes)] == [1, 1, 1, 1]
    s_a = store.Student(1, a.id, codes.new_token(), 1, "")
    records.record(engine, [answer(a, s_a)])  # late: its class is gone, nobody can read it
    assert count(engine, answers) == 1


def test_purge_after_the_days(engine):
    old, _ = store.open_class(engine, "old", LESSONS, now=1_000.0)
    new, _ = store.open_class(engine, "new", LESSONS, now=1_000.0 + 29 * store.DAY_S)
    records.record(engine, [answer(old, store.join(engine, old))])
    assert store.purge(engine, 30, now=1_000.0 + 30 * store.DAY_S + 1) == 1
    assert store.find_class(engine, old.code) is None
    assert store.find_class(engine, new.code) is not None
    assert count(engine, answers) == 0


def test_bad_lessons_are_refused(engine):
    for lessons in ((), ("a,b",), ("x" * 41,), ("<b>",), tuple(f"l{k}" for k in range(11))):
        with pytest.raises(ValueError):
            store.open_class(engine, "A", lessons)
    with pytest.raises(ValueError):
        store.open_class(engine, "A", LESSONS, drill_steps=10_000)


def test_sqlite_runs_in_wal_mode(tmp_path):
    from lstm_viz.classroom.connect import make_engine

    eng = make_engine(f"sqlite:///{tmp_path / 'c.db'}")
    with eng.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
