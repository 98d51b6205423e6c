"""Small bar charts: padded-vs-packed differences per sentence, and one vector.

``diff_bars`` takes ``claims.padding_changes_shorter(...).numbers["per_sentence"]``:
rows ``{"sentence": n, "length": length, "diff": max |h_n(padded) - h_n(packed)|}``.
Differences span many decades and are often exactly 0, so the y axis is logarithmic
with a floor below the smallest positive value; a 0 draws no bar and is written as "0".
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import plotly.colors

from lstm_viz.core.trace import TOLERANCE
from lstm_viz.figures.spec import figure_of
from lstm_viz.figures.style import as_array, colour_axis, finish
from lstm_viz.figures.text import plain

SAFE = plotly.colors.qualitative.Safe


def _rows(per_sentence: Sequence[Mapping]) -> list[tuple[int, int, float]]:
    if not per_sentence:
        raise ValueError("per_sentence: expected at least one row, got none")
    rows = []
    for i, row in enumerate(per_sentence):
        try:
            n, length, diff = int(row["sentence"]), int(row["length"]), float(row["diff"])
        except (KeyError, TypeError, ValueError) as err:
            raise ValueError(f"per_sentence[{i}]: expected {{sentence, length, diff}}, "
                             f"got {row!r}") from err
        if not diff >= 0:
            raise ValueError(f"per_sentence[{i}].diff: expected >= 0, got {diff}")
        rows.append((n, length, diff))
    return rows


def diff_bars_spec(per_sentence: Sequence[Mapping], *, title: str, x_title: str,
                   y_title: str, differs_label: str, same_label: str, tolerance_label: str,
                   names: Sequence[str] | None = None, tolerance: float = TOLERANCE,
                   height: int = 320) -> dict:
    """One bar per sentence on a log axis; bars above ``tolerance`` in one colour (legend
    ``differs_label``), the rest in another (``same_label``); a dashed line at the
    tolerance. ``names`` (user text, escaped here) replace the "n (length)" tick labels.
    """
    rows = _rows(per_sentence)
    if names is not None and len(names) != len(rows):
        raise ValueError(f"names: expected {len(rows)} names, got {len(names)}")
    ticks = [plain(s) for s in names] if names else [f"{n} ({ln})" for n, ln, _ in rows]
    positive = [d for _, _, d in rows if d > 0]
    floor = 10 ** math.floor(math.log10(min([*positive, tolerance])) - 1)
    top = 10 ** math.ceil(math.log10(max([*positive, tolerance])) + 0.5)
    data = []
    for label, colour, keep in ((differs_label, SAFE[1], True), (same_label, SAFE[0], False)):
        idx = [i for i, (_, _, d) in enumerate(rows) if (d > tolerance) == keep]
        data.append({"type": "bar", "x": idx,
                     "y": np.array([max(rows[i][2], floor) for i in idx], dtype=np.float64),
                     "name": label, "marker": {"color": colour},
                     "customdata": [[rows[i][2]] for i in idx],
                     "text": [_sci(rows[i][2]) for i in idx], "textposition": "outside",
                     "cliponaxis": False, "hovertemplate": "%{customdata[0]:.3e}<extra></extra>"})
    layout = {
        "shapes": [{"type": "line", "x0": 0, "x1": 1, "xref": "x domain", "y0": tolerance,
                    "y1": tolerance, "yref": "y", "line": {"dash": "dash", "color": "#444",
                                                           "width": 1}}],
        "annotations": [{"text": tolerance_label, "x": 1, "xref": "paper", "xanchor": "right",
                         "y": math.log10(tolerance), "yanchor": "bottom",  # log axis: log10(y)
                         "showarrow": False, "bgcolor": "rgba(255,255,255,0.85)"}],
        "xaxis": {"title": {"text": x_title}, "tickmode": "array",
                  "tickvals": list(range(len(rows))), "ticktext": ticks},
        "yaxis": {"title": {"text": y_title}, "type": "log",
                  "range": [math.log10(floor), math.log10(top)], "exponentformat": "power"},
        "legend": {"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0},
        "barmode": "overlay"}
    return finish({"data": data, "layout": layout}, title=title, height=height,
                  margin={"t": 100})


diff_bars = figure_of(diff_bars_spec)


def _sci(v: float) -> str:
    return "0" if v == 0 else f"{v:.1e}"


def vector_bar_spec(values, *, kind: str, title: str, x_title: str, y_title: str,
                    name: str = "v", height: int = 260) -> dict:
    """A vector (units,) as bars j = 0..units-1, coloured by value on ``kind``'s scale."""
    v = as_array(values, name, "(units,)", 1)
    axis = colour_axis(kind, v)
    bar = {"type": "bar", "x": np.arange(v.shape[0], dtype=np.int16), "y": v,
           "marker": {"color": v, "coloraxis": "coloraxis"},
           "hovertemplate": f"j=%{{x}}<br>{plain(name)} = %{{y:.4f}}<extra></extra>"}
    low = 0.0 if kind == "sigmoid" else axis["cmin"]
    layout = {"coloraxis": {**axis, "showscale": False},
              "yaxis": {"title": {"text": y_title}, "range": [low, axis["cmax"]],
                        "zeroline": True, "zerolinecolor": "#888"},
              "xaxis": {"title": {"text": x_title}}}
    return finish({"data": [bar], "layout": layout}, title=title, height=height)


vector_bar = figure_of(vector_bar_spec)
