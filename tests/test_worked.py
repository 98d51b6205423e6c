"""Worked math re-adds to the trace: every term of every gate, c_t and h_t, for real modules.

The reference is the trace, itself checked against the real module (test_trace_properties);
here every unit at every step of every layer and direction is worked out term by term.
"""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
import torch

from lstm_viz import InputSpec, RNNConfig, build_module, make_batch, trace
from lstm_viz.explain.worked import (
    clamp_selection,
    layer_params,
    projection_columns,
    weight_columns,
    worked_step,
)
from lstm_viz.explain.worked_tex import num, step_tex

PACKED = InputSpec(mode="sentences", sentences="a b c d\ne\nf g a", tokens="word",
                   encoding="embedding", embedding_dim=3, packed=True, h0="randn")
PADDED = InputSpec(mode="randn", seq_len=3, batch=2, h0="randn", seed=4)
FIXED = [
    RNNConfig("LSTM", 3, 4),
    RNNConfig("LSTM", 3, 5, 2, batch_first=True, bidirectional=True, proj_size=2),
    RNNConfig("LSTM", 3, 3, bias=False, bidirectional=True),
    RNNConfig("GRU", 3, 4, 2, bidirectional=True),
    RNNConfig("GRU", 3, 2, bias=False),
    RNNConfig("RNN", 3, 4, 2, bidirectional=True, nonlinearity="relu"),
    RNNConfig("RNN", 3, 3, batch_first=True),
]


def random_config(seed: int) -> RNNConfig:
    rng = random.Random(seed)
    cell = rng.choice(["LSTM", "GRU", "RNN"])
    hidden = rng.randint(2, 6)
    proj = rng.randint(0, hidden - 1) if cell == "LSTM" else 0
    return RNNConfig(cell, 3, hidden, rng.randint(1, 3), bias=rng.random() < 0.8,
                     batch_first=rng.random() < 0.5, bidirectional=rng.random() < 0.6,
                     proj_size=proj, nonlinearity=rng.choice(["tanh", "relu"]))


CASES = [(c, s) for c in FIXED for s in (PACKED, PADDED)]
CASES += [(random_config(k), PACKED if k % 2 else PADDED) for k in range(8)]


def _run(config: RNNConfig, spec: InputSpec):
    module = build_module(config, seed=3).module
    batch = make_batch(spec, config)
    return module, trace(module, batch.input, batch.hx)


def _every_step(tr):
    cfg = tr.config
    for k in range(cfg.num_layers):
        for d in range(cfg.D):
            for n in range(tr.N):
                for t in range(int(tr.lengths[n])):
                    yield k, d, n, t


@pytest.mark.parametrize(("config", "spec"), CASES, ids=[f"{c.cell}-{i}" for i, (c, _) in
                                                         enumerate(CASES)])
def test_worked_numbers_re_add_to_the_trace(config, spec):
    module, tr = _run(config, spec)
    assert tr.verified
    for k, d, n, t in _every_step(tr):
        params, vals = layer_params(module, k, d), tr.step_values(k, d)
        prev = tr.previous_state(k, d, n, t)
        for j in range(config.hidden_size):
            step = worked_step(params, tr, k, d, n, t, j)
            for g, gate in step.gates.items():
                reset = 1.0 if gate.reset is None else gate.reset
                assert gate.pre == pytest.approx(gate.x_dot + gate.b_i + reset * (gate.h_dot
                                                                                   + gate.b_h))
                assert abs(gate.value - float(vals[g][n, t, j])) < 1e-5, (g, k, d, n, t, j)
            assert np.array_equal(step.h_prev, prev["h"].numpy())
            assert np.array_equal(step.x, tr.layer_inputs[k][n, t].numpy())
            if config.cell == "LSTM":
                assert step.c_prev == float(prev["c"][j])
                assert abs(step.c - float(vals["c"][n, t, j])) < 1e-5
            assert abs(step.h - float(vals["h"][n, t, step.out_unit])) < 1e-5


def test_projection_every_output_unit():
    config = RNNConfig("LSTM", 3, 5, 2, bidirectional=True, proj_size=3)
    module, tr = _run(config, PACKED)
    params = layer_params(module, 1, 1)
    for j_out in range(3):
        step = worked_step(params, tr, 1, 1, 0, 2, 4, out_unit=j_out)
        assert abs(step.h - float(tr.step_values(1, 1)["h"][0, 2, j_out])) < 1e-5
        assert step.h == pytest.approx(float(np.dot(step.proj_row, step.m)))
        cols = projection_columns(step)
        assert list(cols) == ["m_t", f"W_hr[{j_out}]"] and len(cols["m_t"]) == 5


