"""``lstm_viz.connectivity`` and ``lstm_viz.gradient_flow`` against torch's own derivatives.

conn[n, t, s] = ‖∂ output[n, t, :] / ∂ x[n, s, :]‖_F is checked against
``torch.autograd.functional.jacobian`` of the real module and against central finite
differences, in float64, for random configurations (layers, bidirectional, batch_first,
proj_size, packed). gradient_flow[n, t] = ‖∂ h_T / ∂ h_t‖_F is checked against autograd
through the module run one step at a time, its states kept as graph nodes.
"""

from __future__ import annotations

import math
import os

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from lstm_viz import ConfigError, connectivity, gradient_flow, gradient_flows

torch.set_num_threads(1)
EXAMPLES = int(os.environ.get("LSTM_VIZ_CONNECTIVITY_EXAMPLES", 12))


def _module(cell, H_in=3, H=4, layers=1, bidirectional=False, batch_first=False, proj=0,
            seed=0):
    torch.manual_seed(seed)
    kwargs = {"proj_size": proj} if proj else {}
    return getattr(nn, cell)(H_in, H, layers, bidirectional=bidirectional,
                             batch_first=batch_first, **kwargs).double().eval()


def _x(module, N, L, seed=1):
    torch.manual_seed(seed)
    shape = (N, L, module.input_size) if module.batch_first else (L, N, module.input_size)
    return torch.randn(*shape, dtype=torch.float64)


def _batch_major(module, x):
    return x if module.batch_first else x.transpose(0, 1)


def _jacobian_norms(module, x, hx=None) -> torch.Tensor:
    """(N, L, L) from torch.autograd.functional.jacobian of output w.r.t. input."""
    J = torch.autograd.functional.jacobian(lambda v: _batch_major(module, module(v, hx)[0]), x)
    J = J if module.batch_first else J.transpose(3, 4)  # (N, L, W, N, L, H_in)
    N = J.shape[0]
    return torch.stack([J[n, :, :, n].square().sum((1, 3)).sqrt() for n in range(N)])


def _finite_differences(module, x, eps=1e-6) -> torch.Tensor:
    """(N, L, L) by central differences on every input number."""
    xb = _batch_major(module, x).clone()
    N, L, H_in = xb.shape

    def out(v):
        with torch.no_grad():
            return _batch_major(module, module(_batch_major(module, v))[0])

    J = torch.zeros(N, L, out(xb).shape[-1], L, H_in, dtype=torch.float64)
    for n in range(N):
        for s in range(L):
            for i in range(H_in):
                d = torch.zeros_like(xb)
                d[n, s, i] = eps
                J[n, :, :, s, i] = ((out(xb + d) - out(xb - d)) / (2 * eps))[n]
    return J.square().sum((2, 4)).sqrt()


CONFIGS = st.fixed_dictionaries({
    "cell": st.sampled_from(["LSTM", "GRU", "RNN"]), "layers": st.integers(1, 2),
    "bidirectional": st.booleans(), "batch_first": st.booleans(), "proj": st.integers(0, 2),
    "N": st.integers(1, 3), "L": st.integers(1, 5), "seed": st.integers(0, 1000)})


