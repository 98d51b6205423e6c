"""Downloads of what the pages show: figures (PNG/SVG), tensors (CSV), the whole trace (.npz)
and the settings (.json). Pure: no Streamlit here.

CSV tables are long (one value per row) with fixed English column names, so a notebook or
a spreadsheet reads them the same in every language:

* step values: ``sentence, token, t, layer, direction, name, unit, value`` — ``name`` is
  the ``Trace.step_values`` key (gate ``i``/``f``/``g``/``o``, ``r``/``z``/``n``, or state
  ``c``/``h``), ``t`` the token's position (as on the pages, for both directions);
* packed.data: ``row, t, slot, sentence, token, feature, value``;
* shapes: ``name, kind, shape, dims``.

Tokens are user text: pandas quotes them, and a text cell that starts with ``=``, ``+``,
``-``, ``@``, tab or CR gets a leading apostrophe so a spreadsheet shows it instead of
running it as a formula (OWASP "CSV injection"). Files are UTF-8 with a byte-order mark,
which Excel needs to read Chinese tokens.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import asdict
from urllib.parse import urlencode

import numpy as np
import pandas as pd
import torch
from torch.nn.utils.rnn import PackedSequence, pad_packed_sequence

from lstm_viz.core.packing import PackingLayout
from lstm_viz.core.shapes import ShapeEntry
from lstm_viz.core.tokens import PAD
from lstm_viz.core.trace import Trace
from lstm_viz.io.static_image import ExportUnavailable, figure_image, unavailable_reason
from lstm_viz.state.pipeline import Run
from lstm_viz.state.query import to_query
from lstm_viz.state.settings import Settings

__all__ = [
    "ExportUnavailable", "config_json", "figure_image", "packed_frame", "shapes_frame",
    "steps_frame", "tensor_csv", "trace_npz", "unavailable_reason",
]

STEP_COLUMNS = ("sentence", "token", "t", "layer", "direction", "name", "unit", "value")
PACKED_COLUMNS = ("row", "t", "slot", "sentence", "token", "feature", "value")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: object) -> object:
    """``"=1+1"`` → ``"'=1+1"``: a text cell a spreadsheet would run as a formula; others as is."""
    if isinstance(text, str) and text.startswith(FORMULA_START):
        return "'" + text
    return text


def tensor_csv(frame: pd.DataFrame) -> bytes:
    """``frame`` as UTF-8 CSV bytes (with BOM), text cells neutralised, no index."""
    safe = frame.copy()
    for col in safe.columns:
        if safe[col].dtype == object or pd.api.types.is_string_dtype(safe[col]):
            safe[col] = safe[col].map(neutralise)
    return safe.to_csv(index=False).encode("utf-8-sig")


def token_grid(tokens: Sequence[Sequence[str]], L: int) -> np.ndarray:
    """(N, L) array of tokens, ``PAD`` past each sentence's end."""
    grid = np.full((len(tokens), L), PAD, dtype=object)
    for n, words in enumerate(tokens):
        grid[n, : len(words)] = list(words)[:L]
    return grid


def steps_frame(tr: Trace, tokens: Sequence[Sequence[str]], *,
                sentences: Sequence[int] | None = None, layers: Sequence[int] | None = None,
                directions: Sequence[int] | None = None,
                names: Sequence[str] | None = None) -> pd.DataFrame:
    """``Trace.step_values`` as a long table (``STEP_COLUMNS``); None selects all.

    Every step 0..L-1 is listed (``<pad>`` past a sentence's end; NaN values there for
    packed input are written as empty cells).
    """
    cfg = tr.config
    sentences = list(range(tr.N)) if sentences is None else list(sentences)
    grid = token_grid(tokens, tr.L)
    parts = []
    for k in range(cfg.num_layers) if layers is None else layers:
        for d in range(cfg.D) if directions is None else directions:
            values = tr.step_values(k, d)
            for name in values if names is None else names:
                a = values[name][sentences].numpy()  # (n_s, L, size)
                n, t, u = np.meshgrid(sentences, np.arange(a.shape[1]), np.arange(a.shape[2]),
                                      indexing="ij")  # each (n_s, L, size)
                parts.append(pd.DataFrame({
                    "sentence": n.ravel(), "token": grid[n, t].ravel(), "t": t.ravel(),
                    "layer": k, "direction": d, "name": name, "unit": u.ravel(),
                    "value": a.ravel()}))
    if not parts:
        return pd.DataFrame(columns=list(STEP_COLUMNS))
    return pd.concat(parts, ignore_index=True)[list(STEP_COLUMNS)]


