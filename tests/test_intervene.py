"""``lstm_viz.intervene``: nothing forced is ``trace``; forced values obey the identities of
the documented equations (LSTM f = 1, i = 0 keeps c_0; f = 0 gives c = i ⊙ g; GRU z = 1
keeps h_0, z = 0 gives h = n); only the named units, steps, layers and directions move."""

from __future__ import annotations

import math
import os

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence

from lstm_viz import Clamp, ConfigError, intervene, trace

torch.set_num_threads(1)
EXAMPLES = int(os.environ.get("LSTM_VIZ_INTERVENE_EXAMPLES", 12))
TOL = 1e-5


def _module(cell, layers=2, bidirectional=False, batch_first=False, proj=0, seed=0):
    torch.manual_seed(seed)
    kwargs = {"proj_size": proj} if proj else {}
    return getattr(nn, cell)(3, 5, layers, bidirectional=bidirectional,
                             batch_first=batch_first, **kwargs).eval()


def _states(m, N, seed=2):
    torch.manual_seed(seed)
    rows, H_out = m.num_layers * (2 if m.bidirectional else 1), m.proj_size or m.hidden_size
    h0 = torch.randn(rows, N, H_out)
    return (h0, torch.randn(rows, N, m.hidden_size)) if isinstance(m, nn.LSTM) else h0


def _same_values(a, b, tol=TOL):
    for key, values in a.values.items():
        for name, v in values.items():
            torch.testing.assert_close(b.values[key][name], v, atol=tol, rtol=0,
                                       equal_nan=True, msg=f"{key} {name}")


CONFIGS = st.fixed_dictionaries({
    "cell": st.sampled_from(["LSTM", "GRU", "RNN"]), "layers": st.integers(1, 2),
    "bidirectional": st.booleans(), "batch_first": st.booleans(), "proj": st.integers(0, 2),
    "packed": st.booleans(), "seed": st.integers(0, 1000)})


@settings(max_examples=EXAMPLES, deadline=None)
@given(CONFIGS)
def test_nothing_forced_is_the_trace(c):
    m = _module(c["cell"], c["layers"], c["bidirectional"], c["batch_first"],
                c["proj"] if c["cell"] == "LSTM" else 0, c["seed"])
    torch.manual_seed(c["seed"])
    x = torch.randn(3, 6, 3) if c["batch_first"] else torch.randn(6, 3, 3)
    if c["packed"]:
        x = pack_padded_sequence(x, torch.tensor([4, 6, 2]), batch_first=c["batch_first"],
                                 enforce_sorted=False)
    hx = _states(m, 3)
    a, b = trace(m, x, hx), intervene(m, x, hx, clamp={})
    assert b.verified and b.max_abs_diff.keys() == a.max_abs_diff.keys()
    _same_values(a, b)
    for got, want in ((b.h_n, a.h_n), (b.c_n, a.c_n)):
        if want is not None:
            torch.testing.assert_close(got, want, atol=TOL, rtol=0)
    if c["packed"]:
        assert isinstance(b.output, PackedSequence)
        assert torch.equal(b.output.batch_sizes, a.output.batch_sizes)
        assert torch.equal(b.output.sorted_indices, a.output.sorted_indices)
        torch.testing.assert_close(b.output.data, a.output.data, atol=TOL, rtol=0)
    else:
        torch.testing.assert_close(b.output, a.output, atol=TOL, rtol=0)
    torch.testing.assert_close(b.lengths, a.lengths)


def test_unbatched_input_keeps_its_shapes():
    m = _module("LSTM", 1)
    x = torch.randn(4, 3)
    a, b = trace(m, x), intervene(m, x, clamp={})
    assert b.output.shape == a.output.shape == (4, 5) and b.h_n.shape == a.h_n.shape
    _same_values(a, b)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_lstm_forget_open_input_shut_keeps_c0(bidirectional):
    m = _module("LSTM", 2, bidirectional)
    x, hx = torch.randn(7, 2, 3), _states(m, 2)
    D = 2 if bidirectional else 1
    clamp = {(1, d, g): v for d in range(D) for g, v in (("f", 1.0), ("i", 0.0))}
    tr = intervene(m, x, hx, clamp=clamp)
    for d in range(D):
        c0 = hx[1][D + d]  # layer 1, direction d: (N, H_cell)
        assert torch.equal(tr.step_values(1, d)["c"], c0[:, None].expand(-1, 7, -1))
    assert not torch.equal(tr.step_values(0, 0)["c"][:, -1], hx[1][0])  # layer 0 untouched


