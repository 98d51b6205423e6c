"""The dashboard's aggregation and the CSV, from answers stored in a real store."""

from __future__ import annotations

import io

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_viz.classroom import dashboard, export, records, store
from lstm_viz.classroom.store import Pulse, Student

STEPS = [("000-shapes", 0), ("000-shapes", 1), ("000-shapes", 2)]


def test_votes_groups_others_ranking_and_grid(engine):
    cls, _ = store.open_class(engine, "A", ["000-shapes"])
    s1, s2, s3, s4 = (store.join(engine, cls, n) for n in ("Ada", "", "Li", "Bo"))
    said = []

    def say(s, step, status, attempt, read, mis=None, round_=1, typed=None):
        said.append(records.make(cls.id, s.id, "000-shapes", step, round_, attempt,
                                 typed or read, read, status, mis))

    say(s1, 0, "right", 1, "(5, 3, 20)")
    say(s1, 1, "wrong", 1, "(3, 5, 20)", "nl_swapped")
    say(s1, 1, "right", 2, "(5, 3, 20)")
    say(s1, 2, "invalid", 0, "", typed="abc")  # unreadable: no attempt
    say(s2, 0, "wrong", 1, "(3, 5, 20)", "nl_swapped")
    say(s2, 0, "wrong", 2, "(9, 9, 9)")
    say(s2, 1, "right", 1, "(5, 3, 20)")
    say(s3, 0, "wrong", 1, "(1, 2, 3)", typed="1,2,3")
    say(s4, 0, "wrong", 1, "(1, 2, 3)", typed="(1, 2, 3)")
    say(s4, 1, "wrong", 1, "(1, 2, 3)", typed="1 2 3")
    store.open_vote(engine, cls.id, "000-shapes", 0)  # a second vote on step 1
    say(s2, 0, "right", 1, "(5, 3, 20)", round_=2)
    say(s3, 0, "wrong", 1, "(5, 3, 40)", "forgot_D", round_=2)
    records.record(engine, said)

    board = dashboard.build(STEPS, store.class_students(engine, cls.id),
                            records.answers_of(engine, cls.id), store.pulse(engine, cls.id))
    first, second, third = board.steps
    assert first.round == 2 and [v.round for v in first.votes] == [1, 2]
    r1, r2 = first.votes
    assert (r1.answered, r1.right_first) == (4, 1)
    assert [(g.kind, g.misconception, g.students) for g in r1.groups] == [
        ("right", None, 1), ("misconception", "nl_swapped", 1), ("other", None, 2)]
    assert r1.others == (("1,2,3", 2),) or r1.others == (("(1, 2, 3)", 2),)  # one reading
    assert (r2.answered, r2.right_first) == (2, 1)
    assert [(g.kind, g.misconception, g.students) for g in r2.groups] == [
        ("right", None, 1), ("misconception", "forgot_D", 1), ("other", None, 0)]
    assert (second.votes[0].answered, second.votes[0].right_first) == (3, 1)
    assert third.votes[0].answered == 0  # an unreadable answer is no vote
    assert board.misconceptions == (("nl_swapped", 2, 2), ("forgot_D", 1, 1))
    cells = [[(c.status, c.attempts) for c in row] for row in board.grid]
    assert cells == [
        [("first", 1), ("later", 2), ("none", 0)],  # Ada
        [("first", 1), ("first", 1), ("none", 0)],  # Student 2: right in round 2
        [("wrong", 1), ("none", 0), ("none", 0)],  # Li: round 2, still wrong
        [("wrong", 1), ("wrong", 1), ("none", 0)],  # Bo
    ]
    assert board.answers == len(said)

    table = export.frame(cls, store.class_students(engine, cls.id),
                         records.answers_of(engine, cls.id))
    back = pd.read_csv(io.BytesIO(export.csv_bytes(table)), encoding="utf-8-sig",
                       keep_default_na=False)
    assert len(back) == len(said) and list(back.columns) == list(export.COLUMNS)
    assert back["name"].tolist()[:2] == ["Ada", "Ada"] and "Student 2" in back["name"].tolist()
    assert back["step"].min() == 1 and set(back["round"]) == {1, 2}
    assert back["right"].sum() == 4


def test_the_csv_defuses_formulas_and_keeps_text():
    cls = store.ClassInfo(1, "K7QX3M", "A", ("000-shapes",), 0, 0, 0.0)
    who = [Student(1, 1, "t" * 16, 1, "=HYPERLINK(\"x\")")]
    rows = [records.make(1, 1, "000-shapes", 0, 1, 1, typed, "", "invalid")
            for typed in ("=1+1", "+cmd", "@SUM(A1)", "-1", "-x", "(5, 3, 20)", "王 <b>")]
    back = pd.read_csv(io.BytesIO(export.csv_bytes(export.frame(cls, who, rows))),
                       encoding="utf-8-sig", keep_default_na=False, dtype=str)
    assert back["typed"].tolist() == ["'=1+1", "'+cmd", "'@SUM(A1)", "-1", "'-x", "(5, 3, 20)",
                                      "王 <b>"]
    assert back["name"][0] == "'=HYPERLINK(\"x\")"


ANSWERS = st.lists(st.tuples(st.integers(1, 5), st.integers(0, 3), st.integers(1, 2),
                             st.sampled_from(["right", "wrong", "invalid"]),
                             st.sampled_from([None, "nl_swapped", "forgot_D"])), max_size=60)


@settings(max_examples=60, deadline=None)
@given(ANSWERS, st.integers(1, 2))
def test_the_counts_always_add_up(rows, vote_round):
    people = [Student(k, 1, f"{k:016d}", k, "") for k in range(1, 6)]
    steps = [("000-shapes", k) for k in range(3)]  # step 3 is outside the class's steps
    tries: dict = {}
    said = []
    for who, step, round_, status, mis in rows:
        tries[who, step, round_] = tries.get((who, step, round_), 0) + (status != "invalid")
        said.append(records.make(1, who, "000-shapes", step, round_, tries[who, step, round_],
                                 "x", "x", status, mis if status == "wrong" else None))
    pulse = Pulse(None, False, (("000-shapes", 1, 2),) if vote_round == 2 else ())
    board = dashboard.build(steps, people, said, pulse)
    assert len(board.grid) == 5 and all(len(row) == 3 for row in board.grid)
    for view in board.steps:
        for vote in view.votes:
            assert 0 <= vote.right_first <= vote.answered <= 5
            assert sum(g.students for g in vote.groups) == vote.answered
            assert vote.groups[0].kind == "right" and vote.groups[-1].kind == "other"
    for k, row in enumerate(board.grid):
        for j, cell in enumerate(row):
            counted = [a for a in said if a.student_id == k + 1 and a.step == j and a.counts]
            assert (cell.status == "none") == (not counted)
    named = {a.misconception for a in said if a.misconception and a.step < 3 and a.counts}
    assert {m for m, _, _ in board.misconceptions} == named