@settings(max_examples=EXAMPLES, deadline=None)
@given(CONFIGS)
def test_connectivity_equals_the_jacobian_of_the_real_module(c):
    m = _module(c["cell"], layers=c["layers"], bidirectional=c["bidirectional"],
                batch_first=c["batch_first"], proj=c["proj"] if c["cell"] == "LSTM" else 0,
                seed=c["seed"])
    x = _x(m, c["N"], c["L"], c["seed"])
    conn = connectivity(m, x)
    assert conn.dtype == torch.float32 and conn.device.type == "cpu"
    assert conn.shape == (c["N"], c["L"], c["L"])
    torch.testing.assert_close(conn.double(), _jacobian_norms(m, x), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("cell", ["LSTM", "GRU", "RNN"])
def test_connectivity_equals_finite_differences(cell):
    m = _module(cell, layers=2, bidirectional=True, proj=2 if cell == "LSTM" else 0)
    x = _x(m, 2, 4)
    torch.testing.assert_close(connectivity(m, x).double(), _finite_differences(m, x),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cell", ["LSTM", "GRU", "RNN"])
def test_a_forward_only_module_never_looks_ahead(cell):
    conn = connectivity(_module(cell, layers=2), torch.randn(6, 2, 3, dtype=torch.float64))
    ahead = torch.ones(6, 6, dtype=torch.bool).triu(1)  # s > t
    assert (conn[:, ahead] == 0).all()
    assert (conn[:, ~ahead] > 0).all()
    both = connectivity(_module(cell, bidirectional=True),
                        torch.randn(6, 2, 3, dtype=torch.float64))
    assert (both[:, ahead] > 0).all()  # the backward direction reads the later words


@pytest.mark.parametrize("bidirectional", [False, True])
def test_packed_sentences_match_each_sentence_alone_and_are_nan_beyond(bidirectional):
    m = _module("LSTM", layers=2, bidirectional=bidirectional, batch_first=True)
    x = _x(m, 3, 5)  # (N, L, H_in)
    lengths = torch.tensor([2, 5, 3])
    conn = connectivity(m, pack_padded_sequence(x, lengths, batch_first=True,
                                                enforce_sorted=False))
    for n, length in enumerate(lengths.tolist()):
        alone = connectivity(m, x[n: n + 1, :length])[0]
        torch.testing.assert_close(conn[n, :length, :length], alone)
        assert conn[n, length:].isnan().all() and conn[n, :, length:].isnan().all()


def test_initial_state_is_held_fixed_and_unbatched_input_is_one_sentence():
    m = _module("LSTM", H=4)
    x = _x(m, 1, 4)
    hx = (torch.randn(1, 1, 4, dtype=torch.float64), torch.randn(1, 1, 4, dtype=torch.float64))
    torch.testing.assert_close(connectivity(m, x, hx).double(), _jacobian_norms(m, x, hx),
                               rtol=1e-6, atol=1e-7)
    single = connectivity(m, x[:, 0], (hx[0][:, 0], hx[1][:, 0]))
    assert single.shape == (1, 4, 4)
    torch.testing.assert_close(single, connectivity(m, x, hx))


def test_the_module_is_left_as_found_and_small_passes_give_the_same_numbers():
    m = _module("GRU", layers=2).train()
    before = {k: v.clone() for k, v in m.state_dict().items()}
    x = _x(m, 2, 4)
    conn = connectivity(m, x)
    assert m.training and all(torch.equal(before[k], v) for k, v in m.state_dict().items())
    torch.testing.assert_close(connectivity(m, x, rows_per_pass=m.hidden_size), conn)
    torch.testing.assert_close(connectivity(m, x, rows_per_pass=1), conn)


@pytest.mark.parametrize("bad", [torch.randn(4, 2, 5), torch.randn(2, 3, 4, 3), "text"])
def test_bad_input_is_a_config_error(bad):
    with pytest.raises(ConfigError):
        connectivity(_module("LSTM").float(), bad)


def _flow_reference(m, x_one, length, which=0):
    """‖∂ h_T / ∂ h_t‖ (which=1: ‖∂ c_T / ∂ c_t‖) by autograd through the module run one
    step at a time."""
    hx, hs = None, []
    for t in range(length):
        _, hx = m(x_one[t: t + 1], hx)
        hs.append(hx[which] if isinstance(hx, tuple) else hx)
    rows = []
    for j in range(hs[-1].shape[-1]):
        grads = torch.autograd.grad(hs[-1][-1, 0, j], hs, retain_graph=True, allow_unused=True)
        rows.append(torch.stack([torch.zeros_like(hs[0][-1, 0]) if g is None else g[-1, 0]
                                 for g in grads]))
    return torch.stack(rows).square().sum((0, 2)).sqrt()  # (length,)


@pytest.mark.parametrize(("cell", "layers", "proj"), [("LSTM", 1, 0), ("LSTM", 2, 2),
                                                      ("GRU", 2, 0), ("RNN", 1, 0)])
def test_gradient_flow_equals_autograd_step_by_step(cell, layers, proj):
    m = _module(cell, layers=layers, proj=proj)
    x = _x(m, 2, 6)  # (L, N, H_in)
    lengths = torch.tensor([6, 4])
    flow = gradient_flow(m, pack_padded_sequence(x, lengths, enforce_sorted=False))
    for n, length in enumerate(lengths.tolist()):
        ref = _flow_reference(m, x[:length, n: n + 1], length)
        torch.testing.assert_close(flow[n, :length].double(), ref, rtol=1e-6, atol=1e-9)
        assert flow[n, length:].isnan().all()
        assert flow[n, length - 1] == pytest.approx(math.sqrt(proj or 4))


@pytest.mark.parametrize("layers", [1, 2])
def test_gradient_flow_along_the_cell_state(layers):
    m = _module("LSTM", layers=layers, proj=2 if layers == 2 else 0)
    x = _x(m, 1, 6)
    flow = gradient_flow(m, x, state="c")[0]
    torch.testing.assert_close(flow.double(), _flow_reference(m, x, 6, which=1), rtol=1e-6,
                               atol=1e-9)
    assert flow[-1] == pytest.approx(2.0)  # ‖I‖ of H_cell = 4
    with pytest.raises(ConfigError, match="state"):
        gradient_flow(_module("GRU"), x, state="c")


def test_gradient_flow_in_small_passes_gives_the_same_numbers(monkeypatch):
    m = _module("LSTM", layers=2)
    x = _x(m, 2, 5)
    whole, conn = gradient_flow(m, x), connectivity(m, x)
    monkeypatch.setattr("lstm_viz.core.connectivity.BUDGET", 1)  # one copy per pass
    torch.testing.assert_close(gradient_flow(m, x), whole)
    torch.testing.assert_close(connectivity(m, x), conn)


@pytest.mark.parametrize("budget", [None, 1])
def test_gradient_flows_of_h_and_c_from_one_run_are_each_flow(monkeypatch, budget):
    """The page asks for both of an LSTM's flows at once (one run of the steps): each must be
    what its own ``gradient_flow`` gives, packed sentences too, in one pass or one copy per
    pass (copies asking about h and about c never mix)."""
    m = _module("LSTM", layers=2, proj=2)
    x, lengths = _x(m, 2, 6), torch.tensor([6, 3])
    packed = pack_padded_sequence(x, lengths, enforce_sorted=False)
    alone = {s: gradient_flow(m, packed, state=s) for s in ("h", "c")}
    if budget:
        monkeypatch.setattr("lstm_viz.core.connectivity.BUDGET", budget)
    both = gradient_flows(m, packed, states=("h", "c"))
    assert set(both) == {"h", "c"} and not torch.equal(both["h"][0], both["c"][0])
    for s in ("h", "c"):
        torch.testing.assert_close(both[s], alone[s], equal_nan=True)


def test_gradient_flow_needs_one_direction():
    with pytest.raises(ConfigError, match="one direction"):
        gradient_flow(_module("GRU", bidirectional=True), torch.randn(3, 1, 3,
                                                                       dtype=torch.float64))
