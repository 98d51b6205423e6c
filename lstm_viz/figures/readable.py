"""Outlines of the readable units a trained model's JSON names (``lstm_viz.trained.readable``) on a
time step × unit heatmap that is already built."""

from __future__ import annotations

from collections.abc import Mapping

from lstm_viz.figures.style import column_box


def outline_units(fig, found: Mapping[str, dict], rows: int,
                  names: Mapping[str, int | str]) -> None:
    """Outline, in place, the column of each unit in ``found`` ({"state"|"gate": {"kind",
    "unit", …}}) on the heatmap that shows its kind, over ``rows`` time steps.

    ``fig`` is a Plotly dict or go.Figure; ``names`` maps a value kind ("f", "c", "h") to the
    heatmap trace that shows it: its index in ``fig.data`` or its trace name.
    """
    data = fig["data"] if isinstance(fig, dict) else fig.data
    shapes = []
    for f in found.values():
        where = names.get(f["kind"])
        if where is None:
            continue
        trace = data[where] if isinstance(where, int) else next(
            (tr for tr in data if tr["name"] == where), None)
        if trace is None:
            continue
        xref, yref = (trace.get(k) if isinstance(trace, dict) else getattr(trace, k)
                      for k in ("xaxis", "yaxis"))
        shapes += column_box(f["unit"], -0.5, rows - 0.5, xref=xref or "x", yref=yref or "y",
                             name="readable")
    if isinstance(fig, dict):
        fig.setdefault("layout", {}).setdefault("shapes", []).extend(shapes)
    else:
        fig.update_layout(shapes=[*fig.layout.shapes, *shapes])
