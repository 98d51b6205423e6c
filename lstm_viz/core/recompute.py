"""Every gate at every step of one layer, given the module's own states, in one product.

Gates at step t depend only on the layer input x_t and the previous state h_{t-1}. Given
the module's own h at every step (``lstm_viz.core.layers``; the last layer's is the
module's ``output``), the gates of all L steps of a layer and direction are one batched
matrix product over L·N rows::

    pre = x W_ih^T + b_ih + h_prev W_hh^T + b_hh            (D, L·N, G·H_cell)

with the equations of ``lstm_viz.core.cells`` (gate order i, f, g, o; GRU r, z, n). Only
c's elementwise recurrence stays sequential (LSTM: c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t, one
``addcmul`` per step); then h_t = o_t ⊙ tanh(c_t) (GRU: (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1};
RNN: tanh or relu of pre) is recomputed for ``lstm_viz.core.trace`` to check against the
module's h_t, step by step.

Layout, in PyTorch's letters: inputs and states batch-major (N, L, ·); both directions on a
leading D axis; results token-aligned: index t is the token's position in its sentence for
both directions, the backward direction of sentence n starting at its last real token
t = length_n - 1, exactly as the module does for a PackedSequence. Arithmetic in NumPy on
the CPU, float32 (float64 for a float64 module; big products through torch's matmul on the
same memory); tests/reference.py, a free-running float64 recomputation, is the independent
reference it is tested against.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np
import torch

from lstm_viz.core.build import RNNModule
from lstm_viz.core.cells import STEP_NAMES
from lstm_viz.core.config import RNNConfig

BIG = 1 << 20  # multiply-adds above which torch's matmul (MKL) beats NumPy's (OpenBLAS)


@dataclass
class Recomputed:
    """One layer, both directions."""

    values: list[dict[str, np.ndarray]]  # per direction d: name → (N, L, size)
    h: np.ndarray  # (D, N, L, H_out): the recomputed h at every step
    h_last: np.ndarray  # (D, N, H_out): h after each direction's last step
    c_last: np.ndarray | None  # (D, N, H_cell) for LSTM


def sigmoid_(a: np.ndarray) -> np.ndarray:
    """σ(a) in place, with torch's vectorised kernel on the same memory (one pass, no new
    array: ``cells.sigmoid`` is three); returns ``a``."""
    torch.from_numpy(a).sigmoid_()
    return a


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a (…, m, k) @ b (…, k, n): NumPy for the toy sizes (less overhead per call), torch's
    kernel on the same memory for big products (about twice as fast on one thread)."""
    if a.shape[-2] * a.shape[-1] * b.shape[-1] < BIG:
        return a @ b
    return (torch.from_numpy(a) @ torch.from_numpy(b)).numpy()


def layer_weights(module: RNNModule, cfg: RNNConfig, k: int, dtype) -> dict[str, np.ndarray]:
    """Layer k's parameters stacked over directions, transposed for ``@``, on the CPU.

    W_ih_T (H_in, D·G·H_cell) (D*H_out rows above layer 0; both directions side by side,
    one product for both), W_hh_T (D, H_out, G·H_cell), b_ih, b_hh (D, 1, G·H_cell) (zeros
    without bias), W_hr_T (D, H_cell, proj_size) when proj_size > 0.
    """
    suffixes = ("", "_reverse")[: cfg.D]

    def stacked(name: str) -> np.ndarray:
        return np.stack([getattr(module, f"{name}_l{k}{s}").detach().cpu().numpy()
                         for s in suffixes]).astype(dtype)

    W_ih = stacked("weight_ih")  # (D, G·H_cell, H_in)
    T = np.ascontiguousarray  # kept per module: contiguous operands, faster products
    w = {"W_ih_T": T(W_ih.reshape(-1, W_ih.shape[-1]).T),
         "W_hh_T": T(stacked("weight_hh").transpose(0, 2, 1))}
    if cfg.bias:
        w["b_ih"], w["b_hh"] = stacked("bias_ih")[:, None], stacked("bias_hh")[:, None]
    else:
        w["b_ih"] = w["b_hh"] = np.zeros((cfg.D, 1, W_ih.shape[1]), W_ih.dtype)
    if cfg.proj_size:
        w["W_hr_T"] = T(stacked("weight_hr").transpose(0, 2, 1))
    return w


_WEIGHTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def module_weights(module: RNNModule, cfg: RNNConfig, dtype) -> list[dict[str, np.ndarray]]:
    """``layer_weights`` of every layer, kept with the module while its parameters are the
    same tensors at the same versions (an in-place change or a new tensor makes new ones).
    The app traces one cached module many times; the arrays are never written to."""
    key = (np.dtype(dtype).str, tuple((id(p), p.data_ptr(), p._version)
                                      for p in module.parameters()))
    held = _WEIGHTS.get(module)
    if held is None or held[0] != key:
        held = key, [layer_weights(module, cfg, k, dtype) for k in range(cfg.num_layers)]
        _WEIGHTS[module] = held
    return held[1]


def backward_order(lengths: np.ndarray, L: int) -> np.ndarray | None:
    """(N, L) index of the token the backward direction reads at step s: t = length_n - 1 - s
    within each sentence (identity past it; its own inverse). None when every sentence has
    length L (a plain flip)."""
    if (lengths == L).all():
        return None
    t = np.arange(L)[None, :]  # (1, L)
    n = lengths[:, None]  # (N, 1)
    return np.where(t < n, n - 1 - t, t)


