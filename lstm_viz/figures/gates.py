"""Gate heatmaps of one sentence: every unit (x) at every time step (y).

Values come from ``Trace.step_values(layer, d)[name][n]``: (L, units), NaN past the
sentence's length for packed input. Each gate gets the colour scale of its kind
(``style.value_kinds``): sigmoid gates 0..1, tanh -1..1, unbounded ±max(1, max|v|).
``*_spec`` builders return the figure as a plain dict (``lstm_viz.figures.spec``); the
others the same as a ``go.Figure``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from lstm_viz.core.tokens import PAD
from lstm_viz.figures.panel import (
    add_overlays,
    add_panel,
    pad_overlay,
    step_heatmap,
    step_yaxis,
    unit_xaxis,
)
from lstm_viz.figures.spec import Grid, figure_of, subplot_grid
from lstm_viz.figures.style import as_array, auto_height, colour_axis, finish, row_box


def _steps(values, name: str) -> np.ndarray:
    return as_array(values, name, "(L, units)", 2)


def gate_heatmap_spec(values, tokens: Sequence[str], *, name: str, kind: str, title: str,
                      x_title: str, y_title: str, pad: str = PAD,
                      selected_t: int | None = None, height: int | None = None) -> dict:
    """One gate (or state) of one sentence: values (L, units) → heatmap t × unit j.

    ``name`` is the symbol shown on hover ("i_t"); ``kind`` picks the colour scale;
    ``selected_t`` outlines that time step's row.
    """
    z = _steps(values, name)  # (L, units)
    L, units = z.shape
    _check_t(selected_t, L)
    height = height or auto_height(L)
    overlay = pad_overlay(z, pad=pad)
    layout = {"coloraxis": colour_axis(kind, z),
              "yaxis": step_yaxis(tokens, L, pad=pad, px=height - 110, title=y_title),
              "xaxis": unit_xaxis(units, x_title)}
    if selected_t is not None:
        layout["shapes"] = row_box(selected_t, -0.5, units - 0.5, name="selected")
    spec = {"data": [step_heatmap(z, coloraxis="coloraxis", name=name),
                     *([overlay] if overlay else [])], "layout": layout}
    return finish(spec, title=title, height=height)


gate_heatmap = figure_of(gate_heatmap_spec)


def _check_t(t: int | None, L: int) -> None:
    if t is not None and not 0 <= t < L:
        raise ValueError(f"selected_t: expected a step in 0..{L - 1}, got {t}")


def _colorbar_at(grid: Grid, row: int, col: int) -> dict:
    """A colour bar just right of subplot (row, col), as tall as it."""
    (_, x1), (y0, y1) = grid.domains[(row, col)]
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


def gates_grid_spec(step_values: Mapping[str, object], tokens: Sequence[str], *,
                    kinds: Mapping[str, str], titles: Mapping[str, str], title: str,
                    x_title: str, y_title: str, pad: str = PAD, selected_t: int | None = None,
                    cols: int | None = None, height: int | None = None) -> dict:
    """Every value of one cell step side by side: {name: (L, units)} → one subplot each.

    Subplots follow ``step_values``' order (LSTM i f g o c h; GRU r z n h; RNN h), each with
    its own ``coloraxis{k}`` and colour bar. ``data[k]`` is panel k's heatmap; the grey
    pad overlays come after all panels. ``selected_t`` outlines that row in every panel
    (shapes named ``"selected <name>"``).
    """
    names, zs, L = _check_grid(step_values, kinds, titles)
    _check_t(selected_t, L)
    cols = cols or (len(names) if len(names) <= 4 else 3)
    rows = math.ceil(len(names) / cols)
    panel_px = min(420, max(150, L * 14))
    height = height or rows * (panel_px + 40) + 90
    grid = subplot_grid(rows, cols, titles=[titles[n] for n in names], shared_y=True,
                        h_spacing=0.07, v_spacing=min(0.3, 70 / height))
    spec = {"data": [], "layout": grid.layout}
    overlays, shapes = [], []
    for k, (n, z) in enumerate(zip(names, zs, strict=True)):
        r, c, axis = k // cols + 1, k % cols + 1, f"coloraxis{k + 1 if k else ''}"
        overlays.append(add_panel(spec, grid, z, tokens, row=r, col=c, coloraxis=axis,
                                  name=n, pad=pad, px=panel_px,
                                  x_title=x_title if r == rows else None,
                                  y_title=y_title if c == 1 else None))
        spec["layout"][axis] = colour_axis(kinds[n], z, colorbar=_colorbar_at(grid, r, c))
        if selected_t is not None:
            xref, yref = grid.refs(r, c)
            shapes += row_box(selected_t, -0.5, z.shape[1] - 0.5, name=f"selected {n}",
                              xref=xref, yref=yref)
    add_overlays(spec, overlays)
    if shapes:
        spec["layout"]["shapes"] = shapes
    return finish(spec, title=title, height=height)


gates_grid = figure_of(gates_grid_spec)
