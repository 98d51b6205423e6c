"""Answers in the store: one row per check a student made in a class.

An ``Answer`` is made where the answer is checked, with a fresh ``answer_id``; ``record``
inserts a batch of them with insert-or-ignore on that id, so an answer sent twice (a retry
after a timeout whose commit did land) is stored once. ``answers_of`` reads them back: one
student's (to restore their page after a reload or on another replica) or the class's.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from lstm_viz.classroom import codes, names
from lstm_viz.classroom.dialect import insert_ignore
from lstm_viz.classroom.schema import MIS_CHARS, TYPED_CHARS, answers, students

STATUSES = ("right", "wrong", "invalid")  # invalid: unreadable, not an attempt
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answer:
    """One check: who, where, which round and attempt, what was typed and read, the verdict."""

    answer_id: str
    class_id: int
    student_id: int
    lesson: str
    step: int  # 0-based, as in the URL's step=
    round: int  # 1; 2, 3 … after the teacher reopened the step
    attempt: int  # 1, 2 … within the round (an invalid answer repeats the last number)
    typed: str  # as typed or picked, ≤ 200 characters
    read: str  # as the checker read it ("(5, 3, 20)"); "" when unreadable
    status: str  # "right", "wrong" or "invalid"
    misconception: str | None = None  # the named mistake of a wrong answer
    at: float = 0.0  # UNIX seconds

    @property
    def counts(self) -> bool:
        return self.status != "invalid"


def make(class_id: int, student_id: int, lesson: str, step: int, round_: int, attempt: int,
         typed: object, read: str, status: str, misconception: str | None = None,
         at: float | None = None) -> Answer:
    """A checked answer ready to send: a fresh id, texts cut to what the store keeps."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}")
    return Answer(codes.new_answer_id(), class_id, student_id, lesson, int(step), int(round_),
                  int(attempt), names.answer_text(typed), names.answer_text(read)[:TYPED_CHARS],
                  status, (misconception or None) and str(misconception)[:MIS_CHARS],
                  time.time() if at is None else at)


def record(engine: Engine, batch: Sequence[Answer]) -> None:
    """Store ``batch`` in one transaction; answers already stored are skipped. An answer of
    a student whose class was deleted meanwhile is dropped (logged): nobody can read it."""
    rows = [asdict(a) for a in batch if codes.ANSWER_ID.fullmatch(a.answer_id)]
    try:
        with engine.begin() as conn:
            insert_ignore(conn, answers, ["answer_id"], rows)
    except IntegrityError:  # a foreign key: the class (and its students) are gone
        with engine.begin() as conn:
            alive = set(conn.execute(select(students.c.id).where(
                students.c.id.in_({r["student_id"] for r in rows}))).scalars())
            kept = [r for r in rows if r["student_id"] in alive]
            insert_ignore(conn, answers, ["answer_id"], kept)
        if len(kept) < len(rows):
            log.info("dropped %d answers of deleted classes", len(rows) - len(kept))


def answers_of(engine: Engine, class_id: int, student_id: int | None = None) -> list[Answer]:
    """The class's answers (or one student's), in the order they were stored."""
    query = select(*(answers.c[f] for f in Answer.__dataclass_fields__)).where(
        answers.c.class_id == class_id)
    if student_id is not None:
        query = query.where(answers.c.student_id == student_id)
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(answers.c.id)).all()
    return [Answer(*row) for row in rows]
