"""One (L, units) heatmap panel: time steps down the y axis, units along x.

Shared by the gate, state and output figures (specs: plain dicts, ``lstm_viz.figures.spec``).
NaN rows (packed positions past a sentence's length) stay blank; a one-column overlay paints
them grey and its hover says the pad label.
"""

from __future__ import annotations

import numpy as np

from lstm_viz.figures.spec import Grid
from lstm_viz.figures.style import PAD_COLOUR, tick_stride, titled
from lstm_viz.figures.text import plain, step_ticks


def step_heatmap(z: np.ndarray, *, coloraxis: str, name: str) -> dict:
    """z (L, units) float32 as a heatmap at x = unit j, y = step t."""
    L, units = z.shape
    return {"type": "heatmap", "z": z, "x": np.arange(units, dtype=np.int16),
            "y": np.arange(L, dtype=np.int16), "coloraxis": coloraxis, "hoverongaps": False,
            "name": plain(name),
            "hovertemplate": f"t=%{{y}}, j=%{{x}}<br>{plain(name)} = %{{z:.4f}}<extra></extra>"}


def pad_overlay(z: np.ndarray, *, pad: str, x0: float = -0.5, x1: float | None = None):
    """Grey one-column heatmap over every all-NaN row of z, or None if there is none."""
    L, units = z.shape
    rows = np.isnan(z).all(axis=1)  # (L,)
    if not rows.any():
        return None
    mark = np.where(rows, 1.0, np.nan).astype(np.float32)[:, None]  # (L, 1)
    x1 = units - 0.5 if x1 is None else x1
    return {"type": "heatmap", "z": mark, "x": np.array([x0, x1], dtype=np.float32),
            "y": np.arange(L, dtype=np.int16), "colorscale": [[0, PAD_COLOUR], [1, PAD_COLOUR]],
            "showscale": False, "hoverongaps": False,
            "hovertemplate": f"t=%{{y}}<br>{plain(pad)}<extra></extra>"}


def step_yaxis(tokens, L: int, *, pad: str, px: float, title: str | None) -> dict:
    """y axis settings: token tick labels, t = 0 at the top, thinned to stay legible."""
    ticks = step_ticks(tokens, L, pad)
    keep = range(0, L, tick_stride(L, px))
    return {"tickmode": "array", "tickvals": list(keep), "ticktext": [ticks[t] for t in keep],
            "autorange": "reversed", **titled(title)}


def unit_xaxis(units: int, title: str | None) -> dict:
    """x axis settings for unit index j = 0..units-1."""
    return {**titled(title), "range": [-0.5, units - 0.5]}


def add_panel(spec: dict, grid: Grid, z: np.ndarray, tokens, *, row: int, col: int,
              coloraxis: str, name: str, pad: str, px: float, x_title: str | None,
              y_title: str | None):
    """Heatmap of z (L, units) in subplot (row, col) of ``grid``, its axes set. Returns the
    pad overlay (or None), added after every panel (``add_overlays``) so that
    ``spec["data"][k]`` is panel k."""
    L, units = z.shape
    xref, yref = grid.refs(row, col)
    spec["data"].append({**step_heatmap(z, coloraxis=coloraxis, name=name),
                         "xaxis": xref, "yaxis": yref})
    xkey, ykey = grid.axes(row, col)
    layout = spec["layout"]
    layout[xkey] = {**layout[xkey], **unit_xaxis(units, x_title)}
    layout[ykey] = {**layout[ykey], **step_yaxis(tokens, L, pad=pad, px=px, title=y_title)}
    overlay = pad_overlay(z, pad=pad)
    return None if overlay is None else {**overlay, "xaxis": xref, "yaxis": yref}


def add_overlays(spec: dict, overlays) -> None:
    """Add the pad overlays returned by ``add_panel`` (skipping None)."""
    spec["data"] += [o for o in overlays if o is not None]
