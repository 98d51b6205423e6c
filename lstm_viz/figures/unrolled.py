"""The unrolled network of one sentence: layers × directions (y) by time steps (x).

Each cell is one application of the cell, coloured by ||h_t|| (norms (num_layers, D, L),
NaN for packed positions past the sentence). Streamlit returns no selection for heatmap
clicks (streamlit #8760), so a transparent scatter marker sits on every cell with
``customdata = [layer, d, t, ||h||]``; ``selection_to_cell`` reads the clicked one back
from ``st.plotly_chart(on_select="rerun", selection_mode="points")``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from lstm_viz.core.tokens import PAD
from lstm_viz.figures.spec import figure_of
from lstm_viz.figures.style import (
    NORMS,
    PAD_COLOUR,
    as_array,
    auto_height,
    finish,
    row_box,
    shape_text,
)
from lstm_viz.figures.text import plain, row_name, step_ticks

Cell = tuple[int, int, int]  # (layer k, direction d, step t)


def _check(norms, num_layers: int, D: int, selected: Cell | None) -> np.ndarray:
    z = as_array(norms, "norms", "(num_layers, D, L)", 3)
    if z.shape[:2] != (num_layers, D):
        raise ValueError(f"norms: expected (num_layers={num_layers}, D={D}, L), "
                         f"got {shape_text(z)}")
    if selected is not None and not _in_grid(selected, z.shape):
        raise ValueError(f"selected: expected (layer, d, t) inside {shape_text(z)}, "
                         f"got {selected}")
    return z


def _in_grid(cell: Sequence[int], shape: Sequence[int]) -> bool:
    return len(cell) == 3 and all(0 <= c < s for c, s in zip(cell, shape, strict=True))


def _cells(z: np.ndarray, ticks: list[str], rows: list[str], pad: str, norm_name: str):
    """One marker per cell, k-major then d then t: positions, customdata and hover text."""
    num_layers, D, L = z.shape
    k, d, t = np.meshgrid(np.arange(num_layers), np.arange(D), np.arange(L), indexing="ij")
    custom = np.stack([k.ravel(), d.ravel(), t.ravel(), z.ravel()], axis=1)  # (cells, 4)
    hover = [f"{rows[int(kk * D + dd)]}<br>t={ticks[int(tt)]}<br>"
             + (plain(pad) if math.isnan(v) else f"{norm_name} = {v:.4f}")
             for kk, dd, tt, v in custom.tolist()]  # a pad cell: "t=3: <pad><br><pad>"
    return custom.astype(np.float32), hover


def unrolled_grid_spec(norms, tokens: Sequence[str], *, num_layers: int, D: int,
                       title: str, x_title: str, y_title: str,
                       row_label: str = "{layer} {arrow}", norm_name: str = "‖h_t‖",
                       selected: Cell | None = None, pad: str = PAD,
                       height: int | None = None) -> dict:
    """Heatmap of ||h_t|| with row r = layer*D + d (layer 0 at the bottom), x = t.

    ``row_label`` formats the row names (fields ``{layer}``, ``{arrow}`` = → / ←).
    ``data[0]`` is the heatmap (z (num_layers*D, L)), then a grey pad layer when some
    norms are NaN; ``data[-1]`` is the clickable scatter, one marker per (layer, d, t)
    with ``customdata[:3] == [layer, d, t]``.
    """
    z = _check(norms, num_layers, D, selected)
    L = z.shape[2]
    grid = z.reshape(num_layers * D, L)  # (num_layers*D, L)
    ticks = step_ticks(tokens, L, pad)
    rows = [row_name(row_label, r // D, r % D, D) for r in range(num_layers * D)]
    custom, hover = _cells(z, ticks, rows, pad, norm_name)
    peak = float(np.nanmax(grid)) if np.isfinite(grid).any() else 1.0
    data = [{"type": "heatmap", "z": grid, "coloraxis": "coloraxis", "xgap": 2, "ygap": 2,
             "hoverinfo": "skip"}]
    if np.isnan(grid).any():  # pad cells of a packed sentence: grey
        data.append({"type": "heatmap", "z": np.where(np.isnan(grid), 1.0, np.nan)
                     .astype(np.float32), "xgap": 2, "ygap": 2,
                     "colorscale": [[0, PAD_COLOUR], [1, PAD_COLOUR]], "showscale": False,
                     "hoverinfo": "skip"})
    data.append({"type": "scatter", "x": custom[:, 2], "y": custom[:, 0] * D + custom[:, 1],
                 "mode": "markers", "customdata": custom, "hovertext": hover,
                 "hovertemplate": "%{hovertext}<extra></extra>",
                 "marker": {"size": 18, "symbol": "square", "color": "rgba(0,0,0,0)"},
                 "selected": {"marker": {"opacity": 0}},
                 "unselected": {"marker": {"opacity": 0}}, "showlegend": False})
    layout = {"coloraxis": {"colorscale": NORMS, "cmin": 0.0, "cmax": max(peak, 1e-6),
                            "colorbar": {"thickness": 12, "outlinewidth": 0,
                                         "title": {"text": norm_name}}},
              "hovermode": "closest", "hoverdistance": -1,
              "xaxis": {"title": {"text": x_title}, "tickmode": "array",
                        "tickvals": list(range(L)), "ticktext": ticks, "range": [-0.5, L - 0.5]},
              "yaxis": {"title": {"text": y_title}, "tickmode": "array",
                        "tickvals": list(range(len(rows))), "ticktext": rows,
                        "range": [-0.5, len(rows) - 0.5]}}
    if shapes := _layer_lines(num_layers, D, L) + _selected_box(selected, D):
        layout["shapes"] = shapes
    return finish({"data": data, "layout": layout}, title=title,
                  height=height or auto_height(num_layers * D, 44, 240, 620))


unrolled_grid = figure_of(unrolled_grid_spec)


def _layer_lines(num_layers: int, D: int, L: int) -> list[dict]:
    """Thin lines between layers when each layer has two direction rows."""
    if D == 1:
        return []
    return [{"type": "line", "x0": -0.5, "x1": L - 0.5, "y0": k * D - 0.5, "y1": k * D - 0.5,
             "line": {"color": "#888", "width": 1}} for k in range(1, num_layers)]


def _selected_box(selected: Cell | None, D: int) -> list[dict]:
    if selected is None:
        return []
    k, d, t = selected
    return row_box(k * D + d, t - 0.5, t + 0.5, name="selected")


def _as_index(value) -> int | None:
    """An integral, finite, non-negative number as int, else None (bools are rejected)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        return None
    return int(value) if value >= 0 else None


