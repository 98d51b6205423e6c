"""The module's layers run one at a time (``lstm_viz.core.layers``) are the module, bit for bit.

``trace`` recomputes the gates of every layer from the module's own per-layer states; the
layers below the last come from running them one at a time on the module's parameters. That
is only "the module's own" state if the composition computes exactly what the multi-layer
call computes inside: checked here with ``torch.equal`` on the CPU, for random LSTM / GRU /
RNN configurations (padded, packed, unbatched, projections, float64) and for the sizes of
``measure/bench.py``'s large case, where torch takes its oneDNN path.
"""

from __future__ import annotations

import pytest
import torch
from hypothesis import HealthCheck, given, seed, settings
from torch import nn
from torch.nn.utils.rnn import pad_packed_sequence

from lstm_viz import trace
from lstm_viz.core.build import config_of
from lstm_viz.core.layers import layer_outputs
from lstm_viz.core.trace_input import prepare
from tests.trace_cases import HYPOTHESIS_SEED, build, cases
from tests.trace_checks import eval_mode_call

torch.set_num_threads(1)
pytestmark = pytest.mark.filterwarnings("ignore:LSTM with projections is not supported")


def _batch_major(module, out, packed: bool, unbatched: bool = False) -> torch.Tensor:
    if packed:
        return pad_packed_sequence(out, batch_first=True)[0]
    if unbatched:
        return out[None]
    return out if module.batch_first else out.transpose(0, 1)


def _composed(module, input, hx) -> torch.Tensor:
    cfg = config_of(module)
    with torch.no_grad():
        inp = prepare(module, cfg, input, hx)
        return layer_outputs(module, cfg, input, inp, cfg.num_layers)[-1]


@seed(HYPOTHESIS_SEED + 10)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases())
def test_layers_one_at_a_time_are_the_module_bit_for_bit(case):
    b = build(case)
    out, _, _ = eval_mode_call(b.module, b.input, b.hx)
    assert torch.equal(_composed(b.module, b.input, b.hx),
                       _batch_major(b.module, out, case.packed))


@seed(HYPOTHESIS_SEED + 11)
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases(unbatched=True))
def test_unbatched_layers_are_the_module_bit_for_bit(case):
    b = build(case)
    x = b.x_bm[0]  # (L, H_in)
    hx = None
    if case.with_hx:
        hx = (b.h0[:, 0], b.c0[:, 0]) if case.cell == "LSTM" else b.h0[:, 0]
    out, _, _ = eval_mode_call(b.module, x, hx)
    assert torch.equal(_composed(b.module, x, hx), _batch_major(b.module, out, False, True))


@pytest.mark.parametrize("cell", ["LSTM", "GRU", "RNN"])
def test_bench_sized_layers_are_the_module_bit_for_bit(cell):
    """The large case of measure/bench.py (H_in = H_cell = 256, L = 64, N = 16, 2 layers,
    bidirectional): big enough for torch's oneDNN kernels."""
    torch.manual_seed(0)
    module = getattr(nn, cell)(256, 256, 2, bidirectional=True).eval()
    x, h0 = torch.randn(64, 16, 256), torch.randn(4, 16, 256)
    hx = (h0, torch.randn(4, 16, 256)) if cell == "LSTM" else h0
    out, _, _ = eval_mode_call(module, x, hx)
    assert torch.equal(_composed(module, x, hx), out.transpose(0, 1))


def test_trace_follows_weights_changed_in_place():
    """The per-module weights ``trace`` keeps are renewed when a parameter changes."""
    torch.manual_seed(0)
    module = nn.LSTM(3, 4, 2).eval()
    x = torch.randn(5, 2, 3)
    before = trace(module, x).step_values(1, 0)["i"].clone()
    with torch.no_grad():
        module.weight_ih_l1.add_(0.5)
    after = trace(module, x)
    assert after.verified, after.max_abs_diff
    assert not torch.allclose(before, after.step_values(1, 0)["i"])
