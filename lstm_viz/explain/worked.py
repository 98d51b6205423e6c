"""Worked math: one unit of one cell step, every term as a number.

``layer_params(module, k, d)`` reads the module's own parameters of layer k, direction d
and splits them in PyTorch's gate order (LSTM i|f|g|o, GRU r|z|n); ``worked_step`` plugs
x_t and the previous state from a ``Trace`` into the equations of ``lstm_viz.core.cells`` for
unit j, keeping each term::

    i_t[j] = σ(W_ii[j]·x_t + b_ii[j] + W_hi[j]·h_{t-1} + b_hi[j])
    n_t[j] = tanh(W_in[j]·x_t + b_in[j] + r_t[j]·(W_hn[j]·h_{t-1} + b_hn[j]))     (GRU)
    h_t[j] = tanh(W_ih[j]·x_t + b_ih[j] + W_hh[j]·h_{t-1} + b_hh[j])              (RNN)

The RNN's single "gate" is named "h", so its parameters are PyTorch's W_ih, W_hh, b_ih,
b_hh. For the backward direction (d = 1) the previous state is the one at t+1. Shapes in
PyTorch's letters: x_t (H_in) for layer 0, (D*H_out) above; h (H_out); gates, c (H_cell).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from lstm_viz.core.build import RNNModule, config_of
from lstm_viz.core.trace import Trace

ACTIVATIONS = {"sigmoid": lambda v: 1.0 / (1.0 + math.exp(-v)) if v >= 0
               else math.exp(v) / (1.0 + math.exp(v)),
               "tanh": math.tanh, "relu": lambda v: max(v, 0.0)}


def layer_params(module: RNNModule, layer: int, direction: int = 0) -> dict[str, torch.Tensor]:
    """Parameters of layer k, direction d as float32 cpu tensors, one entry per gate.

    Keys ``W_i{g}`` (H_cell, H_in or D*H_out), ``W_h{g}`` (H_cell, H_out), and with
    bias=True ``b_i{g}``, ``b_h{g}`` (H_cell,), for g in the cell's gates (RNN: g = "h");
    ``W_hr`` (proj_size, H_cell) for an LSTM with proj_size > 0.
    """
    cfg = config_of(module)
    if not 0 <= layer < cfg.num_layers or not 0 <= direction < cfg.D:
        raise IndexError(f"(layer, direction): expected in 0..{cfg.num_layers - 1} × "
                         f"0..{cfg.D - 1}, got ({layer}, {direction})")
    suffix = f"_l{layer}{'_reverse' if direction else ''}"

    def get(name: str) -> torch.Tensor:
        return getattr(module, f"{name}{suffix}").detach().float().cpu()

    gates = cfg.gates or ("h",)
    out: dict[str, torch.Tensor] = {}
    parts = ["weight_ih", "weight_hh"] + (["bias_ih", "bias_hh"] if cfg.bias else [])
    for part in parts:
        symbol = ("W_" if part.startswith("weight") else "b_") + part[-2]  # W_i, W_h, b_i, b_h
        for g, rows in zip(gates, get(part).chunk(len(gates)), strict=True):  # (H_cell, ·)
            out[f"{symbol}{g}"] = rows
    if cfg.proj_size:
        out["W_hr"] = get("weight_hr")  # (proj_size, H_cell)
    return out


@dataclass(frozen=True)
class GateTerms:
    """One gate of unit j: pre = x_dot + b_i + reset·(h_dot + b_h), value = act(pre)."""

    name: str  # "i", "f", "g", "o"; "r", "z", "n"; RNN "h"
    activation: str  # "sigmoid", "tanh" or "relu"
    x_dot: float  # W_i*[j] · x_t
    b_i: float  # b_i*[j] (0 without bias)
    h_dot: float  # W_h*[j] · h_prev
    b_h: float  # b_h*[j] (0 without bias)
    reset: float | None  # GRU n only: r_t[j], multiplying (h_dot + b_h)
    pre: float  # pre-activation
    value: float  # activation(pre)


@dataclass(frozen=True)
class WorkedStep:
    """Every number of one cell step for unit j (output unit ``out_unit`` of h)."""

    cell: str  # "LSTM", "GRU", "RNN"
    layer: int
    direction: int  # 0 forward, 1 backward
    n: int  # sentence
    t: int  # token position (both directions)
    unit: int  # j in 0..H_cell-1: gates and c
    out_unit: int  # j' in 0..H_out-1: h (equals unit without projection)
    prev_t: int | None  # step the previous state comes from; None: the initial state
    bias: bool
    x: np.ndarray  # (H_in,) or (D*H_out,): x_t
    h_prev: np.ndarray  # (H_out,): h_{t-1} (h_{t+1} backward)
    gates: dict[str, GateTerms]
    c_prev: float | None  # LSTM: c_{t-1}[j]
    c: float | None  # LSTM: c_t[j]
    h: float  # h_t[out_unit]
    m: np.ndarray | None  # LSTM with proj_size: o_t ⊙ tanh(c_t), (H_cell,)
    proj_row: np.ndarray | None  # LSTM with proj_size: W_hr[out_unit], (H_cell,)


def _dot(w: torch.Tensor, v: torch.Tensor) -> float:
    return float(w.double() @ v.double())


def _bias(params, name: str, j: int) -> float:
    return float(params[name][j]) if name in params else 0.0  # bias=False: no b_* entries


def _gate(params, g: str, act: str, j: int, x, h_prev, reset: float | None = None):
    x_dot, h_dot = _dot(params[f"W_i{g}"][j], x), _dot(params[f"W_h{g}"][j], h_prev)
    b_i, b_h = _bias(params, f"b_i{g}", j), _bias(params, f"b_h{g}", j)
    pre = x_dot + b_i + (1.0 if reset is None else reset) * (h_dot + b_h)
    return GateTerms(g, act, x_dot, b_i, h_dot, b_h, reset, pre, ACTIVATIONS[act](pre))


def _check(trace: Trace, layer: int, direction: int, n: int, t: int, unit: int) -> None:
    trace.step_values(layer, direction)  # raises IndexError for a bad layer or direction
    if not 0 <= n < trace.N:
        raise IndexError(f"n: expected a sentence in 0..{trace.N - 1}, got {n}")
    length = int(trace.lengths[n])
    if not 0 <= t < length:
        raise IndexError(f"t: expected a step in 0..{length - 1} (sentence {n}), got {t}")
    if not 0 <= unit < trace.config.hidden_size:
        raise IndexError(f"unit: expected 0..{trace.config.hidden_size - 1}, got {unit}")


def worked_step(params: dict[str, torch.Tensor], trace: Trace, layer: int, direction: int,
                n: int, t: int, unit: int, out_unit: int | None = None) -> WorkedStep:
    """The worked numbers of unit j at step t of sentence n, layer k, direction d.

    ``params`` is ``layer_params(module, layer, direction)``. x_t is
    ``trace.layer_inputs[layer][n, t]``; the previous state ``trace.previous_state``.
    ``out_unit`` (default: j, clamped to H_out-1) picks the projected h_t unit.
    """
    cfg = trace.config
    _check(trace, layer, direction, n, t, unit)
    out_unit = min(unit, cfg.H_out - 1) if out_unit is None else out_unit
    if not 0 <= out_unit < cfg.H_out:
        raise IndexError(f"out_unit: expected 0..{cfg.H_out - 1}, got {out_unit}")
    x = trace.layer_inputs[layer][n, t]  # (H_in,) or (D*H_out,)
    prev = trace.previous_state(layer, direction, n, t)
    h_prev = prev["h"]  # (H_out,)
    prev_t = t - 1 if direction == 0 else t + 1
    prev_t = prev_t if 0 <= prev_t < int(trace.lengths[n]) else None
    j, gates = unit, {}
    c_prev = c = m = proj_row = None
    if cfg.cell == "LSTM":
        for g in cfg.gates:
            gates[g] = _gate(params, g, "tanh" if g == "g" else "sigmoid", j, x, h_prev)
        c_prev = float(prev["c"][j])
        c = gates["f"].value * c_prev + gates["i"].value * gates["g"].value
        h = gates["o"].value * math.tanh(c)
        if cfg.proj_size:
            vals = trace.step_values(layer, direction)
            m_t = vals["o"][n, t].double() * vals["c"][n, t].double().tanh()  # (H_cell,)
            m, proj_row = m_t.numpy(), params["W_hr"][out_unit].double().numpy()
            h = float(params["W_hr"][out_unit].double() @ m_t)
    elif cfg.cell == "GRU":
        for g in ("r", "z"):
            gates[g] = _gate(params, g, "sigmoid", j, x, h_prev)
        gates["n"] = _gate(params, "n", "tanh", j, x, h_prev, reset=gates["r"].value)
        z = gates["z"].value
        h = (1.0 - z) * gates["n"].value + z * float(h_prev[j])
    else:
        gates["h"] = _gate(params, "h", cfg.nonlinearity, j, x, h_prev)
        h = gates["h"].value
    return WorkedStep(cfg.cell, layer, direction, n, t, unit, out_unit, prev_t, cfg.bias,
                      x.numpy(), h_prev.numpy(), gates, c_prev, c, h, m, proj_row)


def weight_columns(params: dict[str, torch.Tensor], step: WorkedStep, side: str) -> dict:
    """Table columns to check the dot products by hand: ``side`` "i" → x_t and each W_i*[j];
    "h" → h_prev and each W_h*[j]. {column name: list of floats}, all the same length."""
    vec = step.x if side == "i" else step.h_prev
    prev = "h[t-1]" if step.direction == 0 else "h[t+1]"
    cols = {"x_t" if side == "i" else prev: vec.astype(float).tolist()}
    for g in step.gates:
        cols[f"W_{side}{g}[{step.unit}]"] = params[f"W_{side}{g}"][step.unit].tolist()
    return cols


def projection_columns(step: WorkedStep) -> dict:
    """LSTM with proj_size: {"m_t": o_t ⊙ tanh(c_t), "W_hr[j']": that row}, (H_cell,) each;
    empty for every other cell."""
    if step.m is None:
        return {}
    return {"m_t": step.m.tolist(), f"W_hr[{step.out_unit}]": step.proj_row.tolist()}


def as_text(columns: dict) -> dict[str, list[str]]:
    """Table columns as the page shows them: every number to 4 significant digits
    (``f"{v:.4g}"``), ready for a plain table (no pandas Styler: ~10x cheaper to send)."""
    return {name: [f"{v:.4g}" for v in values] for name, values in columns.items()}


def _index(value, count: int, default: int = 0) -> int:
    """``value`` as an index in 0..count-1: clamped; anything but a number → ``default``."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return min(default, count - 1)
    return min(max(int(value), 0), count - 1)


def clamp_selection(selection, num_layers: int, D: int, lengths: list[int]) -> dict[str, int]:
    """The shared selection {"layer", "direction", "sentence", "t"} made valid for a run.

    ``selection`` may be anything (None, a stale dict from another configuration);
    each value is clamped into range (t into 0..lengths[sentence]-1); junk becomes 0.
    """
    sel = selection if isinstance(selection, dict) else {}
    out = {"layer": _index(sel.get("layer"), num_layers),
           "direction": _index(sel.get("direction"), D),
           "sentence": _index(sel.get("sentence"), len(lengths))}
    out["t"] = _index(sel.get("t"), max(1, int(lengths[out["sentence"]])))
    return out