def _reorder(x: np.ndarray, rev: np.ndarray | None) -> np.ndarray:
    """x (N, L, ·) with each sentence read backward: token order ⇄ backward reading order."""
    return x[:, ::-1] if rev is None else x[np.arange(len(rev))[:, None], rev]


def _reading_order(x: np.ndarray, rev: np.ndarray | None) -> np.ndarray:
    """x (D, N, L, ·) token-aligned → (L, D, N, ·) in each direction's reading order."""
    if x.shape[0] == 2:
        x = np.stack([x[0], _reorder(x[1], rev)])
    return x.transpose(2, 0, 1, 3).copy()


def previous_states(h: np.ndarray, h0: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """h_prev (D, N, L, H_out): what step t read. Forward h_{t-1} (h_0 at t = 0); backward
    h_{t+1} (h_0 at t = length_n - 1). ``h`` (D, N, L, H_out) are the module's states."""
    prev = np.empty_like(h)
    prev[0, :, 0], prev[0, :, 1:] = h0[0], h[0, :, :-1]
    if h.shape[0] == 2:
        prev[1, :, :-1] = h[1, :, 1:]
        prev[1, np.arange(len(lengths)), lengths - 1] = h0[1]  # last real token: h_0
    return prev


def _final(x: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """x (D, N, L, size) at each direction's last step: t = length-1 forward, 0 backward."""
    last = x[0, np.arange(len(lengths)), lengths - 1]  # (N, size)
    return np.stack([last, x[1, :, 0]]) if x.shape[0] == 2 else last[None]


def _cell_state(f: np.ndarray, ig: np.ndarray, c0: np.ndarray, lengths: np.ndarray):
    """c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t in each direction's reading order.

    f, ig (D, N, L, H_cell) token-aligned; c0 (D, N, H_cell). Returns c (D, N, L, H_cell)
    token-aligned. Past a sentence's length the values are never read by a real step (each
    direction reads a sentence's tokens first)."""
    D, _, L, _ = f.shape
    rev = backward_order(lengths, L) if D == 2 else None
    f_s, c_s = _reading_order(f, rev), _reading_order(ig, rev)  # (L, D, N, H_cell)
    c = c0
    for s in range(L):
        c = c_s[s].__iadd__(f_s[s] * c)  # (D, N, H_cell)
    c = c_s.transpose(1, 2, 0, 3)  # (D, N, L, H_cell), reading order
    return np.stack([c[0], _reorder(c[1], rev)]) if D == 2 else c


def _gates(cfg: RNNConfig, w, x: np.ndarray, prev: np.ndarray):
    """x W_ih^T + b_ih and h_prev W_hh^T + b_hh for all steps: (D, N, L, G·H_cell) each."""
    D, N, L, H_out = prev.shape
    gi = matmul(x.reshape(N * L, -1), w["W_ih_T"]).reshape(N, L, D, -1).transpose(2, 0, 1, 3)
    gh = matmul(prev.reshape(D, N * L, H_out), w["W_hh_T"]).reshape(D, N, L, -1)
    return gi + w["b_ih"][:, None], gh.__iadd__(w["b_hh"][:, None])


def recompute_layer(cfg: RNNConfig, w: dict[str, np.ndarray], x: np.ndarray, h: np.ndarray,
                    lengths: np.ndarray, h0: np.ndarray, c0: np.ndarray | None) -> Recomputed:
    """Every gate of one layer from x (N, L, H_in) and the module's states h
    (D, N, L, H_out), from h0 (D, N, H_out) and c0 (D, N, H_cell) (LSTM)."""
    D, N, L, _ = h.shape
    H = cfg.hidden_size
    prev = previous_states(h, h0, lengths)  # (D, N, L, H_out)
    gi, gh = _gates(cfg, w, x, prev)  # (D, N, L, G·H_cell) each
    if cfg.cell == "LSTM":
        act = gi.__iadd__(gh)  # the pre-activations, activated in place below
        sigmoid_(act[..., : 2 * H]), np.tanh(act[..., 2 * H: 3 * H], out=act[..., 2 * H: 3 * H])
        sigmoid_(act[..., 3 * H:])
        i, f, g, o = (act[..., a * H: (a + 1) * H] for a in range(4))
        c = _cell_state(f, i * g, c0, lengths)
        h_new = o * np.tanh(c)  # (D, N, L, H_cell)
        if cfg.proj_size:
            h_new = matmul(h_new.reshape(D, N * L, H), w["W_hr_T"]).reshape(D, N, L, -1)
        parts, c_last = (i, f, g, o, c, h_new), _final(c, lengths)
    elif cfg.cell == "GRU":
        rz = sigmoid_(gi[..., : 2 * H] + gh[..., : 2 * H])
        r, z = rz[..., :H], rz[..., H:]
        n = np.tanh(gi[..., 2 * H:] + r * gh[..., 2 * H:])
        h_new = n + z * (prev - n)  # (1 - z) n + z h_prev
        parts, c_last = (r, z, n, h_new), None
    else:
        pre = gi.__iadd__(gh)
        h_new = np.maximum(pre, 0) if cfg.nonlinearity == "relu" else np.tanh(pre)
        parts, c_last = (h_new,), None
    values = [dict(zip(STEP_NAMES[cfg.cell], (p[d] for p in parts), strict=True))
              for d in range(D)]
    return Recomputed(values, h_new, _final(h_new, lengths), c_last)
