"""Hidden (or cell) states of every layer and direction, and how ``output`` is assembled.

``states_grid``: one (L, H_out) heatmap per (layer k, direction d), layer 0 at the bottom
as in the unrolled picture, the row whose state became h_n outlined: the last real token
(t = length-1) going forward, the first token (t = 0) going backward.
``output_assembly``: the last layer's ``output`` is forward | backward concatenated along
features, (L, D*H_out). ``*_spec`` builders return the figure as a plain dict
(``lstm_viz.figures.spec``); the others the same as a ``go.Figure``.
"""

from __future__ import annotations

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
from lstm_viz.figures.spec import figure_of, subplot_grid
from lstm_viz.figures.style import as_array, colour_axis, finish, row_box, shape_text
from lstm_viz.figures.text import row_name

Key = tuple[int, int]  # (layer k, direction d)


def hn_source_steps(length: int, num_layers: int, D: int) -> dict[Key, int]:
    """Step t whose state each (layer, d) hands on as h_n: length-1 forward, 0 backward.

    ``length`` is ``Trace.lengths[n]``: the sentence's length for packed input, but L for a
    padded (unpacked) batch, where the module also reads the pad steps.
    """
    return {(k, d): (length - 1 if d == 0 else 0) for k in range(num_layers) for d in range(D)}


def _check_states(states: Mapping[Key, object], num_layers: int, D: int):
    keys = [(k, d) for k in range(num_layers) for d in range(D)]
    if sorted(states) != keys:
        raise ValueError(f"states: expected keys {keys}, got {sorted(states)}")
    zs = {key: as_array(states[key], f"states{key}", "(L, H_out)", 2) for key in keys}
    L = zs[keys[0]].shape[0]
    for key, z in zs.items():
        if z.shape[0] != L:
            raise ValueError(f"states{key}: expected (L={L}, H_out), got {shape_text(z)}")
    return zs, L


def states_grid_spec(states: Mapping[Key, object], tokens: Sequence[str], *, num_layers: int,
                     D: int, title: str, x_title: str, y_title: str,
                     panel_label: str = "{layer} {arrow}", name: str = "h_t",
                     kind: str = "unbounded", highlight: Mapping[Key, int] | None = None,
                     highlight_label: str = "h_n", pad: str = PAD,
                     height: int | None = None) -> dict:
    """Grid of num_layers rows (last layer on top) × D columns of (L, H_out) heatmaps.

    ``states[(k, d)]`` is ``Trace.step_values(k, d)["h"][n]`` (or ``["c"]`` with
    ``name="c_t"``, ``highlight_label="c_n"``). All panels share one colour axis so colours
    compare across layers. ``data[k*D + d]`` is panel (k, d); ``highlight[(k, d)] = t``
    outlines row t there (shape named ``"h_n k d"``); see ``hn_source_steps``.
    """
    zs, L = _check_states(states, num_layers, D)
    highlight = dict(highlight or {})
    for key, t in highlight.items():
        if key not in zs or not 0 <= t < L:
            raise ValueError(f"highlight: expected (layer, d) → t in 0..{L - 1}, got {key}→{t}")
    panel_px = min(360, max(120, L * 12))
    height = height or num_layers * (panel_px + 40) + 90
    titles = [row_name(panel_label, k, d, D) for k in reversed(range(num_layers))
              for d in range(D)]
    grid = subplot_grid(num_layers, D, titles=titles, shared_y=True, h_spacing=0.06,
                        v_spacing=min(0.3, 80 / height))
    spec = {"data": [], "layout": grid.layout}
    overlays, shapes, notes = [], [], []
    for (k, d), z in zs.items():
        r, c = num_layers - k, d + 1
        overlays.append(add_panel(spec, grid, z, tokens, row=r, col=c, coloraxis="coloraxis",
                                  name=name, pad=pad, px=panel_px,
                                  x_title=x_title if r == num_layers else None,
                                  y_title=y_title if c == 1 else None))
        if (k, d) in highlight:
            box, note = _highlight(grid.refs(r, c), highlight[(k, d)], z.shape[1],
                                   f"h_n {k} {d}", highlight_label)
            shapes, notes = shapes + box, [*notes, note]
    add_overlays(spec, overlays)
    layout = spec["layout"]
    layout["coloraxis"] = colour_axis(kind, *zs.values())
    if shapes:
        layout.update(shapes=shapes, annotations=[*layout.get("annotations", []), *notes])
    return finish(spec, title=title, height=height)


states_grid = figure_of(states_grid_spec)


def _highlight(refs: tuple[str, str], t: int, units: int, name: str,
               label: str) -> tuple[list[dict], dict]:
    """Row outline at step t of the subplot with axis references ``refs``, and ``label``
    at its right end."""
    xref, yref = refs
    note = {"x": units - 0.5, "y": t, "xref": xref, "yref": yref, "text": label,
            "showarrow": False, "xanchor": "right", "font": {"size": 11, "color": "black"},
            "bgcolor": "rgba(255,255,255,0.8)"}
    return row_box(t, -0.5, units - 0.5, xref=xref, yref=yref, name=name), note


def output_assembly_spec(forward, backward, tokens: Sequence[str], *, title: str,
                         x_title: str, y_title: str, forward_label: str, backward_label: str,
                         name: str = "output", pad: str = PAD,
                         height: int | None = None) -> dict:
    """The last layer's output (L, D*H_out) = forward (L, H_out) | backward (L, H_out).

    ``backward=None`` for one direction. ``data[0].z`` is the concatenation; a
    vertical line at j = H_out - 0.5 splits the halves, labelled above the plot.
    """
    fwd = as_array(forward, "forward", "(L, H_out)", 2)
    parts = [fwd]
    if backward is not None:
        bwd = as_array(backward, "backward", "(L, H_out)", 2)
        if bwd.shape != fwd.shape:
            raise ValueError(f"backward: expected {shape_text(fwd)} like forward, "
                             f"got {shape_text(bwd)}")
        parts.append(bwd)
    z = np.concatenate(parts, axis=1)  # (L, D*H_out)
    (L, width), H = z.shape, fwd.shape[1]
    height = height or min(700, max(240, L * 18 + 130))
    overlay = pad_overlay(z, pad=pad)
    layout = {"coloraxis": colour_axis("unbounded", z),
              "yaxis": step_yaxis(tokens, L, pad=pad, px=height - 130, title=y_title),
              "xaxis": unit_xaxis(width, x_title),
              "annotations": [{"x": j * H + (H - 1) / 2, "y": 1, "yref": "paper",
                               "yanchor": "bottom", "text": label, "showarrow": False,
                               "font": {"size": 13}}
                              for j, label in enumerate([forward_label, backward_label]
                                                        [: len(parts)])]}
    if len(parts) == 2:
        layout["shapes"] = [{"type": "line", "x0": H - 0.5, "x1": H - 0.5, "y0": 0, "y1": 1,
                             "yref": "paper", "line": {"color": "black", "width": 3},
                             "name": "divider"}]
    spec = {"data": [step_heatmap(z, coloraxis="coloraxis", name=name),
                     *([overlay] if overlay else [])], "layout": layout}
    return finish(spec, title=title, height=height, margin={"t": 90})


output_assembly = figure_of(output_assembly_spec)