def packed_frame(layout: PackingLayout) -> pd.DataFrame:
    """``packed.data`` (sum(lengths), H_in) as a long table (``PACKED_COLUMNS``)."""
    data = layout.data.detach().cpu().float().numpy()  # (R, H_in)
    R, H_in = data.shape
    meta = pd.DataFrame([(r.row, r.t, r.slot, r.sentence, r.token) for r in layout.rows],
                        columns=["row", "t", "slot", "sentence", "token"])
    frame = meta.loc[meta.index.repeat(H_in)].reset_index(drop=True)
    frame["feature"] = np.tile(np.arange(H_in), R)
    frame["value"] = data.ravel()
    return frame[list(PACKED_COLUMNS)]


def shapes_frame(entries: Sequence[ShapeEntry]) -> pd.DataFrame:
    """The shape contract: name, kind, shape ``(5, 3, 10)``, dims ``(L, N, H_in)``."""
    def text(values) -> str:
        inner = ", ".join(str(v) for v in values)
        return f"({inner},)" if len(values) == 1 else f"({inner})"

    return pd.DataFrame([(e.name, e.kind, text(e.shape), text(e.dims)) for e in entries],
                        columns=["name", "kind", "shape", "dims"])


def _np(x: torch.Tensor) -> np.ndarray:
    return x.detach().cpu().numpy()


def padded_output(result: Run) -> torch.Tensor:
    """The module's output, padded: (L, N, D*H_out), or (N, L, D*H_out) if batch_first.

    Packed output goes through ``pad_packed_sequence(total_length=spec.total_length)``.
    """
    out = result.trace.output
    if isinstance(out, PackedSequence):
        total = result.settings.spec.total_length if result.settings.spec.packed else 0
        out, _ = pad_packed_sequence(out, batch_first=result.trace.config.batch_first,
                                     total_length=total or None)
    return out


def trace_arrays(result: Run) -> dict[str, np.ndarray]:
    """Every array of the run by name (see ``trace_npz``)."""
    tr, batch, cfg = result.trace, result.batch, result.trace.config
    arrays: dict[str, np.ndarray] = {}
    for k in range(cfg.num_layers):
        for d in range(cfg.D):
            for name, v in tr.step_values(k, d).items():
                arrays[f"l{k}_d{d}_{name}"] = _np(v)  # (N, L, size)
    arrays["input"] = _np(batch.padded)  # (L, N, H_in) or (N, L, H_in)
    arrays["output"] = _np(padded_output(result))
    arrays["h_n"] = _np(tr.h_n)  # (num_layers*D, N, H_out)
    if tr.c_n is not None:
        arrays["c_n"] = _np(tr.c_n)  # (num_layers*D, N, H_cell)
    hx = batch.hx if isinstance(batch.hx, tuple) else (batch.hx,)
    for name, h in zip(("h_0", "c_0"), hx, strict=False):
        if h is not None:
            arrays[name] = _np(h)
    arrays["lengths"] = _np(tr.lengths)  # (N,)
    arrays["tokens"] = token_grid(batch.tokens, tr.L).astype(str)  # (N, L)
    if batch.ids is not None:
        arrays["token_ids"] = _np(batch.ids)  # (N, L), 0 = pad
        arrays["vocab"] = np.array(batch.vocab, dtype=str)  # vocab[id]
    arrays["batch_first"] = np.array(cfg.batch_first)
    return arrays


def trace_npz(result: Run) -> bytes:
    """The whole run as a compressed ``.npz`` (``np.load(f)`` reads it, no pickle needed).

    Per layer k and direction d, every step value ``l{k}_d{d}_{name}`` (N, L, size),
    token-aligned (index t is the token's position for both directions; NaN past a
    sentence's end for packed input); ``input`` and ``output`` (padded) in the module's
    layout, (L, N, ·) or (N, L, ·) if ``batch_first``; ``h_n``, ``c_n`` (LSTM), ``h_0``/``c_0``
    when given (num_layers*D, N, ·); ``lengths`` (N,); ``tokens`` (N, L) with ``<pad>``;
    for sentences ``token_ids`` (N, L) and ``vocab``.
    """
    buf = io.BytesIO()
    np.savez_compressed(buf, **trace_arrays(result))
    return buf.getvalue()


def config_json(settings: Settings) -> str:
    """The Settings as JSON: every field, and the query string that reproduces the view.

    ``lstm_viz.state.query.from_query(json.loads(text)["query"])`` gives ``settings`` back.
    """
    query = to_query(settings)
    return json.dumps({"settings": asdict(settings), "query": query,
                       "url_query": "?" + urlencode(query)}, ensure_ascii=False, indent=2)
