"""What the teacher's dashboard shows, as plain data: ``build(steps, students, answers, pulse)``.

For every step of the class (in the order students meet them) and every round of it:

- **answered**: students with at least one readable answer in that round;
- **right first time**: students whose first answer in the round was right;
- **the vote**: each student's *first* answer in the round (what they thought before any
  feedback), grouped as right / each named misconception / other, with the commonest
  unnamed wrong answers as typed (grouped by how the checker read them);

then the misconceptions over the whole class, ranked by how many students showed each (and
how many answers), and the students × steps grid: right the first time, right after k
attempts, still wrong, or not reached — in the step's latest round each student answered.
Unreadable answers ("invalid") are kept in the store and the CSV but are no attempts here.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from lstm_viz.classroom.records import Answer
from lstm_viz.classroom.store import Pulse, Student

OTHERS = 5  # unnamed wrong answers listed per vote


@dataclass(frozen=True)
class Group:
    kind: str  # "right", "misconception" or "other"
    misconception: str | None
    students: int


@dataclass(frozen=True)
class Vote:
    round: int
    answered: int
    right_first: int
    groups: tuple[Group, ...]  # right, the misconceptions (most first), other
    others: tuple[tuple[str, int], ...]  # (an unnamed wrong answer as typed, students)


@dataclass(frozen=True)
class StepView:
    position: int  # 0-based, in the class's order of steps
    lesson: str
    step: int
    round: int  # the step's current round (1 unless reopened)
    votes: tuple[Vote, ...]  # round 1 … current


@dataclass(frozen=True)
class Cell:
    status: str  # "first", "later", "wrong" or "none"
    attempts: int = 0


@dataclass(frozen=True)
class Dashboard:
    students: tuple[Student, ...]  # join order
    steps: tuple[StepView, ...]
    misconceptions: tuple[tuple[str, int, int], ...]  # (id, students, answers), ranked
    grid: tuple[tuple[Cell, ...], ...]  # students × steps
    answers: int  # rows in the store, unreadable ones included


def _vote(round_: int, by_student: dict[int, list[Answer]]) -> Vote:
    firsts = [rows[0] for rows in by_student.values() if rows]
    counts = Counter("right" if a.status == "right" else a.misconception or "" for a in firsts)
    misses = sorted((m for m in counts if m not in ("right", "")), key=lambda m: (-counts[m], m))
    groups = (Group("right", None, counts["right"]),
              *(Group("misconception", m, counts[m]) for m in misses),
              Group("other", None, counts[""]))
    unnamed = [a for a in firsts if a.status == "wrong" and not a.misconception]
    spelled: dict[str, Counter] = defaultdict(Counter)
    for a in unnamed:
        spelled[a.read or a.typed.strip()][a.typed.strip()] += 1
    common = sorted(spelled.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))[:OTHERS]
    others = tuple((typed.most_common(1)[0][0], sum(typed.values())) for _, typed in common)
    return Vote(round_, len(firsts), counts["right"], groups, others)


def _cell(rows: list[Answer]) -> Cell:
    if not rows:
        return Cell("none")
    right = next((a for a in rows if a.status == "right"), None)
    if right is None:
        return Cell("wrong", len(rows))
    return Cell("first" if right.attempt <= 1 else "later", right.attempt)


def build(steps: Sequence[tuple[str, int]], students: Sequence[Student],
          answers: Sequence[Answer], pulse: Pulse | None) -> Dashboard:
    """The dashboard of a class whose steps are ``steps`` ((lesson, step) in order)."""
    where = {key: k for k, key in enumerate(steps)}
    # (position, round) → student → their readable answers, in order
    cells: dict[tuple[int, int], dict[int, list[Answer]]] = defaultdict(lambda: defaultdict(list))
    shown: dict[str, set[int]] = defaultdict(set)
    named: Counter = Counter()
    for a in answers:
        k = where.get((a.lesson, a.step))
        if k is None or not a.counts:
            continue
        cells[k, a.round][a.student_id].append(a)
        if a.misconception:
            shown[a.misconception].add(a.student_id)
            named[a.misconception] += 1
    views = []
    for k, (lesson, step) in enumerate(steps):
        current = max([pulse.round_of(lesson, step) if pulse else 1,
                       *(r for (p, r) in cells if p == k)])
        views.append(StepView(k, lesson, step, current, tuple(
            _vote(r, cells.get((k, r), {})) for r in range(1, current + 1))))
    grid = []
    for s in students:
        row = []
        for k, view in enumerate(views):
            rounds = [r for r in range(view.round, 0, -1) if cells.get((k, r), {}).get(s.id)]
            row.append(_cell(cells[k, rounds[0]][s.id] if rounds else []))
        grid.append(tuple(row))
    ranked = sorted(shown, key=lambda m: (-len(shown[m]), -named[m], m))
    return Dashboard(tuple(students), tuple(views),
                     tuple((m, len(shown[m]), named[m]) for m in ranked), tuple(grid),
                     len(answers))
