"""One time step of each cell, written as PyTorch documents it.

Every function advances D directions at once: tensors carry a leading D axis, and
``W_hh_T`` is ``weight_hh`` of each direction transposed, stacked to (D, H_out, G·H_cell).
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

import torch

STEP_NAMES = {"LSTM": ("i", "f", "g", "o", "c", "h"), "GRU": ("r", "z", "n", "h"), "RNN": ("h",)}
"""Keys of ``Trace.step_values`` per cell, in the order pages show them."""


def lstm_step(gi_t, h, c, W_hh_T, W_hr_T=None):
    """LSTM step. gi_t (D, N, 4·H_cell); h (D, N, H_out); c (D, N, H_cell).

    Returns ((i, f, g, o, c_t, h_t), h_t, c_t).
    """
    gates = torch.baddbmm(gi_t, h, W_hh_T)  # (D, N, 4·H_cell)
    H = gates.shape[-1] // 4
    act = gates.sigmoid()  # i, f, o; the g quarter is replaced next
    act[..., 2 * H: 3 * H] = gates[..., 2 * H: 3 * H].tanh()
    i, f, g, o = act.chunk(4, dim=-1)
    c = torch.addcmul(f * c, i, g)  # (D, N, H_cell)
    h = o * c.tanh()
    if W_hr_T is not None:
        h = torch.bmm(h, W_hr_T)  # (D, N, proj_size)
    return (i, f, g, o, c, h), h, c


def gru_step(gi_t, h, W_hh_T, b_hn):
    """GRU step. gi_t (D, N, 3·H) holds b_i* and b_hr, b_hz; b_hn (D, 1, H).

    Returns ((r, z, n, h_t), h_t).
    """
    gh = torch.bmm(h, W_hh_T)  # (D, N, 3·H)
    gi_r, gi_z, gi_n = gi_t.chunk(3, dim=-1)
    gh_r, gh_z, gh_n = gh.chunk(3, dim=-1)
    r = (gi_r + gh_r).sigmoid()
    z = (gi_z + gh_z).sigmoid()
    n = torch.addcmul(gi_n, r, gh_n + b_hn).tanh()
    h = torch.addcmul(n, z, h - n)  # (1 - z) n + z h
    return (r, z, n, h), h


def rnn_step(gi_t, h, W_hh_T, relu: bool):
    """Elman RNN step. gi_t (D, N, H) holds b_ih + b_hh. Returns ((h_t,), h_t)."""
    pre = torch.baddbmm(gi_t, h, W_hh_T)  # (D, N, H)
    h = pre.relu() if relu else pre.tanh()
    return (h,), h
