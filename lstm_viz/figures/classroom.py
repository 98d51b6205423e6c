"""The class dashboard's charts, from its numbers (``lstm_viz.classroom.dashboard``, passed in
as plain lists): small, cheap enough to rebuild on every refresh (every ~2 s).

* ``class_overview_spec``: one stacked bar per step: the students whose vote (first answer
  in the step's latest round) was right, a named misconception, another wrong answer, and
  those who have not answered.
* ``vote_spec``: one step's vote, answers grouped (right, each misconception, other) with
  one bar per round side by side: round 1 beside round 2.
* ``progress_grid_spec``: students × steps: right the first time, right after k attempts,
  still wrong, not reached; rows unlabelled when names are hidden (projector mode).

Colours: Okabe & Ito's colour-blind-safe palette. Student names are user text: escaped with
``plain`` before they reach a figure.
"""

from __future__ import annotations

from collections.abc import Sequence

from lstm_viz.figures.spec import figure_of
from lstm_viz.figures.style import auto_height, finish
from lstm_viz.figures.text import plain

RIGHT, MISCONCEPTION, OTHER, NONE = "#009E73", "#D55E00", "#E69F00", "#D9D9D9"
LATER = "#56B4E9"
ROUNDS = ("#0072B2", "#E69F00", "#CC79A7", "#009E73", "#D55E00", "#56B4E9", "#F0E442",
          "#000000", "#999999")
GRID_COLOURS = (NONE, MISCONCEPTION, LATER, RIGHT)  # code 0 … 3: none, wrong, later, first
LEGEND = {"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0}


def _count_axis(title: str, top: int) -> dict:
    """A y axis of whole students: every one ticked up to 10, then plotly's own steps."""
    return {"title": {"text": title}, "rangemode": "tozero", "tickformat": "d",
            **({"dtick": 1} if top <= 10 else {})}


def _check_lengths(what: str, values: Sequence, n: int) -> None:
    if len(values) != n:
        raise ValueError(f"{what}: expected {n} values, got {len(values)}")


def class_overview_spec(steps: Sequence[str], counts: Sequence[Sequence[int]], *,
                        names: Sequence[str], title: str, x_title: str, y_title: str,
                        height: int = 300) -> dict:
    """``counts[k]`` = (right, misconception, other, not answered) for step label
    ``steps[k]``; ``names`` the four legend entries."""
    _check_lengths("counts", counts, len(steps))
    _check_lengths("names", names, 4)
    data = [{"type": "bar", "x": list(steps), "y": [int(c[i]) for c in counts],
             "name": names[i], "marker": {"color": colour},
             "hovertemplate": f"%{{x}}: %{{y}} {plain(names[i])}<extra></extra>"}
            for i, colour in enumerate((RIGHT, MISCONCEPTION, OTHER, NONE))]
    layout = {"barmode": "stack", "legend": LEGEND, "bargap": 0.25,
              "xaxis": {"title": {"text": x_title}, "type": "category"},
              "yaxis": _count_axis(y_title, max((sum(c) for c in counts), default=0))}
    return finish({"data": data, "layout": layout}, title=title, height=height,
                  margin={"t": 90})


class_overview = figure_of(class_overview_spec)


def vote_spec(groups: Sequence[str], rounds: Sequence[tuple[str, Sequence[int]]], *,
              title: str, x_title: str, y_title: str, height: int = 320) -> dict:
    """Bars of students per answer group (``groups``: right, misconceptions, other), one
    trace per round (``(legend name, counts per group)``), side by side."""
    if not rounds:
        raise ValueError("rounds: expected at least one round, got none")
    data = []
    for k, (name, values) in enumerate(rounds):
        _check_lengths(f"rounds[{k}]", values, len(groups))
        data.append({"type": "bar", "x": list(groups), "y": [int(v) for v in values],
                     "name": name, "marker": {"color": ROUNDS[k % len(ROUNDS)]},
                     "text": [str(int(v)) for v in values], "textposition": "outside",
                     "cliponaxis": False, "hovertemplate": "%{x}: %{y}<extra>%{fullData.name}"
                                                            "</extra>"})
    layout = {"barmode": "group", "legend": LEGEND, "bargap": 0.3,
              "xaxis": {"title": {"text": x_title}, "type": "category", "automargin": True},
              "yaxis": _count_axis(y_title, max((int(v) for _, vs in rounds for v in vs),
                                                default=0))}
    return finish({"data": data, "layout": layout}, title=title, height=height,
                  margin={"t": 90})


vote = figure_of(vote_spec)


def progress_grid_spec(codes: Sequence[Sequence[int]], text: Sequence[Sequence[str]],
                       steps: Sequence[str], students: Sequence[str] | None, *,
                       names: Sequence[str], title: str, x_title: str, y_title: str) -> dict:
    """``codes[s][k]`` ∈ 0 … 3 (not reached, still wrong, right after k attempts, right the
    first time) for student row ``s`` and step ``k``; ``text`` written in the cells;
    ``students`` the row labels (user text), or None to show no names; ``names`` the four
    statuses for the colour bar."""
    rows = len(codes)
    if rows == 0:
        raise ValueError("codes: expected at least one student, got none")
    for s, row in enumerate(codes):
        _check_lengths(f"codes[{s}]", row, len(steps))
        if any(not 0 <= int(c) <= 3 for c in row):
            raise ValueError(f"codes[{s}]: expected values 0 … 3, got {list(row)}")
    if students is not None:
        _check_lengths("students", students, rows)
    scale = [[edge, GRID_COLOURS[k]] for k in range(4) for edge in (k / 4, (k + 1) / 4)]
    y = list(range(rows))
    cell = {"type": "heatmap", "z": [[int(c) for c in row] for row in codes], "x": list(steps),
            "y": y, "zmin": -0.5, "zmax": 3.5, "colorscale": scale, "xgap": 2, "ygap": 2,
            "text": [[plain(v) for v in row] for row in text], "texttemplate": "%{text}",
            "hoverinfo": "skip", "colorbar": {"tickvals": [0, 1, 2, 3], "ticktext": list(names),
                                              "thickness": 12, "outlinewidth": 0}}
    yaxis = {"title": {"text": y_title}, "autorange": "reversed", "tickmode": "array",
             "tickvals": y, "ticktext": [plain(s) for s in students] if students else [""] * rows}
    layout = {"xaxis": {"title": {"text": x_title}, "type": "category", "side": "top"},
              "yaxis": yaxis}
    return finish({"data": [cell], "layout": layout}, title=title,
                  height=auto_height(rows, per_row=24, hi=2400, extra=140))


progress_grid = figure_of(progress_grid_spec)