@pytest.mark.parametrize("config", FIXED, ids=[c.cell for c in FIXED])
def test_layer_params_split_pytorchs_parameters_in_gate_order(config):
    module = build_module(config, seed=1).module
    gates = config.gates or ("h",)
    for k in range(config.num_layers):
        for d in range(config.D):
            p, sfx = layer_params(module, k, d), f"_l{k}{'_reverse' if d else ''}"
            for part, sym in (("weight_ih", "W_i"), ("weight_hh", "W_h"), ("bias_ih", "b_i"),
                              ("bias_hh", "b_h")):
                if part.startswith("bias") and not config.bias:
                    assert not any(key.startswith(sym) for key in p)
                    continue
                joined = torch.cat([p[f"{sym}{g}"] for g in gates])
                assert torch.equal(joined, getattr(module, part + sfx).detach())
            if config.cell == "LSTM":  # GRU's W_hr is its reset gate's hidden weight
                assert ("W_hr" in p) == bool(config.proj_size)
    with pytest.raises(IndexError):
        layer_params(module, config.num_layers, 0)


def test_weight_columns_reproduce_the_dot_products():
    config = RNNConfig("GRU", 3, 4, 2, bidirectional=True)
    module, tr = _run(config, PACKED)
    params = layer_params(module, 1, 1)
    step = worked_step(params, tr, 1, 1, 0, 1, 2)
    x_cols, h_cols = weight_columns(params, step, "i"), weight_columns(params, step, "h")
    assert list(x_cols)[:1] == ["x_t"] and list(h_cols)[:1] == ["h[t+1]"]
    for g, gate in step.gates.items():
        assert np.dot(x_cols["x_t"], x_cols[f"W_i{g}[2]"]) == pytest.approx(gate.x_dot)
        assert np.dot(h_cols["h[t+1]"], h_cols[f"W_h{g}[2]"]) == pytest.approx(gate.h_dot)
    assert len(x_cols["x_t"]) == 2 * 4  # layer 1 reads both directions of layer 0


def test_previous_step_forward_backward_and_initial():
    module, tr = _run(RNNConfig("LSTM", 3, 2, bidirectional=True), PACKED)
    last = int(tr.lengths[0]) - 1
    fwd, bwd = layer_params(module, 0, 0), layer_params(module, 0, 1)
    assert worked_step(fwd, tr, 0, 0, 0, 0, 0).prev_t is None
    assert worked_step(fwd, tr, 0, 0, 0, 2, 0).prev_t == 1
    assert worked_step(bwd, tr, 0, 1, 0, 1, 0).prev_t == 2
    step = worked_step(bwd, tr, 0, 1, 0, last, 1)
    assert step.prev_t is None
    assert np.array_equal(step.h_prev, tr.initial[(0, 1)]["h"][0].numpy())
    for bad in ((0, 0, 1, 1, 0), (0, 0, 0, last + 1, 0), (0, 0, 0, 0, 2), (0, 2, 0, 0, 0)):
        with pytest.raises(IndexError):
            worked_step(fwd, tr, *bad)


def test_latex_holds_every_value_and_no_bias_terms_without_bias():
    module, tr = _run(RNNConfig("LSTM", 3, 3, bias=False, bidirectional=True), PACKED)
    step = worked_step(layer_params(module, 0, 1), tr, 0, 1, 0, 1, 2)
    text = "\n".join(step_tex(step))
    for gate in step.gates.values():
        f = r"\tanh" if gate.name == "g" else r"\sigma"
        assert f"{f}({num(gate.pre)}) = {num(gate.value)}" in text
    assert f"= {num(step.c)}" in text and f"= {num(step.h)}" in text
    assert "b_{" not in text and "h_{t+1}" in text and "h_{t-1}" not in text
    assert len(step_tex(step)) == 6  # i, f, g, o, c, h


@pytest.mark.parametrize(("config", "lines"), [
    (RNNConfig("GRU", 3, 2), 4), (RNNConfig("RNN", 3, 2, nonlinearity="relu"), 1),
    (RNNConfig("LSTM", 3, 4, proj_size=2), 7)])
def test_latex_line_count_per_cell(config, lines):
    module, tr = _run(config, PADDED)
    step = worked_step(layer_params(module, 0, 0), tr, 0, 0, 1, 2, 1)
    tex = step_tex(step)
    assert len(tex) == lines
    assert num(step.h) in tex[-1]
    if config.cell == "RNN":
        assert r"\operatorname{relu}" in tex[0]
    if config.cell == "GRU":
        assert r"r_t[1]\,\big(" in tex[2]


def test_num_formats_four_significant_digits():
    assert num(0.42483) == "0.4248"
    assert num(-1.5) == "-1.5"
    assert num(0.0) == "0"
    assert num(3.14159e-5) == r"3.142\times10^{-5}"
    assert num(math.nan) == r"\text{nan}"


def test_clamp_selection():
    lengths = [3, 1, 2]
    assert clamp_selection(None, 2, 1, lengths) == {"layer": 0, "direction": 0, "sentence": 0,
                                                   "t": 0}
    wild = {"layer": 5, "direction": 1, "sentence": 1, "t": 2}
    assert clamp_selection(wild, 1, 1, lengths) == {"layer": 0, "direction": 0, "sentence": 1,
                                                    "t": 0}
    junk = {"layer": "x", "direction": True, "sentence": -4, "t": float("nan")}
    assert clamp_selection(junk, 3, 2, lengths) == {"layer": 0, "direction": 0, "sentence": 0,
                                                    "t": 0}
    assert clamp_selection({"layer": 2, "t": 9}, 3, 2, lengths)["t"] == 2
