"""Figures of the Train page: cells learning side by side, epoch along x.

``curves``: the training loss (top) and the accuracy (bottom: held-out solid, training
dotted) of every cell, chance as a grey line. ``distance_maps``: accuracy by clue–answer
distance over the epochs, one panel per cell (stacked, the same x as the curves).
``gate_maps``: each unit's mean of each gate over the epochs, a panel per cell and gate.
The gradient flow now is the Memory page's ``flow_lines`` (``lstm_viz.figures.memory``).
``at_epoch`` marks a moment (the scrubber's snapshot) with a vertical line.

Each ``*_spec`` builder returns its figure as a plain dict (``lstm_viz.figures.spec``); the
name without ``_spec`` returns the same as a ``go.Figure``. Arrays: S snapshots, B buckets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from lstm_viz.figures.memory import COLOURS
from lstm_viz.figures.spec import figure_of, subplot_grid
from lstm_viz.figures.style import SEQUENTIAL, as_array, finish, shape_text
from lstm_viz.figures.text import plain

CELL_COLOURS = {"RNN": COLOURS[0], "GRU": COLOURS[1], "LSTM": COLOURS[2]}  # as on Memory
GRID = "#eeeeee"


def _series(rows: Mapping[str, object], S: int, what: str) -> dict[str, np.ndarray]:
    out = {}
    for label, v in rows.items():
        a = as_array(v, f"{what}[{label}]", "(S,)", 1)
        if a.shape[0] != S:
            raise ValueError(f"{what}[{label}]: expected (S={S},), got {shape_text(a)}")
        out[label] = a
    return out


def _epochs(epoch, x_max: float) -> np.ndarray:
    x = as_array(epoch, "epoch", "(S,)", 1)
    if x_max <= 0:
        raise ValueError(f"x_max: expected > 0, got {x_max}")
    return x


def _x_axis(x_max: float, title: str | None, anchor: str, shown: bool = True) -> dict:
    return {"range": [0, x_max], "anchor": anchor, "showticklabels": shown, "showgrid": True,
            "gridcolor": GRID, **({"title": {"text": title}} if title else {})}


def _markers(at_epoch: float | None, refs: Sequence[tuple[str, str]]) -> list[dict]:
    """A dotted vertical line at ``at_epoch`` across each subplot (x, y) of ``refs``."""
    if at_epoch is None:
        return []
    return [{"type": "line", "x0": at_epoch, "x1": at_epoch, "y0": 0, "y1": 1, "xref": x,
             "yref": f"{y} domain", "line": {"color": "#262730", "width": 1.5, "dash": "dot"},
             "name": "at"} for x, y in refs]


def _line(x, y, *, name: str, colour: str, dash: str = "solid", legend: bool = True,
          group: str = "", xaxis: str = "x", yaxis: str = "y", fmt: str = ".3f") -> dict:
    return {"type": "scatter", "x": x, "y": y, "mode": "lines", "name": plain(name),
            "line": {"color": colour, "width": 2, "dash": dash}, "showlegend": legend,
            "legendgroup": group or name, "xaxis": xaxis, "yaxis": yaxis,
            "hovertemplate": f"{plain(name)}: %{{x:.2f}}<br>%{{y:{fmt}}}<extra></extra>"}


def curves_spec(epoch, loss: Mapping[str, object], accuracy: Mapping[str, object],
                train_accuracy: Mapping[str, object], *, x_max: float, chance: float,
                title: str, x_title: str, loss_title: str, accuracy_title: str,
                train_label: str, chance_label: str, at_epoch: float | None = None) -> dict:
    """Per cell (S,) series over ``epoch`` (S,): loss on top, accuracy below (0 … 1)."""
    x = _epochs(epoch, x_max)
    S = x.shape[0]
    losses, accs = _series(loss, S, "loss"), _series(accuracy, S, "accuracy")
    trains = _series(train_accuracy, S, "train_accuracy")
    grid = subplot_grid(2, 1, h_spacing=0.0, v_spacing=0.08)
    data = []
    for cell, y in losses.items():
        colour = CELL_COLOURS.get(cell, COLOURS[3])
        data.append(_line(x, y, name=cell, colour=colour, group=cell))
        data.append(_line(x, accs[cell], name=cell, colour=colour, group=cell, legend=False,
                          xaxis="x2", yaxis="y2"))
        data.append(_line(x, trains[cell], name=f"{cell} · {train_label}", colour=colour,
                          dash="dot", legend=False, group=cell, xaxis="x2", yaxis="y2"))
    data.append(_line(np.array([0, x_max], dtype=np.float32),
                      np.array([chance, chance], dtype=np.float32), name=chance_label,
                      colour="#999999", dash="dash", xaxis="x2", yaxis="y2"))
    layout = {**grid.layout,
              "xaxis": {**grid.layout["xaxis"], **_x_axis(x_max, None, "y", shown=False)},
              "xaxis2": {**grid.layout["xaxis2"], **_x_axis(x_max, x_title, "y2"),
                         "matches": "x"},
              "yaxis": {**grid.layout["yaxis"], "title": {"text": loss_title},
                        "rangemode": "tozero", "showgrid": True, "gridcolor": GRID},
              "yaxis2": {**grid.layout["yaxis2"], "title": {"text": accuracy_title},
                         "range": [0, 1.02], "tickformat": ".0%", "showgrid": True,
                         "gridcolor": GRID},
              "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
              "shapes": _markers(at_epoch, [("x", "y"), ("x2", "y2")])}
    return finish({"data": data, "layout": layout}, title=title, height=480,
                  margin={"t": 90})


curves = figure_of(curves_spec)


def distance_maps_spec(epoch, maps: Mapping[str, object], buckets: Sequence[str], *,
                       x_max: float, title: str, x_title: str, y_title: str,
                       colour_title: str, at_epoch: float | None = None) -> dict:
    """``maps[cell]``: (S, B) accuracy per distance bucket at each snapshot; one panel per
    cell, stacked; x = epoch, y = distance (the nearest at the bottom), colour 0 … 1."""
    x = _epochs(epoch, x_max)
    if not maps:
        raise ValueError("maps: expected at least one cell, got none")
    zs = {k: as_array(v, f"maps[{k}]", "(S, B)", 2) for k, v in maps.items()}
    for cell, z in zs.items():
        if z.shape != (x.shape[0], len(buckets)):
            raise ValueError(f"maps[{cell}]: expected (S={x.shape[0]}, B={len(buckets)}), "
                             f"got {shape_text(z)}")
    grid = subplot_grid(len(zs), 1, h_spacing=0.0, v_spacing=0.25 / len(zs),
                        titles=[plain(c) for c in zs])
    data, layout = [], dict(grid.layout)
    labels = [plain(b) for b in buckets]
    for row, (cell, z) in enumerate(zs.items(), start=1):
        xref, yref = grid.refs(row, 1)
        xkey, ykey = grid.axes(row, 1)
        data.append({"type": "heatmap", "z": z.T, "x": x,
                     "y": np.arange(len(buckets), dtype=np.int16), "coloraxis": "coloraxis",
                     "xaxis": xref, "yaxis": yref,
                     "name": plain(cell), "hoverongaps": False, "customdata": [
                         [b] * len(x) for b in labels],
                     "hovertemplate": f"{plain(cell)}: %{{x:.2f}}<br>{plain(y_title)} "
                                      "%{customdata}: %{z:.0%}<extra></extra>"})
        bottom = row == len(zs)
        layout[xkey] = {**layout[xkey], **_x_axis(x_max, x_title if bottom else None, yref,
                                                  shown=bottom),
                        **({"matches": "x"} if row > 1 else {})}
        layout[ykey] = {**layout[ykey], "tickmode": "array",
                        "tickvals": list(range(0, len(buckets), 2 if len(buckets) > 6 else 1)),
                        "ticktext": labels[:: 2 if len(buckets) > 6 else 1],
                        "title": {"text": y_title}, "range": [-0.5, len(buckets) - 0.5]}
    layout["coloraxis"] = {"colorscale": SEQUENTIAL, "cmin": 0.0, "cmax": 1.0,
                           "colorbar": {"title": {"text": colour_title}, "thickness": 12,
                                        "tickformat": ".0%"}}
    layout["shapes"] = _markers(at_epoch, [grid.refs(r, 1) for r in range(1, len(zs) + 1)])
    return finish({"data": data, "layout": layout}, title=title,
                  height=100 + 170 * len(zs))


distance_maps = figure_of(distance_maps_spec)


def gate_maps_spec(epoch, gates: Mapping[str, Mapping[str, object]],
                   names: Mapping[str, str], *, x_max: float, title: str, x_title: str,
                   y_title: str, colour_title: str, at_epoch: float | None = None) -> dict:
    """``gates[cell][gate]``: (S, H) each unit's mean of the gate at each snapshot; one
    heatmap per (cell, gate), a row of panels per cell that has gates, x = epoch, y = unit j,
    colour 0 … 1 (shut … open); ``names[gate]`` its panel title."""
    x = _epochs(epoch, x_max)
    cells = {c: g for c, g in gates.items() if g}
    if not cells:
        raise ValueError("gates: expected a cell with gates (GRU, LSTM), got none")
    cols = max(len(g) for g in cells.values())
    titles = [f"{plain(c)} · {plain(names.get(g, g))}" if k < len(cg) else ""
              for c, cg in cells.items() for k, g in enumerate([*cg, *[""] * cols][:cols])]
    grid = subplot_grid(len(cells), cols, h_spacing=0.05, v_spacing=0.3 / len(cells),
                        titles=titles)
    data, layout, refs = [], dict(grid.layout), []
    for row, (cell, cell_gates) in enumerate(cells.items(), start=1):
        for col in range(1, cols + 1):
            xkey, ykey = grid.axes(row, col)
            if col > len(cell_gates):  # a row shorter than the longest: no panel here
                layout[xkey] = {**layout[xkey], "visible": False}
                layout[ykey] = {**layout[ykey], "visible": False}
                continue
            gate = list(cell_gates)[col - 1]
            z = as_array(cell_gates[gate], f"gates[{cell}][{gate}]", "(S, H)", 2)
            if z.shape[0] != x.shape[0]:
                raise ValueError(f"gates[{cell}][{gate}]: expected (S={x.shape[0]}, H), got "
                                 f"{shape_text(z)}")
            xref, yref = grid.refs(row, col)
            refs.append((xref, yref))
            data.append({"type": "heatmap", "z": z.T, "x": x,
                         "y": np.arange(z.shape[1], dtype=np.int16), "coloraxis": "coloraxis",
                         "xaxis": xref, "yaxis": yref, "name": f"{plain(cell)} {gate}",
                         "hoverongaps": False,
                         "hovertemplate": f"{plain(cell)} {gate}: %{{x:.2f}}, j=%{{y}}"
                                          "<br>%{z:.3f}<extra></extra>"})
            bottom = row == len(cells)
            layout[xkey] = {**layout[xkey], **_x_axis(x_max, x_title if bottom else None, yref)}
            layout[ykey] = {**layout[ykey], "range": [-0.5, z.shape[1] - 0.5],
                            **({"title": {"text": y_title}} if col == 1 else {})}
    layout["coloraxis"] = {"colorscale": SEQUENTIAL, "cmin": 0.0, "cmax": 1.0,
                           "colorbar": {"title": {"text": colour_title}, "thickness": 12}}
    layout["shapes"] = _markers(at_epoch, refs)
    return finish({"data": data, "layout": layout}, title=title,
                  height=110 + 210 * len(cells))


gate_maps = figure_of(gate_maps_spec)
