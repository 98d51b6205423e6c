"""Classes and students in the store: open a class, join it, pace it, reopen a step for a
second vote, delete it, purge old ones. Every function takes a SQLAlchemy ``Engine`` (SQLite
or PostgreSQL), runs its statements with bound parameters only, and returns plain frozen
dataclasses; a store that cannot be reached raises ``sqlalchemy.exc.SQLAlchemyError``.

Answers are ``records``' business; ``dashboard`` reads both.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from sqlalchemy import Engine, case, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from lstm_viz.classroom import codes, names
from lstm_viz.classroom.dialect import upsert
from lstm_viz.classroom.schema import answers, classes, students, votes

LESSON_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
MAX_LESSONS = 10
MAX_DRILL_STEPS = 50
MAX_ROUNDS = 9
TRIES = 20  # a fresh code / number clashing this often means something else is wrong
DAY_S = 86_400.0


@dataclass(frozen=True)
class ClassInfo:
    """What anyone with the class code may know of a class (nothing secret)."""

    id: int
    code: str
    name: str
    lessons: tuple[str, ...]
    seed: int  # the drill's seed (one for everyone)
    drill_steps: int  # the drill's questions (0: no drill)
    created: float
    furthest: int | None = None  # pacing: the furthest position open (None: all)
    paused: bool = False


@dataclass(frozen=True)
class Student:
    id: int
    class_id: int
    token: str
    number: int  # join order in the class, from 1
    nickname: str  # "" when none was given

    @property
    def name(self) -> str:
        return self.nickname or names.default_name(self.number)


@dataclass(frozen=True)
class Pulse:
    """What a student's page polls: pacing and the steps reopened for another vote."""

    furthest: int | None
    paused: bool
    rounds: tuple[tuple[str, int, int], ...]  # (lesson, step, round) for round ≥ 2

    def round_of(self, lesson: str, step: int) -> int:
        return next((r for le, s, r in self.rounds if (le, s) == (lesson, step)), 1)


def _class(row) -> ClassInfo:
    return ClassInfo(row.id, row.code, row.name, tuple(filter(None, row.lessons.split(","))),
                     row.seed, row.drill_steps, row.created, row.furthest, bool(row.paused))


def _student(row) -> Student:
    return Student(row.id, row.class_id, row.token, row.number, row.nickname)


def check_lessons(lessons) -> tuple[str, ...]:
    """Lesson ids as stored (comma-separated): ValueError for anything else."""
    out = tuple(dict.fromkeys(lessons))
    if not 1 <= len(out) <= MAX_LESSONS or not all(LESSON_ID.fullmatch(x) for x in out):
        raise ValueError(f"expected 1 to {MAX_LESSONS} lesson ids")
    return out


def open_class(engine: Engine, name: str, lessons, seed: int = 0, drill_steps: int = 0,
               now: float | None = None) -> tuple[ClassInfo, str]:
    """A new class and its teacher key (returned once, stored only as its hash)."""
    lessons = check_lessons(lessons)
    if not 0 <= drill_steps <= MAX_DRILL_STEPS or not 0 <= seed < 2**31:
        raise ValueError("drill seed or number of questions out of range")
    key, created = codes.new_key(), time.time() if now is None else now
    values = {"key_hash": codes.key_hash(key), "name": names.class_name(name),
              "lessons": ",".join(lessons), "seed": seed, "drill_steps": drill_steps,
              "created": created}
    for _ in range(TRIES):  # a fresh code may clash with a class's: draw again
        code = codes.new_code()
        try:
            with engine.begin() as conn:
                conn.execute(classes.insert().values(code=code, **values))
        except IntegrityError:
            continue
        return find_class(engine, code), key
    raise RuntimeError(f"no free class code after {TRIES} tries")


def _class_row(engine: Engine, code: str):
    with engine.connect() as conn:
        return conn.execute(select(classes).where(classes.c.code == code)).first()


def find_class(engine: Engine, code: str) -> ClassInfo | None:
    """The class with this code (as ``codes.read_code`` reads it), or None."""
    row = _class_row(engine, code)
    return _class(row) if row else None


def teacher_class(engine: Engine, code: str, key: str | None) -> ClassInfo | None:
    """The class, only if ``key`` is its teacher key; None otherwise (unknown code, or a
    wrong key: the same answer, so a link cannot be probed for which classes exist)."""
    row = _class_row(engine, code)
    if row is None or not codes.key_matches(key, row.key_hash):
        return None
    return _class(row)


