"""Figures of the Memory page: several models (or runs) on one sentence, time along x.

``answer_strips``: one row per model, one cell per word, the model's answer after that word
written in the cell, coloured by the probability it gives the right animal.
``state_strips``: h (or c) of each model over time, one panel per model, units down y.
``connectivity_maps``: ‖∂ output_t / ∂ x_s‖ per model, output step t down y, input step s
along x, on one log colour scale (log10 of the norm); exact zeros (s > t: no path) blank.
``connectivity_strips``: the chosen output step's row of each map, behind the tokens.
``flow_lines``: ‖∂ h_T / ∂ h_t‖ per model over t, log y: a vanishing gradient falls off.

Each ``*_spec`` builder returns its figure as a plain dict (``lstm_viz.figures.spec``); the
name without ``_spec`` returns the same as a ``go.Figure``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from lstm_viz.figures.spec import figure_of
from lstm_viz.figures.style import (
    SEQUENTIAL,
    as_array,
    colour_axis,
    finish,
    row_box,
    shape_text,
    tick_stride,
    titled,
)
from lstm_viz.figures.text import plain, step_ticks

COLOURS = ("#D55E00", "#0072B2", "#009E73", "#CC79A7")  # Okabe-Ito: colour-blind safe
WRITTEN = 24  # up to this many steps, words are written in the cells (beyond: hover, ticks)
DECADES = 8  # the log colour scale spans at most 10^-8 … 1 of the largest value


def _indices(n: int) -> np.ndarray:
    """0 … n-1 as int16: the typed array plotly.py would send for them."""
    return np.arange(n, dtype=np.int16)


def _steps_xaxis(tokens: Sequence[str], L: int, title: str | None, px: float = 1000) -> dict:
    """x axis of time steps: "t: token" ticks, thinned to stay legible."""
    ticks = step_ticks(tokens, L, "")
    keep = range(0, L, tick_stride(L, px, min_px=16))
    return {"tickmode": "array", "tickvals": list(keep), "ticktext": [ticks[t] for t in keep],
            "range": [-0.5, L - 0.5], **titled(title), "tickangle": -45 if L > 12 else 0}


def _check(rows: Mapping, what: str, ndim: int, expected: str) -> dict[str, np.ndarray]:
    if not rows:
        raise ValueError(f"{what}: expected at least one model, got none")
    arrays = {label: as_array(v, f"{what}[{label}]", expected, ndim) for label, v in rows.items()}
    first = next(iter(arrays.values())).shape[0]
    for label, a in arrays.items():
        if a.shape[0] != first:
            raise ValueError(f"{what}[{label}]: expected L={first} first, got {shape_text(a)}")
    return arrays


def answer_strips_spec(rows: Mapping[str, tuple[Sequence[str], object]],
                       tokens: Sequence[str], *, title: str, colour_title: str, x_title: str,
                       hover: str = "p") -> dict:
    """``rows[label] = (answers, p)``: the answer after each of L words and p (L,) on 0 … 1."""
    p = _check({k: v[1] for k, v in rows.items()}, "rows", 1, "(L,)")
    L, labels = len(tokens), list(rows)
    for label, (said, _) in rows.items():
        if len(said) != L or p[label].shape[0] != L:
            raise ValueError(f"rows[{label}]: expected {L} answers and p (L={L},)")
    text = [[plain(a) for a in rows[label][0]] for label in labels]
    heatmap = {
        "type": "heatmap", "z": np.stack([p[k] for k in labels]), "x": _indices(L),
        "y": [plain(k) for k in labels],
        "text": text, "texttemplate": "%{text}" if L <= WRITTEN else "", "zmin": 0, "zmax": 1,
        "textfont": {"size": 11 if L <= WRITTEN / 2 else 9},
        "colorscale": SEQUENTIAL, "colorbar": {"title": {"text": colour_title}, "thickness": 12},
        "hovertemplate": f"%{{y}}, t=%{{x}}: %{{text}}<br>{plain(hover)} = "
                         "%{z:.3f}<extra></extra>",
        "xgap": 1, "ygap": 2}
    spec = {"data": [heatmap], "layout": {"xaxis": _steps_xaxis(tokens, L, x_title),
                                          "yaxis": {"autorange": "reversed"}}}
    return finish(spec, title=title, height=90 + 46 * len(labels) + (40 if L > 12 else 0))


answer_strips = figure_of(answer_strips_spec)


def _bands(count: int, gap: float) -> list[tuple[float, float]]:
    """``count`` equal bands of 0 … 1 with ``gap`` between them, first band first."""
    size = (1 - gap * (count - 1)) / count
    return [(k * (size + gap), k * (size + gap) + size) for k in range(count)]


def _panel_title(text: str, x: float, y: float) -> dict:
    return {"text": plain(text), "x": x, "y": y, "xref": "paper", "yref": "paper",
            "xanchor": "center", "yanchor": "bottom", "showarrow": False, "font": {"size": 13}}


def state_strips_spec(panels: Mapping[str, object], tokens: Sequence[str], *, title: str,
                      x_title: str, y_title: str, kind: str, name: str = "h") -> dict:
    """``panels[label]``: (L, units) over time, one panel each (stacked, the first on top),
    one colour scale; ``fig.data[k]`` is panel k, time along x, unit j down y."""
    zs = _check(panels, "panels", 2, "(L, units)")
    L = next(iter(zs.values())).shape[0]
    bands = _bands(len(zs), 0.1)[::-1]  # top to bottom
    data, layout, notes = [], {}, []
    for k, ((label, z), (y0, y1)) in enumerate(zip(zs.items(), bands, strict=True)):
        ax = "" if k == 0 else str(k + 1)
        data.append({
            "type": "heatmap", "z": z.T, "x": _indices(L), "y": _indices(z.shape[1]),
            "coloraxis": "coloraxis", "name": plain(label), "hoverongaps": False,
            "xaxis": f"x{ax}", "yaxis": f"y{ax}",
            "hovertemplate": f"{plain(label)}: t=%{{x}}, j=%{{y}}<br>{plain(name)} = "
                             "%{z:.4f}<extra></extra>"})
        bottom = k == len(zs) - 1
        layout[f"xaxis{ax}"] = {**_steps_xaxis(tokens, L, x_title if bottom else None),
                                "anchor": f"y{ax}", "showticklabels": bottom,
                                **({"matches": "x"} if k else {})}
        layout[f"yaxis{ax}"] = {"domain": [y0, y1], "anchor": f"x{ax}", "autorange": "reversed",
                                "title": {"text": y_title}}
        notes.append(_panel_title(label, 0.5, y1))
    spec = {"data": data, "layout": {**layout, "annotations": notes,
                                     "coloraxis": colour_axis(kind, *zs.values())}}
    return finish(spec, title=title, height=110 + len(zs) * 150 + (40 if L > 12 else 0))


state_strips = figure_of(state_strips_spec)


def log_range(*arrays: np.ndarray) -> tuple[float, float]:
    """(lo, hi) of log10 over every positive finite value, at most DECADES apart."""
    values = np.concatenate([a[np.isfinite(a) & (a > 0)].ravel() for a in arrays])
    if not values.size:
        return -1.0, 0.0
    hi = float(np.ceil(np.log10(values.max())))
    return max(float(np.floor(np.log10(values.min()))), hi - DECADES), hi


def _log(a: np.ndarray) -> np.ndarray:
    """log10 of a, NaN where a is 0 or NaN (nothing to colour)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(a > 0, np.log10(a), np.nan).astype(np.float32)


