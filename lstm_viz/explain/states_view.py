"""What the hidden-states page shows, for one sentence n of a traced batch.

Where each row of ``h_n`` (and ``c_n``) comes from, with PyTorch's letters:

    h_n[k*D + d, n] = h of layer k, direction d at step t, where
    t = length_n - 1 going forward (d = 0) and t = 0 going backward (d = 1).

``length_n`` is what the module read: the sentence's own length for a PackedSequence, L
for a padded tensor (the forward pass then also reads the pad steps). ``output`` is the
last layer's h, forward | backward along features: (L, N, D*H_out), or (N, L, D*H_out)
when batch_first; ``output.view(L, N, D, H_out)`` and ``h_n.view(num_layers, D, N, H_out)``
split the directions. Everything here is computed from the trace; no Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from lstm_viz.core.config import RNNConfig
from lstm_viz.core.trace import Trace
from lstm_viz.explain.claims import batch_major_output

DECIMALS = 4  # rounding of the tables


@dataclass(frozen=True)
class HnSource:
    """Which step's state became ``h_n[row, n]`` (and ``c_n[row, n]``)."""

    layer: int  # k
    direction: int  # d: 0 forward, 1 backward
    row: int  # k*D + d: the row of h_n / c_n
    t: int  # the step whose h (and c) it is
    length: int  # steps the module read for this sentence (L unless packed)
    real_length: int  # tokens of the sentence (< length: the forward pass read pads)
    h_diff: float  # max |h_n[row, n] - h_t| against the recomputed h_t
    c_diff: float | None  # the same for c_n (LSTM), else None

    @property
    def reads_pad(self) -> bool:
        """Forward h_n of a padded (not packed) shorter sentence: taken at a pad step."""
        return self.direction == 0 and self.real_length < self.length


def _check_n(tr: Trace, n: int) -> None:
    if not 0 <= n < tr.N:
        raise IndexError(f"sentence n must be in 0..{tr.N - 1}, got {n}")


def source_step(length: int, direction: int) -> int:
    """The step whose state a direction hands on as h_n: length-1 forward, 0 backward."""
    return length - 1 if direction == 0 else 0


def _max_diff(a: torch.Tensor, b: torch.Tensor) -> float:
    return float((a.double() - b.double()).abs().max())


def hn_sources(tr: Trace, n: int, real_lengths: torch.Tensor | None = None) -> list[HnSource]:
    """One ``HnSource`` per row of h_n (k*D + d order) for sentence n.

    ``real_lengths`` (N,) are the sentences' token counts (``Batch.lengths``); default:
    what the module read (``tr.lengths``). Diffs compare h_n[row, n] (H_out,) and
    c_n[row, n] (H_cell,) with the trace's h_t / c_t at the source step.
    """
    _check_n(tr, n)
    cfg = tr.config
    length = int(tr.lengths[n])
    real = int((real_lengths if real_lengths is not None else tr.lengths)[n])
    h_n = tr.h_n.detach().float().cpu()  # (num_layers*D, N, H_out)
    c_n = tr.c_n.detach().float().cpu() if tr.c_n is not None else None  # (.., N, H_cell)
    rows = []
    for k in range(cfg.num_layers):
        for d in range(cfg.D):
            row, t = k * cfg.D + d, source_step(length, d)
            vals = tr.step_values(k, d)
            c_diff = _max_diff(c_n[row, n], vals["c"][n, t]) if c_n is not None else None
            rows.append(HnSource(k, d, row, t, length, real,
                                 _max_diff(h_n[row, n], vals["h"][n, t]), c_diff))
    return rows


def highlight_steps(sources: list[HnSource]) -> dict[tuple[int, int], int]:
    """{(layer, d): t} for ``figures.states_grid(highlight=...)``."""
    return {(s.layer, s.direction): s.t for s in sources}


def sources_table(sources: list[HnSource], tokens: list[str], columns: dict[str, str],
                  directions: tuple[str, ...], pad: str = "<pad>") -> pd.DataFrame:
    """One row per h_n row: row k*D+d, layer k, direction, t, token at t, max |h_n - h_t|.

    ``columns`` names them (keys "row", "layer", "direction", "t", "token", "diff");
    ``directions`` names d = 0, 1.
    """
    rows = [{columns["row"]: s.row, columns["layer"]: s.layer,
             columns["direction"]: directions[s.direction], columns["t"]: s.t,
             columns["token"]: tokens[s.t] if s.t < len(tokens) else pad,
             columns["diff"]: f"{s.h_diff:.1e}"} for s in sources]
    return pd.DataFrame(rows)


def output_halves(tr: Trace, n: int) -> tuple[np.ndarray, np.ndarray | None]:
    """The module's own output for sentence n split into forward (L, H_out) and backward
    (L, H_out) halves (None when D = 1); zeros past the length for packed input."""
    _check_n(tr, n)
    out = batch_major_output(tr)[n]  # (L, D*H_out)
    H = tr.config.H_out
    fwd = out[:, :H].numpy()  # (L, H_out)
    return fwd, (out[:, H:].numpy() if tr.config.D == 2 else None)


def padded_output_is_zero(tr: Trace, n: int) -> bool:
    """True when every output position of sentence n at t >= length is exactly 0."""
    out = batch_major_output(tr)[n, int(tr.lengths[n]):]  # (L - length, D*H_out)
    return bool((out == 0).all())


