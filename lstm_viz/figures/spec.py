"""Figures as plain dicts ("specs"): the JSON plotly.js reads, built without plotly.py's objects.

A ``go.Figure`` validates every property as it is set (``make_subplots`` builds a Layout
object, ``update_layout`` parses property paths): on the server that was the largest share
of a page's CPU (docs/PERFORMANCE.md). Every builder of this package writes its figure as a
dict of the same structure a ``go.Figure`` produces — traces ``{"type": "heatmap", …}``,
layout keys ``xaxis2``, ``coloraxis3`` … — with numpy arrays for the data, and its public
name returns ``to_figure(spec)``, the checked ``go.Figure`` (tests compare both).

For serving, ``typed_arrays`` turns the numpy arrays into plotly.js's base64 typed arrays
(what ``go.Figure.to_dict()`` sends) and ``frozen`` makes a spec read-only, so that one
cached spec can be handed to every session (``ui.charts``).
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

TYPED = {"int8": "i1", "uint8": "u1", "int16": "i2", "uint16": "u2", "int32": "i4",
         "uint32": "u4", "float32": "f4", "float64": "f8"}  # plotly.js typed array names


def to_figure(spec: dict) -> go.Figure:
    """``spec`` as a ``go.Figure``: every property validated by plotly.py."""
    return go.Figure(spec)


def figure_of(spec_builder: Callable[..., dict]) -> Callable[..., go.Figure]:
    """The ``go.Figure`` twin of a ``*_spec`` builder: same arguments, ``to_figure`` of its
    spec (``gates_grid = figure_of(gates_grid_spec)``)."""

    @functools.wraps(spec_builder)
    def build(*args, **kwargs) -> go.Figure:
        return to_figure(spec_builder(*args, **kwargs))

    build.__name__ = build.__qualname__ = spec_builder.__name__.removesuffix("_spec")
    build.__doc__ = f"``{spec_builder.__name__}`` as a ``go.Figure``.\n\n{spec_builder.__doc__}"
    return build


def _typed(a: np.ndarray):
    """One numpy array as plotly.js's typed array ``{"dtype", "bdata"[, "shape"]}``."""
    if a.dtype == np.int64 and a.size and -(2 ** 31) <= a.min() and a.max() < 2 ** 31:
        a = a.astype(np.int32)
    if a.size == 0 or str(a.dtype) not in TYPED:
        return a.tolist()
    out = {"dtype": TYPED[str(a.dtype)], "bdata": base64.b64encode(np.ascontiguousarray(a))
           .decode("ascii")}
    if a.ndim > 1:
        out["shape"] = str(a.shape)[1:-1]
    return out


def typed_arrays(obj):
    """A copy of ``obj`` (a spec) with every numpy array as a plotly.js typed array."""
    if isinstance(obj, np.ndarray):
        return _typed(obj)
    if isinstance(obj, dict):
        return {k: typed_arrays(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [typed_arrays(v) for v in obj]
    return obj


class FrozenDict(dict):
    """A dict that refuses every change: a figure spec shared by every session.

    ``pop(key, default)`` of a missing key is allowed (it changes nothing): plotly's
    ``to_json`` pops each trace's "uid". ``copy.deepcopy`` gives a plain, mutable copy.
    """

    def _refuse(self, *args, **kwargs):
        raise TypeError("a shared figure spec is read-only: change a copy (copy.deepcopy)")

    __setitem__ = __delitem__ = clear = popitem = setdefault = update = __ior__ = _refuse

    def pop(self, key, *default):
        if key in self or not default:
            self._refuse()
        return default[0]

    def __deepcopy__(self, memo):
        return thawed(self)

    def __reduce__(self):
        return FrozenDict, (dict(self),)


def frozen(obj):
    """``obj`` with every dict a ``FrozenDict`` and every list a tuple (JSON: the same)."""
    if isinstance(obj, dict):
        return FrozenDict({k: frozen(v) for k, v in obj.items()})
    if isinstance(obj, list | tuple):
        return tuple(frozen(v) for v in obj)
    return obj


def thawed(obj):
    """A plain, mutable copy of a (frozen) spec."""
    if isinstance(obj, dict):
        return {k: thawed(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [thawed(v) for v in obj]
    return obj


Domain = tuple[list[float], list[float]]  # ([x0, x1], [y0, y1]) in paper fractions


@dataclass(frozen=True)
class Grid:
    """A ``rows`` × ``cols`` grid of x/y subplots, row 1 at the top (as ``make_subplots``)."""

    rows: int
    cols: int
    domains: dict[tuple[int, int], Domain]  # (row, col), both from 1
    layout: dict  # xaxis, yaxis, xaxis2, … and the subplot titles' annotations

    def number(self, row: int, col: int) -> int:
        return (row - 1) * self.cols + col

    def refs(self, row: int, col: int) -> tuple[str, str]:
        """("x3", "y3")-style references of subplot (row, col), for traces and shapes."""
        k = self.number(row, col)
        return (f"x{k}", f"y{k}") if k > 1 else ("x", "y")

    def axes(self, row: int, col: int) -> tuple[str, str]:
        """("xaxis3", "yaxis3")-style layout keys of subplot (row, col)."""
        x, y = self.refs(row, col)
        return x.replace("x", "xaxis"), y.replace("y", "yaxis")


def _clamp(v: float) -> float:
    """Round values within 0.01 outside 0..1 back in (``make_subplots`` does the same)."""
    return 0.0 if -0.01 < v < 0.0 else 1.0 if 1.0 < v < 1.01 else v


def subplot_grid(rows: int, cols: int, *, h_spacing: float, v_spacing: float,
                 titles: Sequence[str] = (), shared_y: bool = False) -> Grid:
    """The layout ``make_subplots(rows, cols, subplot_titles=titles, shared_yaxes=shared_y,
    horizontal_spacing=h_spacing, vertical_spacing=v_spacing)`` builds, as a dict."""
    widths = [(1.0 - h_spacing * (cols - 1)) / cols] * cols
    heights = [(1.0 - v_spacing * (rows - 1)) / rows] * rows
    layout: dict = {}
    domains: dict[tuple[int, int], Domain] = {}
    grid = Grid(rows, cols, domains, layout)
    for r in range(rows):  # r = 0 is the top row
        below = rows - 1 - r
        y0 = sum(heights[:below]) + below * v_spacing
        for c in range(cols):
            x0 = sum(widths[:c]) + c * h_spacing
            domain = ([x0, x0 + widths[c]], [_clamp(y0), _clamp(y0 + heights[-1 - r])])
            domains[(r + 1, c + 1)] = domain
            (xkey, ykey), (xref, yref) = grid.axes(r + 1, c + 1), grid.refs(r + 1, c + 1)
            layout[xkey] = {"anchor": yref, "domain": domain[0]}
            layout[ykey] = {"anchor": xref, "domain": domain[1]}
            if shared_y and c > 0:
                layout[ykey].update(matches=grid.refs(r + 1, 1)[1], showticklabels=False)
    notes = [{"font": {"size": 16}, "showarrow": False, "text": text,
              "x": sum(domains[k][0]) / 2.0, "xanchor": "center", "xref": "paper",
              "y": domains[k][1][1], "yanchor": "bottom", "yref": "paper"}
             for text, k in zip(titles, sorted(domains), strict=False) if text]
    if notes:
        layout["annotations"] = notes
    return grid
