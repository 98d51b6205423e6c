"""The teacher's live dashboard: a fragment that reads the class from the store and redraws
itself every ``REFRESH_S`` seconds (``st.fragment(run_every=…)``), not the whole page.

What it shows (``lstm_viz.classroom.dashboard`` computes it): how many joined and answered;
one stacked bar per step (the vote: right / a named misconception / other / not answered);
one step's vote with its rounds side by side and the commonest unnamed answers as typed;
the misconceptions ranked over the class; the students × steps grid, names hidden unless
the teacher shows them (projector mode). An unreachable store is said, not raised.
"""

from __future__ import annotations

import time

import pandas as pd
import streamlit as st

from lstm_viz.classroom import dashboard, records, store
from lstm_viz.classroom.store import ClassInfo
from lstm_viz.figures.classroom import class_overview_spec, progress_grid_spec, vote_spec
from lstm_viz.i18n import t
from ui import charts, classroom, state, teach
from ui.classroom import StoreDown
from ui.text import md_escape

REFRESH_S = 2.0
CHART = {"width": "stretch", "config": {"displaylogo": False}}
GRID = {"none": (0, ""), "wrong": (1, "✗"), "later": (2, None), "first": (3, "✓")}


def _group_label(group: dashboard.Group, lang: str) -> str:
    if group.kind == "misconception":
        return t(f"class.mis.{group.misconception}", lang)
    return t(f"teach.group.{group.kind}", lang)


def _overview(board: dashboard.Dashboard, lang: str) -> None:
    students = len(board.students)
    counts = []
    for view in board.steps:
        vote = view.votes[-1]
        named = sum(g.students for g in vote.groups if g.kind == "misconception")
        other = vote.groups[-1].students
        counts.append((vote.groups[0].students, named, other, max(students - vote.answered, 0)))
    spec = class_overview_spec(
        [str(v.position + 1) for v in board.steps], counts,
        names=[t(f"teach.overview.{k}", lang) for k in ("right", "named", "other", "none")],
        title=t("teach.overview_title", lang), x_title=t("teach.axis_step", lang),
        y_title=t("teach.axis_students", lang))
    charts.show(spec, key="teach_overview", **CHART)


def _vote(board: dashboard.Dashboard, steps, lang: str) -> None:
    chosen = st.selectbox(t("teach.detail_step", lang), range(len(steps)), key="teach_detail",
                          format_func=lambda k: teach.step_label(steps, k, lang))
    view = board.steps[chosen]
    labels = {}
    for vote in view.votes:
        for g in vote.groups:
            labels.setdefault((g.kind, g.misconception), _group_label(g, lang))
    rounds = [(t("teach.round", lang, round=v.round),
               [next((g.students for g in v.groups if (g.kind, g.misconception) == key), 0)
                for key in labels]) for v in view.votes]
    spec = vote_spec(list(labels.values()), rounds, title=teach.step_label(steps, chosen, lang),
                     x_title=t("teach.axis_answer", lang), y_title=t("teach.axis_students", lang))
    charts.show(spec, key="teach_vote", **CHART)
    for v in view.votes:
        line = t("teach.vote_counts", lang, round=v.round, answered=v.answered,
                 right=v.right_first)
        if v.others:
            typed = ", ".join(f"`{md_escape(a)}` × {n}" for a, n in v.others)
            line += "  \n" + t("teach.others", lang, answers=typed)
        st.markdown(line)


def _ranked(board: dashboard.Dashboard, lang: str) -> None:
    st.subheader(t("teach.ranked", lang))
    if not board.misconceptions:
        st.caption(t("teach.no_misconceptions", lang))
        return
    st.table(pd.DataFrame(
        [(t(f"class.mis.{m}", lang), students, answers)
         for m, students, answers in board.misconceptions],
        columns=[t(f"teach.ranked.{c}", lang) for c in ("name", "students", "answers")]))


def _grid(board: dashboard.Dashboard, lang: str) -> None:
    st.subheader(t("teach.grid", lang))
    if not board.students:
        st.caption(t("teach.nobody", lang))
        return
    codes, text = [], []
    for row in board.grid:
        codes.append([GRID[c.status][0] for c in row])
        text.append([str(c.attempts) if GRID[c.status][1] is None else GRID[c.status][1]
                     for c in row])
    shown = teach.names_shown()
    names = [classroom.student_name(s, lang) for s in board.students]
    spec = progress_grid_spec(
        codes, text, [str(v.position + 1) for v in board.steps], names if shown else None,
        names=[t(f"teach.cell.{k}", lang) for k in ("none", "wrong", "later", "first")],
        title=t("teach.grid_title" if shown else "teach.grid_hidden", lang),
        x_title=t("teach.axis_step", lang), y_title=t("teach.axis_students", lang))
    charts.show(spec, key="teach_grid", **CHART)


@st.fragment(run_every=REFRESH_S)
def live(cls: ClassInfo, steps: list[tuple[str, int]]) -> None:
    """The dashboard, read again from the store at every refresh."""
    lang = state.lang()
    try:
        students = classroom.call(store.class_students, cls.id)
        answers = classroom.call(records.answers_of, cls.id)
        found = classroom.call(store.pulse, cls.id)
    except StoreDown:
        st.warning(t("teach.store_down", lang), icon=":material/cloud_off:")
        return
    if found is None:
        st.info(t("teach.gone", lang), icon=":material/delete:")
        return
    board = dashboard.build(steps, students, answers, found)
    cols = st.columns(4)
    cols[0].metric(t("teach.joined", lang), len(students))
    cols[1].metric(t("teach.answers", lang), board.answers)
    cols[2].metric(t("teach.status", lang), t("teach.paused_now" if found.paused else
                                              "teach.running", lang))
    cols[3].metric(t("teach.updated", lang), time.strftime("%H:%M:%S"))
    if not steps:
        return
    _overview(board, lang)
    _vote(board, steps, lang)
    _ranked(board, lang)
    _grid(board, lang)
