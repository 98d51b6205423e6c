"""The batch before and after ``pack_padded_sequence``.

PyTorch's example: ``abc`` and ``x`` pack to ``data = a x b c`` with
``batch_sizes = [2, 1, 1]``. ``padded_grid`` draws the padded (N, L) batch, one colour per
sentence and grey pad cells; ``sorted_order`` the same rows in ``sorted_indices`` order
(longest first); ``packed_strip`` the rows of ``packed.data`` left to right, split at
each time step and labelled with ``batch_sizes[t]``. Reading ``sorted_order`` column by
column gives exactly ``packed_strip``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.colors

from lstm_viz.core.packing import PackingLayout
from lstm_viz.core.tokens import PAD
from lstm_viz.figures.spec import figure_of
from lstm_viz.figures.style import PAD_COLOUR, finish
from lstm_viz.figures.text import plain

PALETTE = plotly.colors.qualitative.Safe[:-1]  # colour-blind safe; its grey is left for pad
MAX_CELL_TEXT = 400  # more cells than this: tokens on hover only


def sentence_colour(n: int) -> str:
    """Colour of sentence n in every packing figure (the palette repeats after 10)."""
    return PALETTE[n % len(PALETTE)]


def _colorscale(N: int, pad: bool) -> list:
    """Stepped scale: z = n → sentence n's colour; z = N → pad grey when ``pad``."""
    colours = [sentence_colour(n) for n in range(N)] + ([PAD_COLOUR] if pad else [])
    steps = len(colours)
    return [[edge, c] for i, c in enumerate(colours) for edge in (i / steps, (i + 1) / steps)]


def _check_lengths(tokens: Sequence[Sequence[str]], lengths) -> list[int]:
    lengths = [int(v) for v in np.asarray(lengths).reshape(-1)]
    if len(lengths) != len(tokens) or not tokens:
        raise ValueError(f"lengths: expected (N={len(tokens)},) with N >= 1, "
                         f"got ({len(lengths)},)")
    for n, (toks, length) in enumerate(zip(tokens, lengths, strict=True)):
        if not 1 <= length <= len(toks):
            raise ValueError(f"lengths[{n}]: expected 1..{len(toks)} (tokens of sentence "
                             f"{n}), got {length}")
    return lengths


def padded_grid_spec(tokens: Sequence[Sequence[str]], lengths, *, title: str, x_title: str,
                     y_title: str, pad: str = PAD, row_label: str = "n={n}",
                     order: Sequence[int] | None = None, height: int | None = None) -> dict:
    """The padded batch: row = sentence, column = step t, text = token, pad cells grey.

    ``data[0].z[r, t]`` is the sentence index n of row r (N for pad). ``order`` lists
    the sentence of each row (default 0..N-1); ``row_label`` formats row names with
    fields ``{n}``, ``{slot}`` (the row) and ``{length}``.
    """
    lengths = _check_lengths(tokens, lengths)
    N, L = len(tokens), max(lengths)
    order = list(range(N)) if order is None else [int(n) for n in order]
    if sorted(order) != list(range(N)):
        raise ValueError(f"order: expected a permutation of 0..{N - 1}, got {order}")
    real = np.arange(L)[None, :] < np.array([lengths[n] for n in order])[:, None]  # (N, L)
    z = np.where(real, np.array(order)[:, None], N).astype(np.float32)  # (N, L)
    text = [[plain(tokens[n][t]) if real[r, t] else plain(pad) for t in range(L)]
            for r, n in enumerate(order)]
    heatmap = {"type": "heatmap", "z": z, "colorscale": _colorscale(N, pad=True),
               "zmin": -0.5, "zmax": N + 0.5, "showscale": False, "xgap": 2, "ygap": 2,
               "text": text, "hovertemplate": "t=%{x}<br>%{text}<extra></extra>"}
    if N * L <= MAX_CELL_TEXT:
        heatmap["texttemplate"] = "%{text}"
    rows = [row_label.format(n=n, slot=r, length=lengths[n]) for r, n in enumerate(order)]
    layout = {"xaxis": {"title": {"text": x_title}, "tickmode": "array",
                        "tickvals": list(range(L)), "side": "top"},
              "yaxis": {"title": {"text": y_title}, "tickmode": "array",
                        "tickvals": list(range(N)), "ticktext": rows, "autorange": "reversed"}}
    return finish({"data": [heatmap], "layout": layout}, title=title,
                  height=height or min(700, max(200, N * 34 + 130)), margin={"t": 100})