def test_lstm_forget_shut_makes_c_the_new_input():
    m = _module("LSTM", 2, proj=2)
    tr = intervene(m, torch.randn(5, 3, 3), _states(m, 3), clamp={(0, 0, "f"): 0.0})
    v = tr.step_values(0, 0)
    assert (v["f"] == 0).all()
    torch.testing.assert_close(v["c"], v["i"] * v["g"], atol=1e-6, rtol=0)
    h = v["o"] * torch.tanh(v["c"]) @ m.weight_hr_l0.detach().T  # h_t follows the forced c
    torch.testing.assert_close(v["h"], h, atol=1e-6, rtol=0)


def test_gru_update_gate_identities():
    m = _module("GRU", 1)
    x, h0 = torch.randn(6, 2, 3), _states(m, 2)
    keep = intervene(m, x, h0, clamp={(0, 0, "z"): 1.0})
    torch.testing.assert_close(keep.step_values(0, 0)["h"], h0[0][:, None].expand(-1, 6, -1),
                               atol=1e-6, rtol=0)  # n + 1·(h - n): h up to rounding
    take = intervene(m, x, h0, clamp={(0, 0, "z"): 0.0}).step_values(0, 0)
    torch.testing.assert_close(take["h"], take["n"], atol=1e-6, rtol=0)


def test_units_and_from_t_limit_what_is_forced():
    m = _module("LSTM", 1)
    x, hx = torch.randn(6, 2, 3), _states(m, 2)
    plain = trace(m, x, hx).step_values(0, 0)
    v = intervene(m, x, hx, clamp={(0, 0, "f"): Clamp(0.0, units=(1, 3), from_t=2)}
                  ).step_values(0, 0)
    assert (v["f"][:, 2:, [1, 3]] == 0).all()
    for name in ("f", "c", "h"):
        torch.testing.assert_close(v[name][:, :2], plain[name][:, :2], atol=TOL, rtol=0)
    torch.testing.assert_close(v["f"][:, :, [0, 2, 4]][:, 2], plain["f"][:, 2][:, [0, 2, 4]],
                               atol=TOL, rtol=0)  # step 2 reads the same h_1: same gates
    assert not torch.allclose(v["c"][:, 2:], plain["c"][:, 2:])


def test_a_forced_state_reaches_the_layer_above_and_the_backward_direction_counts_back():
    m = _module("RNN", 2, bidirectional=True)
    x = torch.randn(5, 1, 3)
    tr = intervene(m, x, clamp={(0, 1, "h"): Clamp(0.5, from_t=2)})
    h_back = tr.step_values(0, 1)["h"][0]  # (L, H): token-aligned; read 4, 3, 2, 1, 0
    assert (h_back[:3] == 0.5).all() and not (h_back[3:] == 0.5).any()
    torch.testing.assert_close(tr.layer_inputs[1][0, :, 5:], h_back)
    assert not torch.allclose(tr.step_values(1, 0)["h"], trace(m, x).step_values(1, 0)["h"])


def test_the_module_is_not_changed():
    m = _module("GRU", 2).train()
    before = {k: v.clone() for k, v in m.state_dict().items()}
    intervene(m, torch.randn(4, 1, 3), clamp={(1, 0, "r"): 0.0})
    assert m.training and all(torch.equal(before[k], v) for k, v in m.state_dict().items())


@pytest.mark.parametrize("clamp", [
    {(0, 0, "z"): 0.0}, {(2, 0, "f"): 0.0}, {(0, 1, "f"): 0.0}, {(0, 0, "f"): math.nan},
    {(0, 0, "f"): True}, {(0, 0, "f"): "0"}, {(0, 0, "f"): Clamp(0.0, units=(5,))},
    {(0, 0, "f"): Clamp(0.0, units=())}, {(0, 0, "f"): Clamp(0.0, from_t=-1)},
    {(0, 0): 0.0}, {"f": 0.0}, [((0, 0, "f"), 0.0)], {(0.5, 0, "f"): 0.0},
])
def test_a_clamp_the_module_cannot_take_is_a_config_error(clamp):
    with pytest.raises(ConfigError):
        intervene(_module("LSTM", 2), torch.randn(3, 1, 3), clamp=clamp)
