"""One time step of each cell, written as PyTorch documents it.

Every function advances D directions at once: arrays carry a leading D axis, and
``W_hh_T`` is ``weight_hh`` of each direction transposed, stacked to (D, H_out, G·H_cell).
The arithmetic is NumPy on the CPU (float32 for a float32 module): an implementation
independent of torch's kernels, and ~3x less per-step overhead than eager torch at the
toy sizes the app shows, so ``trace`` stays within a small factor of the module's own time.
The input half of every gate, ``W_i* x_t + b_i*``, is computed for all t before the loop
(``gi_t``, (D, N, G·H_cell)); for LSTM and RNN the ``b_h*`` biases are folded into it too.

LSTM (gate order i, f, g, o)::

    i_t = σ(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi)
    f_t = σ(W_if x_t + b_if + W_hf h_{t-1} + b_hf)
    g_t = tanh(W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)
    o_t = σ(W_io x_t + b_io + W_ho h_{t-1} + b_ho)
    c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
    h_t = o_t ⊙ tanh(c_t)            (then h_t = W_hr h_t when proj_size > 0)

GRU (gate order r, z, n)::

    r_t = σ(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)
    z_t = σ(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)
    n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn))
    h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}

RNN::

    h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)     (or relu)
"""

from __future__ import annotations

import numpy as np

STEP_NAMES = {"LSTM": ("i", "f", "g", "o", "c", "h"), "GRU": ("r", "z", "n", "h"), "RNN": ("h",)}
"""Keys of ``Trace.step_values`` per cell, in the order pages show them."""


def sigmoid(x: np.ndarray) -> np.ndarray:
    """σ(x) = 1 / (1 + e^-x), written as 0.5 + 0.5·tanh(x/2) (no overflow for large |x|)."""
    return 0.5 + 0.5 * np.tanh(0.5 * x)


def lstm_step(gi_t, h, c, W_hh_T, W_hr_T=None, force=None):
    """LSTM step. gi_t (D, N, 4·H_cell); h (D, N, H_out); c (D, N, H_cell).

    ``force(name, value) -> value``, if given, may replace each value as soon as it is
    computed ("i", "f", "g", "o", then "c", then "h"); what follows uses the replacement
    (``lstm_viz.core.intervene``). Returns ((i, f, g, o, c_t, h_t), h_t, c_t).
    """
    gates = gi_t + h @ W_hh_T  # (D, N, 4·H_cell)
    H = c.shape[-1]
    act = sigmoid(gates)  # i, f, o (the g quarter is overwritten next)
    g = act[..., 2 * H: 3 * H] = np.tanh(gates[..., 2 * H: 3 * H])
    i, f, o = act[..., :H], act[..., H: 2 * H], act[..., 3 * H:]
    if force is not None:
        i, f, g, o = (force(name, v) for name, v in zip("ifgo", (i, f, g, o), strict=True))
    c = f * c + i * g  # (D, N, H_cell)
    if force is not None:
        c = force("c", c)
    h = o * np.tanh(c)
    if W_hr_T is not None:
        h = h @ W_hr_T  # (D, N, proj_size)
    if force is not None:
        h = force("h", h)
    return (i, f, g, o, c, h), h, c


def gru_step(gi_t, h, W_hh_T, b_hn, force=None):
    """GRU step. gi_t (D, N, 3·H) holds b_i* and b_hr, b_hz; b_hn (D, 1, H).

    ``force`` as in ``lstm_step`` ("r", "z", then "n", then "h").
    Returns ((r, z, n, h_t), h_t).
    """
    gh = h @ W_hh_T  # (D, N, 3·H)
    H = h.shape[-1]
    rz = sigmoid(gi_t[..., : 2 * H] + gh[..., : 2 * H])
    r, z = rz[..., :H], rz[..., H:]
    if force is not None:
        r, z = force("r", r), force("z", z)
    n = np.tanh(gi_t[..., 2 * H:] + r * (gh[..., 2 * H:] + b_hn))
    if force is not None:
        n = force("n", n)
    h = n + z * (h - n)  # (1 - z) n + z h
    if force is not None:
        h = force("h", h)
    return (r, z, n, h), h


def rnn_step(gi_t, h, W_hh_T, relu: bool, force=None):
    """Elman RNN step. gi_t (D, N, H) holds b_ih + b_hh; ``force`` as in ``lstm_step``
    ("h"). Returns ((h_t,), h_t)."""
    pre = gi_t + h @ W_hh_T  # (D, N, H)
    h = np.maximum(pre, 0) if relu else np.tanh(pre)
    if force is not None:
        h = force("h", h)
    return (h,), h