padded_grid = figure_of(padded_grid_spec)


def sorted_order_spec(layout: PackingLayout, tokens: Sequence[Sequence[str]], *, title: str,
                      x_title: str, y_title: str, pad: str = PAD,
                      row_label: str = "{slot}: n={n}", height: int | None = None) -> dict:
    """``padded_grid`` with rows in ``layout.sorted_indices`` order (longest first)."""
    return padded_grid_spec(tokens, layout.lengths, title=title, x_title=x_title,
                            y_title=y_title, pad=pad, row_label=row_label,
                            order=layout.sorted_indices, height=height)


sorted_order = figure_of(sorted_order_spec)


def packed_strip_spec(layout: PackingLayout, *, title: str, x_title: str,
                      size_label: str = "batch_sizes[{t}]={size}", step_label: str = "t={t}",
                      height: int | None = None) -> dict:
    """``packed.data`` rows left to right, coloured by sentence, split at every step.

    ``data[0]`` is a one-row heatmap over rows r = 0..sum(lengths)-1: ``z[0, r]`` the
    sentence n of ``layout.rows[r]``, ``customdata[0, r] = [t, slot, n]``, text its token.
    """
    R, N = len(layout.rows), len(layout.lengths)
    if not 0 < R == sum(layout.batch_sizes):
        raise ValueError(f"layout.rows: expected sum(batch_sizes)={sum(layout.batch_sizes)} "
                         f"rows, got {R}")
    z = np.array([[row.sentence for row in layout.rows]], dtype=np.float32)  # (1, R)
    custom = np.array([[[row.t, row.slot, row.sentence] for row in layout.rows]],
                      dtype=np.int16)  # (1, R, 3)
    heatmap = {"type": "heatmap", "z": z, "customdata": custom,
               "text": [[plain(row.token) for row in layout.rows]],
               "colorscale": _colorscale(N, pad=False), "zmin": -0.5, "zmax": N - 0.5,
               "showscale": False, "xgap": 1,
               "hovertemplate": "data[%{x}]<br>t=%{customdata[0]}, slot=%{customdata[1]}, "
                                "n=%{customdata[2]}<br>%{text}<extra></extra>"}
    if R <= MAX_CELL_TEXT:
        heatmap["texttemplate"] = "%{text}"
    xaxis = {"title": {"text": x_title}, "range": [-0.5, R - 0.5]}
    if R <= 40:
        xaxis["dtick"] = 1
    spec = {"data": [heatmap], "layout": {
        "annotations": _step_notes(layout.batch_sizes, step_label, size_label),
        "xaxis": xaxis, "yaxis": {"visible": False, "range": [-0.5, 0.5]}}}
    if lines := _step_lines(layout.batch_sizes):
        spec["layout"]["shapes"] = lines
    return finish(spec, title=title, height=height or 230, margin={"t": 110})


packed_strip = figure_of(packed_strip_spec)


def _step_lines(batch_sizes: Sequence[int]) -> list[dict]:
    """A vertical line wherever a new time step starts in ``packed.data``."""
    edges = np.cumsum(batch_sizes)[:-1]
    return [{"type": "line", "x0": e - 0.5, "x1": e - 0.5, "y0": -0.5, "y1": 1.0,
             "yref": "y", "line": {"color": "black", "width": 2}, "name": f"step {t + 1}"}
            for t, e in enumerate(edges.tolist())]


def _step_notes(batch_sizes: Sequence[int], step_label: str, size_label: str) -> list[dict]:
    """``t`` and ``batch_sizes[t]`` above each step's group (every k-th when crowded)."""
    starts = np.concatenate([[0], np.cumsum(batch_sizes)[:-1]])
    stride = max(1, len(batch_sizes) // 24)
    return [{"x": float(starts[t] + (batch_sizes[t] - 1) / 2), "y": 0.5, "yanchor": "bottom",
             "text": f"{step_label.format(t=t)}<br>"
                     f"{size_label.format(t=t, size=batch_sizes[t])}",
             "showarrow": False, "font": {"size": 11}}
            for t in range(0, len(batch_sizes), stride)]
