"""One (L, units) heatmap panel: time steps down the y axis, units along x.

Shared by the gate, state and output figures. NaN rows (packed positions past a
sentence's length) stay blank; a one-column overlay paints them grey and its hover
says the pad label.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from lstm_viz.figures.style import PAD_COLOUR, tick_stride
from lstm_viz.figures.text import plain, step_ticks


def step_heatmap(z: np.ndarray, *, coloraxis: str, name: str) -> go.Heatmap:
    """z (L, units) float32 as a heatmap at x = unit j, y = step t."""
    L, units = z.shape
    return go.Heatmap(
        z=z, x=np.arange(units, dtype=np.int16), y=np.arange(L, dtype=np.int16),
        coloraxis=coloraxis, hoverongaps=False, name=plain(name),
        hovertemplate=f"t=%{{y}}, j=%{{x}}<br>{plain(name)} = %{{z:.4f}}<extra></extra>")


def pad_overlay(z: np.ndarray, *, pad: str, x0: float = -0.5, x1: float | None = None):
    """Grey one-column heatmap over every all-NaN row of z, or None if there is none."""
    L, units = z.shape
    rows = np.isnan(z).all(axis=1)  # (L,)
    if not rows.any():
        return None
    mark = np.where(rows, 1.0, np.nan).astype(np.float32)[:, None]  # (L, 1)
    x1 = units - 0.5 if x1 is None else x1
    return go.Heatmap(
        z=mark, x=np.array([x0, x1], dtype=np.float32), y=np.arange(L, dtype=np.int16),
        colorscale=[[0, PAD_COLOUR], [1, PAD_COLOUR]], showscale=False, hoverongaps=False,
        hovertemplate=f"t=%{{y}}<br>{plain(pad)}<extra></extra>")


def step_yaxis(tokens, L: int, *, pad: str, px: float, title: str | None) -> dict:
    """y axis settings: token tick labels, t = 0 at the top, thinned to stay legible."""
    ticks = step_ticks(tokens, L, pad)
    keep = range(0, L, tick_stride(L, px))
    return {"tickmode": "array", "tickvals": list(keep), "ticktext": [ticks[t] for t in keep],
            "autorange": "reversed", "title": {"text": title}}


def unit_xaxis(units: int, title: str | None) -> dict:
    """x axis settings for unit index j = 0..units-1."""
    return {"title": {"text": title}, "range": [-0.5, units - 0.5]}


def subplot_refs(fig: go.Figure, row: int, col: int) -> tuple[str, str]:
    """("x3", "y3")-style axis references of subplot (row, col), for shapes."""
    sub = fig.get_subplot(row, col)
    return sub.xaxis.plotly_name.replace("axis", ""), sub.yaxis.plotly_name.replace("axis", "")


def add_panel(fig: go.Figure, z: np.ndarray, tokens, layout: dict, *, row: int, col: int,
              coloraxis: str, name: str, pad: str, px: float, x_title: str | None,
              y_title: str | None):
    """Heatmap of z (L, units) in subplot (row, col); its axes go into ``layout`` (applied
    once by the caller: one ``update_layout`` is much faster than one per panel). Returns
    the pad overlay (or None), added after every panel so that ``fig.data[k]`` is panel k."""
    L, units = z.shape
    fig.add_trace(step_heatmap(z, coloraxis=coloraxis, name=name), row=row, col=col)
    xref, yref = subplot_refs(fig, row, col)
    layout[xref.replace("x", "xaxis")] = unit_xaxis(units, x_title)
    layout[yref.replace("y", "yaxis")] = step_yaxis(tokens, L, pad=pad, px=px, title=y_title)
    return pad_overlay(z, pad=pad), row, col


def add_overlays(fig: go.Figure, overlays) -> None:
    """Add the pad overlays returned by ``add_panel`` (skipping None)."""
    for trace, row, col in overlays:
        if trace is not None:
            fig.add_trace(trace, row=row, col=col)
