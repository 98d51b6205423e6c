"""Every answer of a class as a table (pandas) and as CSV, for the teacher's download.

One row per check, in the order they were stored: the student's number and name, lesson,
step (1-based, as the page shows it), round, attempt, the answer as typed and as read, the
verdict, the misconception named, the time (UTC, ISO 8601). The CSV is UTF-8 with a BOM, so
that spreadsheet programs read the Chinese and the names right; a cell that a spreadsheet
would run as a formula (it starts with ``=``, ``+``, ``@``, a tab, or ``-`` not followed by a
digit) gets a leading apostrophe (OWASP, "CSV injection").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

import pandas as pd

from lstm_viz.classroom.records import Answer
from lstm_viz.classroom.store import ClassInfo, Student

COLUMNS = ("class", "student", "name", "lesson", "step", "round", "attempt", "typed", "read",
           "status", "right", "misconception", "time")
FORMULA = re.compile(r"[=+@\t\r]|-(?![\d.])")


def _cell(value):
    if isinstance(value, str) and FORMULA.match(value):
        return "'" + value
    return value


def frame(cls: ClassInfo, students: Sequence[Student], answers: Sequence[Answer]
          ) -> pd.DataFrame:
    """The answers as a DataFrame with ``COLUMNS``."""
    who = {s.id: s for s in students}
    rows = [(cls.code, who[a.student_id].number if a.student_id in who else None,
             who[a.student_id].name if a.student_id in who else "", a.lesson, a.step + 1,
             a.round, a.attempt, a.typed, a.read, a.status, a.status == "right",
             a.misconception or "", datetime.fromtimestamp(a.at, UTC).isoformat(
                 timespec="seconds")) for a in answers]
    return pd.DataFrame(rows, columns=list(COLUMNS))


def csv_bytes(table: pd.DataFrame) -> bytes:
    """``table`` as CSV bytes, formulas defused."""
    safe = table.copy()
    for column in ("name", "typed", "read"):
        safe[column] = safe[column].map(_cell)
    return safe.to_csv(index=False).encode("utf-8-sig")