def _frame(values: torch.Tensor | np.ndarray, index: list[str], index_name: str,
           columns_name: str) -> pd.DataFrame:
    a = np.asarray(values, dtype=np.float64).round(DECIMALS)  # (rows, cols)
    frame = pd.DataFrame(a, index=index, columns=[str(j) for j in range(a.shape[1])])
    frame.index.name, frame.columns.name = index_name, columns_name
    return frame


def _steps(L: int, tokens: list[str], pad: str) -> list[str]:
    return [f"t={t} {tokens[t] if t < len(tokens) else pad}" for t in range(L)]


def output_table(tr: Trace, n: int, tokens: list[str], pad: str = "<pad>") -> pd.DataFrame:
    """The raw output of sentence n as a table: rows t (L), columns D*H_out features."""
    _check_n(tr, n)
    out = batch_major_output(tr)[n]  # (L, D*H_out)
    return _frame(out, _steps(out.shape[0], tokens, pad), "t", "D*H_out")


def output_view_tables(tr: Trace, n: int, tokens: list[str],
                       pad: str = "<pad>") -> list[pd.DataFrame]:
    """``output.view(·, ·, D, H_out)`` of sentence n: one (L, H_out) table per direction d."""
    _check_n(tr, n)
    cfg, out = tr.config, batch_major_output(tr)  # (N, L, D*H_out)
    view = out.view(tr.N, out.shape[1], cfg.D, cfg.H_out)  # (N, L, D, H_out)
    index = _steps(out.shape[1], tokens, pad)
    return [_frame(view[n, :, d], index, "t", "H_out") for d in range(cfg.D)]


def state_table(tr: Trace, n: int, name: str = "h") -> pd.DataFrame:
    """The raw ``h_n[:, n]`` (or ``c_n``): rows k*D + d, columns H_out (H_cell for c)."""
    _check_n(tr, n)
    state = (tr.h_n if name == "h" else tr.c_n).detach().float().cpu()[:, n]  # (rows, width)
    width = "H_out" if name == "h" else "H_cell"
    return _frame(state, [str(r) for r in range(state.shape[0])], "k*D+d", width)


def state_view_table(tr: Trace, n: int, name: str = "h") -> pd.DataFrame:
    """``h_n.view(num_layers, D, N, H_out)[:, :, n]`` flattened to rows "k=…, d=…"."""
    _check_n(tr, n)
    cfg = tr.config
    state = (tr.h_n if name == "h" else tr.c_n).detach().float().cpu()
    view = state.view(cfg.num_layers, cfg.D, tr.N, -1)  # (num_layers, D, N, width)
    rows = [view[k, d, n] for k in range(cfg.num_layers) for d in range(cfg.D)]
    index = [f"k={k}, d={d}" for k in range(cfg.num_layers) for d in range(cfg.D)]
    return _frame(torch.stack(rows), index, "[k, d]", "H_out" if name == "h" else "H_cell")


def wrong_view_rows(cfg: RNNConfig) -> list[dict]:
    """What ``h_n.view(D, num_layers, N, H_out)[a, b]`` really holds.

    Read as (direction a, layer b), index [a, b] is row a*num_layers + b of h_n, which is
    layer (a*num_layers + b) // D, direction (a*num_layers + b) % D. ``right`` is False
    wherever the two disagree (only possible when D = 2 and num_layers > 1).
    """
    rows = []
    for a in range(cfg.D):
        for b in range(cfg.num_layers):
            r = a * cfg.num_layers + b
            k, d = divmod(r, cfg.D)
            rows.append({"index": f"[{a}, {b}]", "claims": (b, a), "holds": (k, d),
                         "row": r, "right": (k, d) == (b, a)})
    return rows


def wrong_view_table(cfg: RNNConfig, columns: dict[str, str], label: str,
                     directions: tuple[str, ...]) -> pd.DataFrame:
    """``wrong_view_rows`` as a table. ``columns`` names "index", "claims", "holds",
    "right"; ``label`` formats a (layer, direction) with fields ``{k}`` and ``{dir}``."""
    def name(pair: tuple[int, int]) -> str:
        return label.format(k=pair[0], dir=directions[pair[1]])

    return pd.DataFrame([{columns["index"]: r["index"], columns["claims"]: name(r["claims"]),
                          columns["holds"]: name(r["holds"]),
                          columns["right"]: "✓" if r["right"] else "✗"}
                         for r in wrong_view_rows(cfg)])


def view_code(cfg: RNNConfig, N: int, L: int, n: int, name: str = "h") -> dict[str, str]:
    """The Python of each view with this batch's sizes, and how to index sentence n.

    ``name`` "h" for h_n (width H_out) or "c" for c_n (width H_cell).
    """
    seq = f"{N}, {L}" if cfg.batch_first else f"{L}, {N}"
    pick = f"[{n}, :, d, :]" if cfg.batch_first else f"[:, {n}, d, :]"
    state, width = (f"{name}_n", cfg.H_out if name == "h" else cfg.hidden_size)
    return {
        "output": f"output.view({seq}, {cfg.D}, {cfg.H_out}){pick}",
        "state": f"{state}.view({cfg.num_layers}, {cfg.D}, {N}, {width})[k, d, {n}, :]",
        "wrong": f"h_n.view({cfg.D}, {cfg.num_layers}, {N}, {cfg.H_out})",
        "output_shape": f"({seq}, {cfg.D * cfg.H_out})",
    }
