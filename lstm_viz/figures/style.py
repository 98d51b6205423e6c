"""Shared look of every figure: colour scales per kind of value, layout, input checks.

Kinds of value and their colour scales (all colour-blind safe):

* ``"sigmoid"`` gates (i, f, o; r, z) live in 0..1: sequential Viridis, 0..1.
* ``"tanh"`` values (g, n, h of LSTM / tanh RNN) live in -1..1: diverging RdBu reversed
  (blue negative, white 0, red positive), -1..1.
* ``"unbounded"`` values (c, GRU h from a random h_0, relu RNN h, projected h) use the same
  diverging scale over a symmetric range ±max(1, max|v|), so 0 stays white.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from lstm_viz.core.config import RNNConfig

KINDS = ("sigmoid", "tanh", "unbounded")


def _scale(name: str) -> tuple:
    """A named colour scale spelled out as plotly.py does when it validates a figure (once,
    at import): plotly.js's own "RdBu" is another scale."""
    return go.layout.Coloraxis(colorscale=name).colorscale


SEQUENTIAL = _scale("Viridis")
NORMS = _scale("Cividis")  # ||h||: sequential, distinct from the gates' scale
DIVERGING = _scale("RdBu")  # shown reversed
PAD_COLOUR = "#e6e6e6"
MARGIN = {"l": 10, "r": 10, "t": 70, "b": 10}

LIGHT = {"layout": {  # the template of every figure
    "paper_bgcolor": "white", "plot_bgcolor": "white", "font": {"color": "#262730", "size": 12},
    "xaxis": {"showgrid": False, "zeroline": False, "automargin": True, "ticks": "outside"},
    "yaxis": {"showgrid": False, "zeroline": False, "automargin": True, "ticks": "outside"},
    "hoverlabel": {"align": "left"},
}}


def value_kinds(config: RNNConfig) -> dict[str, str]:
    """Colour-scale kind of every ``Trace.step_values`` name for this configuration."""
    if config.cell == "LSTM":
        h = "unbounded" if config.proj_size else "tanh"
        return {"i": "sigmoid", "f": "sigmoid", "g": "tanh", "o": "sigmoid",
                "c": "unbounded", "h": h}
    if config.cell == "GRU":  # h mixes n with h_{t-1}; a random h_0 may exceed 1
        return {"r": "sigmoid", "z": "sigmoid", "n": "tanh", "h": "unbounded"}
    return {"h": "unbounded" if config.nonlinearity == "relu" else "tanh"}


def symmetric_limit(*arrays: np.ndarray) -> float:
    """max(1, max|v|) over every finite value; 1 when there is none."""
    peak = max((float(np.nanmax(np.abs(a))) for a in arrays if np.isfinite(a).any()),
               default=0.0)
    return max(1.0, peak)


def colour_axis(kind: str, *arrays: np.ndarray, colorbar: dict | None = None) -> dict:
    """Layout ``coloraxis`` for ``kind``; ``arrays`` fix the range of ``"unbounded"``."""
    bar = {"thickness": 12, "outlinewidth": 0, **(colorbar or {})}
    if kind == "sigmoid":
        return {"colorscale": SEQUENTIAL, "cmin": 0.0, "cmax": 1.0, "colorbar": bar}
    if kind == "tanh":
        limit = 1.0
    elif kind == "unbounded":
        limit = symmetric_limit(*arrays)
    else:
        raise ValueError(f"kind: expected one of {', '.join(KINDS)}, got {kind!r}")
    return {"colorscale": DIVERGING, "reversescale": True, "cmin": -limit, "cmax": limit,
            "colorbar": bar}


def titled(text: str | None) -> dict:
    """An axis' ``title`` entry; none for None (as plotly.py leaves an unset title out)."""
    return {} if text is None else {"title": {"text": text}}


def shape_text(a: np.ndarray) -> str:
    return str(tuple(int(s) for s in a.shape))


def as_array(values, what: str, expected: str, ndim: int) -> np.ndarray:
    """``values`` as float32 numpy with ``ndim`` axes, else ValueError naming the shape."""
    if hasattr(values, "detach"):  # torch tensor
        values = values.detach().cpu().numpy()
    a = np.asarray(values, dtype=np.float32)
    if a.ndim != ndim or 0 in a.shape:
        raise ValueError(f"{what}: expected {expected}, got {shape_text(a)}")
    return a


def auto_height(rows: int, per_row: int = 16, lo: int = 220, hi: int = 900,
                extra: int = 110) -> int:
    """Figure height in px for ``rows`` heatmap rows (clamped)."""
    return int(min(hi, max(lo, rows * per_row + extra)))


def tick_stride(rows: int, px: float, min_px: float = 13.0) -> int:
    """Label every k-th row so that labels are at least ``min_px`` apart."""
    return max(1, math.ceil(rows * min_px / max(px, 1.0)))


def finish(spec: dict, *, title: str, height: int, margin: dict | None = None) -> dict:
    """Template, title (left, never clipped), margins and height shared by all figures."""
    spec.setdefault("layout", {}).update(
        template=LIGHT, height=height, margin={**MARGIN, **(margin or {})},
        title={"text": title, "x": 0, "xref": "paper", "xanchor": "left", "y": 1,
               "yref": "container", "yanchor": "top", "pad": {"t": 12}, "automargin": True})
    return spec


def _outline(x0: float, x1: float, y0: float, y1: float, xref: str, yref: str,
             name: str) -> list[dict]:
    """A rectangle outlined black over white, visible on every colour scale."""
    box = {"type": "rect", "x0": x0, "x1": x1, "y0": y0, "y1": y1,
           "xref": xref, "yref": yref, "fillcolor": "rgba(0,0,0,0)", "layer": "above"}
    return [{**box, "name": name, "line": {"color": "black", "width": 3}},
            {**box, "name": f"{name} (inner)", "line": {"color": "white", "width": 1}}]


def row_box(y: float, x0: float, x1: float, *, xref: str = "x", yref: str = "y",
            name: str = "highlight", half: float = 0.5) -> list[dict]:
    """Outline of one row (black over white, visible on every colour scale)."""
    return _outline(x0, x1, y - half, y + half, xref, yref, name)


def column_box(x: float, y0: float, y1: float, *, xref: str = "x", yref: str = "y",
               name: str = "highlight", half: float = 0.5) -> list[dict]:
    """Outline of one column (a unit j of a time step × unit heatmap)."""
    return _outline(x - half, x + half, y0, y1, xref, yref, name)
