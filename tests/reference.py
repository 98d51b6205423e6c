"""A deliberately simple reference implementation of ``nn.RNN``, ``nn.GRU`` and ``nn.LSTM``.

Written straight from the equations in the docstrings of ``torch/nn/modules/rnn.py`` and
independent of ``lstm_viz``: one sample at a time, one step at a time, plain Python loops over
float64 tensors on the CPU.  No batching tricks, no ``torch.nn.utils.rnn``, no ``nn.*Cell``,
no ``_VF`` calls.  It is slow on purpose; it exists only to check other code against.

Notation as in the PyTorch docs::

    N          batch size
    L          (padded) sequence length
    D          2 if bidirectional else 1
    H_in       input_size
    H_cell     hidden_size
    H_out      proj_size if proj_size > 0 else hidden_size
    num_layers number of stacked layers

Equations (``x`` is the layer input at step t, ``h``/``c`` the state from the previous step):

LSTM (gate order i, f, g, o in the stacked weights)::

    i = sigmoid(W_ii x + b_ii + W_hi h + b_hi)
    f = sigmoid(W_if x + b_if + W_hf h + b_hf)
    g = tanh   (W_ig x + b_ig + W_hg h + b_hg)
    o = sigmoid(W_io x + b_io + W_ho h + b_ho)
    c' = f * c + i * g
    h' = o * tanh(c')              (proj_size == 0)
    h' = W_hr (o * tanh(c'))       (proj_size > 0)

GRU (gate order r, z, n)::

    r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)
    z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
    n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
    h' = (1 - z) * n + z * h

RNN::

    h' = tanh(W_ih x + b_ih + W_hh h + b_hh)     (or relu)

Layer k > 0 takes as input, at token position t, the concatenation
``[h_forward_t, h_backward_t]`` of layer k-1.  Dropout between layers is *not* modelled: the
reference computes what the module computes in eval mode.

Variable lengths follow ``PackedSequence`` semantics: for a sentence of length ``len`` the
forward direction runs t = 0 .. len-1 and the backward direction runs t = len-1 .. 0, both
starting from the initial state; positions t >= len are never computed.  ``h_n``/``c_n`` hold
the state after the last processed step, i.e. after t = len-1 (forward) or t = 0 (backward).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

__all__ = ["VALUE_NAMES", "cell_kind", "reference_run"]

#: Names of the per-step values recorded for each cell kind.
VALUE_NAMES: dict[str, tuple[str, ...]] = {
    "LSTM": ("i", "f", "g", "o", "c", "h"),
    "GRU": ("r", "z", "n", "h"),
    "RNN_TANH": ("h",),
    "RNN_RELU": ("h",),
}

_F64 = torch.float64


def cell_kind(module: nn.Module) -> str:
    """Return ``"LSTM"``, ``"GRU"``, ``"RNN_TANH"`` or ``"RNN_RELU"`` for a recurrent module."""
    if isinstance(module, nn.LSTM):
        return "LSTM"
    if isinstance(module, nn.GRU):
        return "GRU"
    if isinstance(module, nn.RNN):
        return "RNN_RELU" if module.nonlinearity == "relu" else "RNN_TANH"
    raise TypeError(f"not an nn.RNN / nn.GRU / nn.LSTM: {type(module).__name__}")


def _param(module: nn.Module, name: str) -> Tensor | None:
    """Parameter ``name`` as a detached float64 CPU copy, or None if the module has none."""
    p = getattr(module, name, None)
    if p is None:
        return None
    return p.detach().to(device="cpu", dtype=_F64).clone()


def _layer_params(module: nn.Module, layer: int, direction: int) -> dict[str, Tensor | None]:
    """Weights of one (layer, direction), read by their PyTorch names."""
    suffix = "_reverse" if direction == 1 else ""
    return {
        "w_ih": _param(module, f"weight_ih_l{layer}{suffix}"),
        "w_hh": _param(module, f"weight_hh_l{layer}{suffix}"),
        "b_ih": _param(module, f"bias_ih_l{layer}{suffix}"),
        "b_hh": _param(module, f"bias_hh_l{layer}{suffix}"),
        "w_hr": _param(module, f"weight_hr_l{layer}{suffix}"),
    }


def _affine(w: Tensor, v: Tensor, b: Tensor | None) -> Tensor:
    """``w @ v + b`` for one sample (``w``: (rows, cols), ``v``: (cols,), ``b``: (rows,))."""
    out = w @ v
    if b is not None:
        out = out + b
    return out


def _rows(t: Tensor | None, k: int, size: int) -> Tensor | None:
    """Rows ``k*size : (k+1)*size`` (the k-th gate block) of a stacked weight or bias."""
    if t is None:
        return None
    return t[k * size : (k + 1) * size]


def _lstm_step(p: dict, x: Tensor, h: Tensor, c: Tensor, size: int) -> dict[str, Tensor]:
    """One LSTM step. ``x``: (H_layer_in,), ``h``: (H_out,), ``c``: (H_cell,)."""

    def pre(k: int) -> Tensor:
        return _affine(_rows(p["w_ih"], k, size), x, _rows(p["b_ih"], k, size)) + _affine(
            _rows(p["w_hh"], k, size), h, _rows(p["b_hh"], k, size)
        )

    i = torch.sigmoid(pre(0))
    f = torch.sigmoid(pre(1))
    g = torch.tanh(pre(2))
    o = torch.sigmoid(pre(3))
    c_new = f * c + i * g
    h_new = o * torch.tanh(c_new)
    if p["w_hr"] is not None:
        h_new = p["w_hr"] @ h_new
    return {"i": i, "f": f, "g": g, "o": o, "c": c_new, "h": h_new}


def _gru_step(p: dict, x: Tensor, h: Tensor, size: int) -> dict[str, Tensor]:
    """One GRU step. ``x``: (H_layer_in,), ``h``: (H_out,)."""

    def part_x(k: int) -> Tensor:
        return _affine(_rows(p["w_ih"], k, size), x, _rows(p["b_ih"], k, size))

    def part_h(k: int) -> Tensor:
        return _affine(_rows(p["w_hh"], k, size), h, _rows(p["b_hh"], k, size))

    r = torch.sigmoid(part_x(0) + part_h(0))
    z = torch.sigmoid(part_x(1) + part_h(1))
    n = torch.tanh(part_x(2) + r * part_h(2))
    h_new = (1 - z) * n + z * h
    return {"r": r, "z": z, "n": n, "h": h_new}


def _rnn_step(p: dict, x: Tensor, h: Tensor, relu: bool) -> dict[str, Tensor]:
    """One Elman RNN step. ``x``: (H_layer_in,), ``h``: (H_out,)."""
    pre = _affine(p["w_ih"], x, p["b_ih"]) + _affine(p["w_hh"], h, p["b_hh"])
    h_new = torch.relu(pre) if relu else torch.tanh(pre)
    return {"h": h_new}


def reference_run(
    module: nn.Module,
    x: Tensor,
    lengths: Sequence[int] | Tensor | None = None,
    h0: Tensor | None = None,
    c0: Tensor | None = None,
) -> dict:
    """Run ``module``'s equations step by step and record every intermediate value.

    Args:
        module: an ``nn.LSTM``, ``nn.GRU`` or ``nn.RNN`` (any device/dtype; its parameters are
            copied to float64 on the CPU).  ``batch_first`` is ignored: ``x`` is always
            batch-major.  Dropout is ignored (eval-mode semantics).
        x: padded input, shape (N, L, H_in), batch-major.
        lengths: N ints in 1..L, the length of each sentence; None means all L.
        h0: initial hidden state (num_layers*D, N, H_out), or None for zeros.
        c0: initial cell state (num_layers*D, N, H_cell) (LSTM only), or None for zeros.

    Returns:
        A dict with

        * ``"values"``: ``{(layer, direction): {name: Tensor (N, L, size)}}`` with names
          ``i f g o c h`` (LSTM), ``r z n h`` (GRU) or ``h`` (RNN).  Index t is the token
          position in its sentence for both directions.  ``size`` is H_cell for gates and
          ``c``, H_out for ``h``.  Positions t >= length are NaN.
        * ``"output"``: (N, L, D*H_out), the last layer's ``h`` of both directions
          concatenated (NaN at t >= length).
        * ``"h_n"``: (num_layers*D, N, H_out), index ``layer*D + direction``.
        * ``"c_n"``: (num_layers*D, N, H_cell) for LSTM, else None.
        * ``"lengths"``: the N lengths as a list of ints.

        All tensors are float64 on the CPU.
    """
    kind = cell_kind(module)
    if x.dim() != 3:
        raise ValueError(f"x must be (N, L, H_in), got shape {tuple(x.shape)}")
    x = x.detach().to(device="cpu", dtype=_F64)
    n_batch, seq_len, h_in = x.shape
    if h_in != module.input_size:
        raise ValueError(f"H_in={h_in} but module.input_size={module.input_size}")

    if lengths is None:
        lens = [seq_len] * n_batch
    else:
        lens = [int(v) for v in (lengths.tolist() if isinstance(lengths, Tensor) else lengths)]
    if len(lens) != n_batch or any(not 1 <= v <= seq_len for v in lens):
        raise ValueError(f"lengths must be N={n_batch} ints in 1..{seq_len}, got {lens}")

    num_layers = module.num_layers
    num_dir = 2 if module.bidirectional else 1
    h_cell = module.hidden_size
    proj = getattr(module, "proj_size", 0)
    h_out = proj if proj > 0 else h_cell
    is_lstm = kind == "LSTM"

    if h0 is None:
        h0 = torch.zeros(num_layers * num_dir, n_batch, h_out, dtype=_F64)
    h0 = h0.detach().to(device="cpu", dtype=_F64)
    if tuple(h0.shape) != (num_layers * num_dir, n_batch, h_out):
        raise ValueError(f"h0 has shape {tuple(h0.shape)}")
    if is_lstm:
        if c0 is None:
            c0 = torch.zeros(num_layers * num_dir, n_batch, h_cell, dtype=_F64)
        c0 = c0.detach().to(device="cpu", dtype=_F64)
        if tuple(c0.shape) != (num_layers * num_dir, n_batch, h_cell):
            raise ValueError(f"c0 has shape {tuple(c0.shape)}")
    elif c0 is not None:
        raise ValueError("c0 is only meaningful for LSTM")

    sizes = {name: (h_out if name == "h" else h_cell) for name in VALUE_NAMES[kind]}
    nan = float("nan")

    values: dict[tuple[int, int], dict[str, Tensor]] = {}
    h_n = torch.zeros(num_layers * num_dir, n_batch, h_out, dtype=_F64)
    c_n = torch.zeros(num_layers * num_dir, n_batch, h_cell, dtype=_F64) if is_lstm else None

    # Per-sample layer input: a list of N tensors, each (len_n, features).
    layer_in = [x[n, : lens[n]] for n in range(n_batch)]

    for layer in range(num_layers):
        for direction in range(num_dir):
            p = _layer_params(module, layer, direction)
            idx = layer * num_dir + direction
            rec = {
                name: torch.full((n_batch, seq_len, size), nan, dtype=_F64)
                for name, size in sizes.items()
            }
            for n in range(n_batch):
                h = h0[idx, n].clone()
                c = c0[idx, n].clone() if is_lstm else None
                steps = range(lens[n]) if direction == 0 else range(lens[n] - 1, -1, -1)
                for t in steps:
                    xt = layer_in[n][t]
                    if is_lstm:
                        step = _lstm_step(p, xt, h, c, h_cell)
                        c = step["c"]
                    elif kind == "GRU":
                        step = _gru_step(p, xt, h, h_cell)
                    else:
                        step = _rnn_step(p, xt, h, relu=kind == "RNN_RELU")
                    h = step["h"]
                    for name, v in step.items():
                        rec[name][n, t] = v
                h_n[idx, n] = h
                if is_lstm:
                    c_n[idx, n] = c
            values[(layer, direction)] = rec
        layer_in = [
            torch.cat([values[(layer, d)]["h"][n, : lens[n]] for d in range(num_dir)], dim=-1)
            for n in range(n_batch)
        ]

    last = num_layers - 1
    output = torch.cat([values[(last, d)]["h"] for d in range(num_dir)], dim=-1)
    return {"values": values, "output": output, "h_n": h_n, "c_n": c_n, "lengths": lens}