def _as_list(custom):
    """customdata as a list: Streamlit 1.67 returns customdata sent as a typed (numpy) array
    as an object ``{"0": v0, "1": v1, …}`` (seen in Chromium); lists pass unchanged."""
    if not isinstance(custom, Mapping):
        return custom
    keys = sorted((k for k in custom if str(k).isdigit()), key=int)
    if not keys or [int(k) for k in keys] != list(range(len(keys))):
        return None
    return [custom[k] for k in keys]


def selection_to_cell(event, shape: Sequence[int] | None = None) -> Cell | None:
    """(layer, d, t) of the first selected marker of ``unrolled_grid``, or None.

    ``event`` is what ``st.plotly_chart(..., on_select="rerun")`` returns:
    ``{"selection": {"points": [{"customdata": [layer, d, t, ...], ...}], ...}}``. Anything
    else (None, no points, a point without usable customdata, or outside ``shape`` =
    (num_layers, D, L) when given) yields None.
    """
    selection = event.get("selection") if isinstance(event, Mapping) else None
    points = selection.get("points") if isinstance(selection, Mapping) else None
    if not isinstance(points, Sequence) or isinstance(points, str):
        return None
    for point in points:
        custom = _as_list(point.get("customdata")) if isinstance(point, Mapping) else None
        if not isinstance(custom, Sequence) or isinstance(custom, str) or len(custom) < 3:
            continue
        cell = tuple(_as_index(v) for v in custom[:3])
        if None not in cell and (shape is None or _in_grid(cell, shape)):
            return cell
    return None
