"""Gate heatmaps of one sentence: every unit (x) at every time step (y).

Values come from ``Trace.step_values(layer, d)[name][n]``: (L, units), NaN past the
sentence's length for packed input. Each gate gets the colour scale of its kind
(``style.value_kinds``): sigmoid gates 0..1, tanh -1..1, unbounded ±max(1, max|v|).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lstm_viz.core.tokens import PAD
from lstm_viz.figures.panel import (
    add_overlays,
    add_panel,
    pad_overlay,
    step_heatmap,
    step_yaxis,
    subplot_refs,
    unit_xaxis,
)
from lstm_viz.figures.style import as_array, auto_height, colour_axis, finish, row_box


def _steps(values, name: str) -> np.ndarray:
    return as_array(values, name, "(L, units)", 2)


def gate_heatmap(values, tokens: Sequence[str], *, name: str, kind: str, title: str,
                 x_title: str, y_title: str, pad: str = PAD, selected_t: int | None = None,
                 height: int | None = None) -> go.Figure:
    """One gate (or state) of one sentence: values (L, units) → heatmap t × unit j.

    ``name`` is the symbol shown on hover ("i_t"); ``kind`` picks the colour scale;
    ``selected_t`` outlines that time step's row.
    """
    z = _steps(values, name)  # (L, units)
    L, units = z.shape
    _check_t(selected_t, L)
    height = height or auto_height(L)
    fig = go.Figure(step_heatmap(z, coloraxis="coloraxis", name=name))
    overlay = pad_overlay(z, pad=pad)
    if overlay is not None:
        fig.add_trace(overlay)
    fig.update_layout(coloraxis=colour_axis(kind, z))
    fig.update_yaxes(step_yaxis(tokens, L, pad=pad, px=height - 110, title=y_title))
    fig.update_xaxes(unit_xaxis(units, x_title))
    if selected_t is not None:
        fig.update_layout(shapes=row_box(selected_t, -0.5, units - 0.5, name="selected"))
    return finish(fig, title=title, height=height)


def _check_t(t: int | None, L: int) -> None:
    if t is not None and not 0 <= t < L:
        raise ValueError(f"selected_t: expected a step in 0..{L - 1}, got {t}")


def _colorbar_at(fig: go.Figure, row: int, col: int) -> dict:
    """A colour bar just right of subplot (row, col), as tall as it."""
    sub = fig.get_subplot(row, col)
    (_, x1), (y0, y1) = sub.xaxis.domain, sub.yaxis.domain
    return {"x": x1 + 0.005, "xanchor": "left", "y": (y0 + y1) / 2, "yanchor": "middle",
            "len": y1 - y0, "lenmode": "fraction", "thickness": 10}


def _check_grid(step_values, kinds, titles) -> tuple[list[str], list[np.ndarray], int]:
    names = list(step_values)
    if not names:
        raise ValueError("step_values: expected at least one gate, got none")
    zs = [_steps(step_values[n], n) for n in names]  # each (L, units_k)
    L = zs[0].shape[0]
    for n, z in zip(names, zs, strict=True):
        if z.shape[0] != L:
            raise ValueError(f"{n}: expected (L={L}, units), got {tuple(z.shape)}")
        if n not in kinds or n not in titles:
            raise ValueError(f"kinds and titles: expected an entry for {n!r}")
    return names, zs, L


def gates_grid(step_values: Mapping[str, object], tokens: Sequence[str], *,
               kinds: Mapping[str, str], titles: Mapping[str, str], title: str, x_title: str,
               y_title: str, pad: str = PAD, selected_t: int | None = None,
               cols: int | None = None, height: int | None = None) -> go.Figure:
    """Every value of one cell step side by side: {name: (L, units)} → one subplot each.

    Subplots follow ``step_values``' order (LSTM i f g o c h; GRU r z n h; RNN h), each with
    its own ``coloraxis{k}`` and colour bar. ``fig.data[k]`` is panel k's heatmap; the grey
    pad overlays come after all panels. ``selected_t`` outlines that row in every panel
    (shapes named ``"selected <name>"``).
    """
    names, zs, L = _check_grid(step_values, kinds, titles)
    _check_t(selected_t, L)
    cols = cols or (len(names) if len(names) <= 4 else 3)
    rows = math.ceil(len(names) / cols)
    panel_px = min(420, max(150, L * 14))
    height = height or rows * (panel_px + 40) + 90
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[titles[n] for n in names],
                        shared_yaxes=True, horizontal_spacing=0.07,
                        vertical_spacing=min(0.3, 70 / height))
    overlays, shapes, layout = [], [], {}
    for k, (n, z) in enumerate(zip(names, zs, strict=True)):
        r, c, axis = k // cols + 1, k % cols + 1, f"coloraxis{k + 1 if k else ''}"
        overlays.append(add_panel(fig, z, tokens, layout, row=r, col=c, coloraxis=axis,
                                  name=n, pad=pad, px=panel_px,
                                  x_title=x_title if r == rows else None,
                                  y_title=y_title if c == 1 else None))
        layout[axis] = colour_axis(kinds[n], z, colorbar=_colorbar_at(fig, r, c))
        if selected_t is not None:
            xref, yref = subplot_refs(fig, r, c)
            shapes += row_box(selected_t, -0.5, z.shape[1] - 0.5, name=f"selected {n}",
                              xref=xref, yref=yref)
    add_overlays(fig, overlays)
    fig.update_layout(layout, shapes=shapes)
    return finish(fig, title=title, height=height)
