"""The layout a step-by-step run reads (``lstm_viz.core.intervene``): one step of D
directions at a time with ``lstm_viz.core.cells``, so that a forced value reaches every
step after it. ``trace`` does not step: given the module's own states it computes every
gate at once (``lstm_viz.core.recompute``).

Both directions advance together on a leading D axis; the backward direction reads each
sentence reversed within its own length (``reverse_index``), exactly as the module does for
a PackedSequence.
"""

from __future__ import annotations

import numpy as np

from lstm_viz.core.config import RNNConfig


def step_weights(module, cfg: RNNConfig, k: int, dtype) -> dict[str, np.ndarray]:
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


def along_time(x: np.ndarray, index: np.ndarray) -> np.ndarray:
    """x (N, L, H) reordered along L by index (N, L)."""
    return np.take_along_axis(x, index[:, :, None], axis=1)
