"""Property tests of ``lstm_viz.core.trace`` against the module itself and tests/reference.py.

Contract under test (shapes in PyTorch's letters L, N, H_in, H_cell, H_out, D, num_layers)::

    tr = trace(module, input, hx)      # exactly what module(input, hx) accepts

* ``tr.output``, ``tr.h_n``, ``tr.c_n`` are what ``module(input, hx)`` returns: output
  (L, N, D*H_out) / (N, L, D*H_out) per batch_first, or a PackedSequence for packed input;
  h_n (num_layers*D, N, H_out); c_n (num_layers*D, N, H_cell) for LSTM, None otherwise.
* ``tr.step_values(layer, direction)`` -> {name: (N, L, size)} float32 on the CPU,
  batch-major, caller's batch order, t = token position for both directions; names
  i f g o c h (LSTM), r z n h (GRU), h (RNN); "h" is H_out wide, the rest H_cell wide;
  NaN at t >= length for packed input (L is then the longest length).
* ``tr.max_abs_diff`` has keys "output", "h_n" (+ "c_n" for LSTM); ``tr.verified`` means
  all of them are <= 1e-5.
* The module's ``training`` flag and its parameters' ``requires_grad`` are left as found.

Assumption (documented here because the contract leaves it implicit): the trace is an
*eval-mode* trace.  A module in train mode with ``dropout > 0`` and ``num_layers > 1`` would
drop random units between layers on every call, so there is no single "what module(input, hx)
returns" to explain.  The trace therefore evaluates with dropout off, and every expectation
below is computed from the module in eval mode (then put back in the mode it had).
"""

from __future__ import annotations

import inspect

import pytest
import torch
from hypothesis import HealthCheck, given, seed, settings

from tests.reference import VALUE_NAMES, cell_kind, reference_run
from tests.trace_cases import (
    HYPOTHESIS_SEED,
    PROPERTY_SETTINGS,
    TOL,
    Case,
    _dims,
    build,
    cases,
    trace,
)
from tests.trace_checks import (
    _tensors_of,
    _where,
    assert_same_output,
    assert_same_state,
    check_trace,
    eval_mode_call,
    module_left_alone,
)

# torch warns (once) that oneDNN lacks LSTM projections; irrelevant to these properties.
pytestmark = pytest.mark.filterwarnings("ignore:LSTM with projections is not supported")


def test_trace_is_exported_from_package():
    """``from lstm_viz import trace`` gives the function, not the submodule."""
    from lstm_viz import trace as exported

    assert callable(exported) and not inspect.ismodule(exported), (
        "lstm_viz.core.trace is the submodule; lstm_viz/__init__.py should export the function"
    )


@seed(HYPOTHESIS_SEED)
@PROPERTY_SETTINGS
@given(case=cases())
def test_trace_properties(case: Case):
    """(a)-(e) for random LSTM/GRU/RNN configs, padded or packed, hx given or not."""
    b = build(case)
    with module_left_alone(b.module, *_tensors_of(b)):
        tr = trace(b.module, b.input, b.hx)
    check_trace(case, b, tr)


@seed(HYPOTHESIS_SEED + 1)
@PROPERTY_SETTINGS
@given(case=cases(dropout=True))
def test_trace_of_training_module_with_dropout_is_eval_mode(case: Case):
    """(e) A module in train mode with dropout>0, num_layers>1: the trace is the eval-mode run.

    The module stays in train mode afterwards, and two traces agree exactly (no dropout noise).
    """
    b = build(case)
    assert b.module.training and b.module.dropout > 0
    with module_left_alone(b.module, *_tensors_of(b)):
        tr = trace(b.module, b.input, b.hx)
        tr2 = trace(b.module, b.input, b.hx)
    check_trace(case, b, tr)
    assert_same_output(tr2.output, tr.output)
    for layer in range(b.module.num_layers):
        for d in range(2 if b.module.bidirectional else 1):
            for name, v in tr.step_values(layer, d).items():
                assert torch.equal(
                    torch.nan_to_num(v), torch.nan_to_num(tr2.step_values(layer, d)[name])
                ), _where(repr(case), layer, d, name)


@seed(HYPOTHESIS_SEED + 2)
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases(unbatched=True))
def test_trace_unbatched_input(case: Case):
    """2-D input (L, H_in) with hx (num_layers*D, H_out): output/h_n/c_n as the module's.

    The contract does not fix the step-value layout for unbatched input; (1, L, size) and
    (L, size) are both accepted.  If the engine refuses unbatched input this is an xfail.
    """
    b = build(case)
    module = b.module
    x = b.x_bm[0]  # (L, H_in); batch_first is ignored for unbatched input
    hx = None
    if case.with_hx:
        hx = (b.h0[:, 0], b.c0[:, 0]) if case.cell == "LSTM" else b.h0[:, 0]
    hx_tensors = [] if hx is None else list(hx) if isinstance(hx, tuple) else [hx]
    with module_left_alone(module, x, *hx_tensors):
        try:
            tr = trace(module, x, hx)
        except Exception as err:  # the brief allows the engine to refuse unbatched input
            pytest.xfail(f"trace() raised for unbatched input: {type(err).__name__}: {err}")
    out, h_n, c_n = eval_mode_call(module, x, hx)
    assert_same_output(tr.output, out)
    assert_same_state(tr.h_n, h_n, "h_n")
    assert_same_state(tr.c_n, c_n, "c_n")

    ref = reference_run(module, b.x_bm, None, b.h0, b.c0)
    num_dir, _, h_out = _dims(module)
    for layer in range(module.num_layers):
        for d in range(num_dir):
            sv = tr.step_values(layer, d)
            assert set(sv) == set(VALUE_NAMES[cell_kind(module)])
            for name, want in ref["values"][(layer, d)].items():
                got = sv[name]
                where = _where(repr(case), layer, d, name)
                assert got.dtype == torch.float32 and got.device.type == "cpu", where
                if got.dim() == 2:
                    got = got[None]
                assert got.shape == want.shape, f"{where}: {tuple(got.shape)} vs {want.shape}"
                torch.testing.assert_close(got.double(), want, atol=TOL, rtol=1e-6)
            if layer == module.num_layers - 1:
                torch.testing.assert_close(
                    sv["h"].reshape(case.seq_len, h_out),
                    out[:, d * h_out : (d + 1) * h_out].float(),
                    atol=TOL,
                    rtol=1e-6,
                )
    assert tr.verified, f"{case!r}: max_abs_diff={tr.max_abs_diff}"