def join(engine: Engine, cls: ClassInfo, nickname: str = "", now: float | None = None
         ) -> Student:
    """A new student of ``cls``: a fresh token, the next number, the nickname cleaned."""
    nick, joined = names.nickname(nickname), time.time() if now is None else now
    for _ in range(TRIES):  # two students joining at once may draw the same number
        token = codes.new_token()
        try:
            with engine.begin() as conn:
                number = conn.execute(select(func.coalesce(func.max(students.c.number), 0))
                                      .where(students.c.class_id == cls.id)).scalar_one() + 1
                (student_id,) = conn.execute(students.insert().values(
                    class_id=cls.id, token=token, number=number, nickname=nick,
                    joined=joined)).inserted_primary_key
        except IntegrityError:
            if find_class(engine, cls.code) is None:
                raise LookupError("the class was deleted") from None
            continue
        return Student(student_id, cls.id, token, number, nick)
    raise RuntimeError(f"could not join after {TRIES} tries")


def find_student(engine: Engine, class_id: int, token: str) -> Student | None:
    """The student of this class with this token, or None."""
    with engine.connect() as conn:
        row = conn.execute(select(students).where(students.c.token == token,
                                                  students.c.class_id == class_id)).first()
    return _student(row) if row else None


def class_students(engine: Engine, class_id: int) -> list[Student]:
    """Every student of the class, in join order."""
    with engine.connect() as conn:
        rows = conn.execute(select(students).where(students.c.class_id == class_id)
                            .order_by(students.c.number)).all()
    return [_student(r) for r in rows]


def set_pacing(engine: Engine, class_id: int, furthest: int | None, paused: bool) -> None:
    """The furthest position students may open (None: every step) and the pause."""
    if furthest is not None and furthest < 0:
        raise ValueError("furthest must be a position (0 or more) or None")
    with engine.begin() as conn:
        conn.execute(update(classes).where(classes.c.id == class_id)
                     .values(furthest=furthest, paused=bool(paused)))


def open_vote(engine: Engine, class_id: int, lesson: str, step: int,
              now: float | None = None) -> int:
    """Reopen a step for another vote; the round it is now (2 the first time)."""
    if not LESSON_ID.fullmatch(lesson) or step < 0:
        raise ValueError("expected a lesson id and a step")
    opened = time.time() if now is None else now
    with engine.begin() as conn:
        bumped = case((votes.c.round >= MAX_ROUNDS, MAX_ROUNDS), else_=votes.c.round + 1)
        conn.execute(upsert(conn, votes, ["class_id", "lesson", "step"],
                            {"class_id": class_id, "lesson": lesson, "step": step, "round": 2,
                             "opened": opened}, {"round": bumped, "opened": opened}))
        return conn.execute(select(votes.c.round).where(
            votes.c.class_id == class_id, votes.c.lesson == lesson,
            votes.c.step == step)).scalar_one()


def pulse(engine: Engine, class_id: int) -> Pulse | None:
    """Pacing and rounds of the class (None: the class is gone)."""
    with engine.connect() as conn:
        row = conn.execute(select(classes.c.furthest, classes.c.paused)
                           .where(classes.c.id == class_id)).first()
        if row is None:
            return None
        rounds = conn.execute(select(votes.c.lesson, votes.c.step, votes.c.round)
                              .where(votes.c.class_id == class_id)
                              .order_by(votes.c.lesson, votes.c.step)).all()
    return Pulse(row.furthest, bool(row.paused), tuple(tuple(r) for r in rounds))


def _delete(conn, class_ids) -> None:
    for table in (answers, votes, students):
        conn.execute(delete(table).where(table.c.class_id.in_(class_ids)))
    conn.execute(delete(classes).where(classes.c.id.in_(class_ids)))


def delete_class(engine: Engine, class_id: int) -> None:
    """The class, its students, answers and votes: gone now."""
    with engine.begin() as conn:
        _delete(conn, [class_id])


def purge(engine: Engine, days: int, now: float | None = None) -> int:
    """Delete every class opened more than ``days`` days ago; how many there were."""
    cutoff = (time.time() if now is None else now) - days * DAY_S
    with engine.begin() as conn:
        old = list(conn.execute(select(classes.c.id).where(classes.c.created < cutoff))
                   .scalars())
        if old:
            _delete(conn, old)
    return len(old)
