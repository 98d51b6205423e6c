"""Recompute every layer and direction of a recurrent module from its own weights.

Layout, in PyTorch's letters: the input arrives batch-major (N, L, H_in); both directions
advance together on a leading D axis; the backward direction reads each sentence reversed
within its own length, so for a PackedSequence it starts at the sentence's last real
token, exactly as the module does. Results are stored token-aligned: index t is the
token's position in its sentence for both directions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lstm_viz.core.cells import STEP_NAMES, gru_step, lstm_step, rnn_step
from lstm_viz.core.config import RNNConfig


@dataclass
class Recomputed:
    values: dict[tuple[int, int], dict[str, np.ndarray]]  # (layer, d) → name → (N, L, size)
    h_n: np.ndarray  # (num_layers*D, N, H_out): the state each direction ended with
    c_n: np.ndarray | None  # (num_layers*D, N, H_cell) for LSTM
    layer_inputs: list[np.ndarray]  # per layer (N, L, H_in) or (N, L, D*H_out)


def layer_weights(module, cfg: RNNConfig, k: int, dtype) -> dict[str, np.ndarray]:
    """Layer k's parameters as arrays stacked over directions and transposed for ``@``.

    W_ih_T (D, H_in, G·H_cell), W_hh_T (D, H_out, G·H_cell), b (D, 1, G·H_cell) = b_ih + b_hh
    (for GRU without b_hn, which stays inside r ⊙ (W_hn h + b_hn): b_hn (D, 1, H_cell)),
    W_hr_T (D, H_cell, proj_size) when proj_size > 0.
    """
    suffixes = ("", "_reverse")[: cfg.D]

    def stacked(name: str) -> np.ndarray:
        return np.stack([getattr(module, f"{name}_l{k}{s}").detach().cpu().numpy().astype(dtype)
                         for s in suffixes])

    W_ih, W_hh = stacked("weight_ih"), stacked("weight_hh")  # (D, G·H_cell, H_in / H_out)
    zeros = np.zeros((cfg.D, W_ih.shape[1]), dtype)
    b_ih, b_hh = (stacked("bias_ih"), stacked("bias_hh")) if cfg.bias else (zeros, zeros)
    w = {"W_ih_T": W_ih.transpose(0, 2, 1), "W_hh_T": np.ascontiguousarray(W_hh.transpose(0, 2, 1))}
    if cfg.cell == "GRU":
        H = cfg.hidden_size
        w["b_hn"] = b_hh[:, None, 2 * H:].copy()  # (D, 1, H_cell)
        b_hh = b_hh.copy()
        b_hh[:, 2 * H:] = 0
    w["b"] = (b_ih + b_hh)[:, None, :]  # (D, 1, G·H_cell)
    if cfg.proj_size:
        w["W_hr_T"] = np.ascontiguousarray(stacked("weight_hr").transpose(0, 2, 1))
    return w


def reverse_index(lengths: np.ndarray, L: int) -> np.ndarray:
    """(N, L) index that reverses each sentence within its length; identity beyond it."""
    t = np.arange(L)[None, :]  # (1, L)
    n = lengths[:, None]  # (N, 1)
    return np.where(t < n, n - 1 - t, t)


def along_time(x: np.ndarray, index: np.ndarray | None) -> np.ndarray:
    """x (N, L, H) reordered along L by index (N, L); index None means a plain flip."""
    if index is None:
        return x[:, ::-1]
    return np.take_along_axis(x, index[:, :, None], axis=1)


def run_layer(cfg: RNNConfig, w, x_dir, h, c, mask):
    """Run D directions of one layer over processing order s = 0..L-1.

    x_dir (D, N, L, H_in); h (D, N, H_out); c (D, N, H_cell) or None; mask (L, 1, N, 1) bool
    or None when every sentence has length L. Returns per-step tuples and the final h, c.
    """
    D, N, L, H_in = x_dir.shape
    x_seq = x_dir.transpose(0, 2, 1, 3).reshape(D, L * N, H_in)  # (D, L*N, H_in), time-major
    gi = x_seq @ w["W_ih_T"] + w["b"]  # (D, L*N, G): W_i* x_t + b for every t
    gi = np.ascontiguousarray(gi.reshape(D, L, N, -1).transpose(1, 0, 2, 3))  # (L, D, N, G)
    steps = []
    for s in range(L):
        if cfg.cell == "LSTM":
            vals, h_new, c_new = lstm_step(gi[s], h, c, w["W_hh_T"], w.get("W_hr_T"))
        elif cfg.cell == "GRU":
            vals, h_new, c_new = (*gru_step(gi[s], h, w["W_hh_T"], w["b_hn"]), None)
        else:
            vals, h_new, c_new = (*rnn_step(gi[s], h, w["W_hh_T"], cfg.nonlinearity == "relu"),
                                  None)
        if mask is None:
            h, c = h_new, c_new
        else:  # a finished sentence keeps its last state, as the packed module does
            h = np.where(mask[s], h_new, h)
            c = np.where(mask[s], c_new, c) if c_new is not None else None
        steps.append(vals)
    return steps, h, c


def recompute(module, cfg: RNNConfig, x: np.ndarray, lengths: np.ndarray, h0: np.ndarray,
              c0: np.ndarray | None) -> Recomputed:
    """Every layer and direction of ``module`` on x (N, L, H_in) with per-sentence ``lengths``
    (N,), from h0 (num_layers*D, N, H_out) and c0 (num_layers*D, N, H_cell) (LSTM)."""
    L = x.shape[1]
    varlen = bool((lengths != L).any())
    rev = reverse_index(lengths, L) if varlen else None  # (N, L)
    mask = (np.arange(L)[:, None] < lengths[None, :])[:, None, :, None] if varlen else None
    values, h_fin, c_fin, layer_inputs = {}, [], [], []
    for k in range(cfg.num_layers):
        layer_inputs.append(x)
        x_dir = np.stack([x, along_time(x, rev)][: cfg.D])  # (D, N, L, H_in)
        rows = slice(k * cfg.D, (k + 1) * cfg.D)
        w = layer_weights(module, cfg, k, x.dtype)
        steps, h, c = run_layer(cfg, w, x_dir, h0[rows], None if c0 is None else c0[rows], mask)
        h_fin.append(h)
        c_fin.append(c)
        per_name = [np.stack(vs, axis=2) for vs in zip(*steps, strict=True)]  # (D, N, L, ·)
        for d in range(cfg.D):
            vals = [v[d] if d == 0 else along_time(v[d], rev) for v in per_name]
            values[(k, d)] = dict(zip(STEP_NAMES[cfg.cell], vals, strict=True))
        x = np.concatenate([values[(k, d)]["h"] for d in range(cfg.D)], axis=-1)  # (N, L, D*H_out)
    c_n = np.concatenate(c_fin) if cfg.cell == "LSTM" else None
    return Recomputed(values, np.concatenate(h_fin), c_n, layer_inputs)