def _log_axis(lo: float, hi: float, title: str) -> dict:
    ticks = list(range(int(lo), int(hi) + 1))
    bar = {"title": {"text": title}, "thickness": 12, "tickvals": ticks,
           "ticktext": [f"1e{k}" if k else "1" for k in ticks]}
    return {"colorscale": SEQUENTIAL, "cmin": lo, "cmax": hi, "colorbar": bar}


def connectivity_maps_spec(maps: Mapping[str, object], tokens: Sequence[str], *,
                           selected_t: int, title: str, x_title: str, y_title: str,
                           colour_title: str) -> dict:
    """``maps[label]``: (L, L) conn[t, s]; one square panel each, side by side
    (``fig.data[k]`` is panel k, z = log10 of the norm), row ``selected_t`` outlined
    (shapes named "selected")."""
    zs = _check(maps, "maps", 2, "(L, L)")
    L = next(iter(zs.values())).shape[0]
    if not 0 <= selected_t < L:
        raise ValueError(f"selected_t: expected 0 … {L - 1}, got {selected_t}")
    lo, hi = log_range(*zs.values())
    ticks = step_ticks(tokens, L, "")
    keep = list(range(0, L, tick_stride(L, 300, min_px=14)))
    axis = {"tickmode": "array", "tickvals": keep, "ticktext": [ticks[k] for k in keep],
            "range": [-0.5, L - 0.5]}
    data, layout, notes, shapes = [], {}, [], []
    for k, ((label, z), (x0, x1)) in enumerate(zip(zs.items(), _bands(len(zs), 0.06),
                                                   strict=True)):
        ax = "" if k == 0 else str(k + 1)
        data.append({
            "type": "heatmap", "z": _log(z), "x": _indices(L), "y": _indices(L),
            "coloraxis": "coloraxis", "customdata": z, "name": plain(label),
            "hoverongaps": False, "xaxis": f"x{ax}", "yaxis": f"y{ax}",
            "hovertemplate": f"{plain(label)}: t=%{{y}}, s=%{{x}}<br>‖∂output_t/∂x_s‖ = "
                             "%{customdata:.2e}<extra></extra>"})
        layout[f"xaxis{ax}"] = {**axis, "domain": [x0, x1], "anchor": f"y{ax}",
                                "title": {"text": x_title}, "constrain": "domain"}
        layout[f"yaxis{ax}"] = {**axis, "anchor": f"x{ax}", "autorange": "reversed",
                                "scaleanchor": f"x{ax}", "constrain": "domain",
                                "showticklabels": k == 0,  # the same words in every panel
                                **titled(y_title if k == 0 else None)}
        notes.append(_panel_title(label, (x0 + x1) / 2, 1.0))
        shapes += row_box(selected_t, -0.5, L - 0.5, xref=f"x{ax}", yref=f"y{ax}",
                          name="selected")
    spec = {"data": data, "layout": {**layout, "annotations": notes, "shapes": shapes,
                                     "coloraxis": _log_axis(lo, hi, colour_title)}}
    return finish(spec, title=title, height=470)


connectivity_maps = figure_of(connectivity_maps_spec)


def connectivity_strips_spec(rows: Mapping[str, object], tokens: Sequence[str], t: int, *,
                             title: str, colour_title: str) -> dict:
    """``rows[label]``: (L,) conn[t, s] over s; the tokens written on their colour."""
    zs = _check(rows, "rows", 1, "(L,)")
    L = next(iter(zs.values())).shape[0]
    if len(tokens) != L:
        raise ValueError(f"tokens: expected {L}, got {len(tokens)}")
    lo, hi = log_range(*zs.values())
    labels = list(zs)
    heatmap = {
        "type": "heatmap", "z": np.stack([_log(zs[k]) for k in labels]),
        "customdata": np.stack([zs[k] for k in labels]), "x": _indices(L),
        "y": [plain(k) for k in labels], "coloraxis": "coloraxis",
        "text": [[plain(w) for w in tokens]] * len(labels),
        "texttemplate": "%{text}" if L <= WRITTEN else "",
        "textfont": {"size": 12 if L <= WRITTEN / 2 else 9}, "xgap": 2 if L <= WRITTEN else 1,
        "ygap": 4, "hoverongaps": False,
        "hovertemplate": f"%{{y}}, s=%{{x}}: %{{text}}<br>‖∂output_{t}/∂x_s‖ = "
                         "%{customdata:.2e}<extra></extra>"}
    written = L <= WRITTEN  # else the words go below, as ticks
    layout = {"coloraxis": _log_axis(lo, hi, colour_title),
              "xaxis": {"showticklabels": False, "range": [-0.5, L - 0.5]} if written
              else _steps_xaxis(tokens, L, None), "yaxis": {"autorange": "reversed"}}
    return finish({"data": [heatmap], "layout": layout}, title=title,
                  height=90 + 46 * len(labels) + (0 if written else 60))


connectivity_strips = figure_of(connectivity_strips_spec)


def flow_lines_spec(flows: Mapping[str, object], tokens: Sequence[str], *, title: str,
                    x_title: str, y_title: str, dashed: Sequence[str] = ()) -> dict:
    """``flows[label]``: (L,) ‖∂h_T/∂h_t‖ over t, one line each (the labels in ``dashed``
    dashed, in the colour of the line before), log y (zeros left out)."""
    ys = _check(flows, "flows", 1, "(L,)")
    L = next(iter(ys.values())).shape[0]
    data, colour = [], -1
    for label, y in ys.items():
        colour += label not in dashed
        data.append({
            "type": "scatter", "x": _indices(L), "y": np.where(y > 0, y, np.nan),
            "mode": "lines+markers", "name": plain(label), "marker": {"size": 5},
            "line": {"color": COLOURS[colour % len(COLOURS)], "width": 2,
                     "dash": "dash" if label in dashed else "solid"},
            "hovertemplate": f"{plain(label)}: t=%{{x}}<br>%{{y:.2e}}<extra></extra>"})
    positive = np.concatenate([y[np.isfinite(y) & (y > 0)] for y in ys.values()])
    decades = (np.log10(positive.max()) - np.log10(positive.min())) if positive.size else 1.0
    layout = {"xaxis": _steps_xaxis(tokens, L, x_title, px=600),  # rotated words: fewer
              "yaxis": {"type": "log", "title": {"text": y_title}, "exponentformat": "power",
                        "dtick": max(1, math.ceil(decades / 8)),  # at most ~8 ticks
                        "showgrid": True, "gridcolor": "#eeeeee"},
              "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0}}
    return finish({"data": data, "layout": layout}, title=title,
                  height=360 + (40 if L > 12 else 0), margin={"t": 90})


flow_lines = figure_of(flow_lines_spec)
