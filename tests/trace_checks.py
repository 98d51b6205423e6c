"""The checks of the trace tests: ``check_trace`` holds a trace to the whole contract of
``lstm_viz.trace`` (written out in test_trace_properties.py), against the module itself and
tests/reference.py; and the module is left as it was found.
"""

from __future__ import annotations

import contextlib
import math

import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pad_packed_sequence

from tests.reference import VALUE_NAMES, cell_kind, reference_run
from tests.trace_cases import TOL, Built, Case, _dims

torch.set_num_threads(1)


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def eval_mode_call(module: nn.Module, inp, hx):
    """``module(inp, hx)`` in eval mode under no_grad; the module's mode is restored."""
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad():
            out, state = module(inp, hx)
    finally:
        module.train(was_training)
    h_n, c_n = state if isinstance(state, tuple) else (state, None)
    return out, h_n, c_n


@contextlib.contextmanager
def module_left_alone(module: nn.Module, *tensors: torch.Tensor):
    """Property (e): mode, requires_grad flags, parameter values, grad mode, inputs unchanged."""
    training = module.training
    flags = {name: p.requires_grad for name, p in module.named_parameters()}
    values = {name: p.detach().clone() for name, p in module.named_parameters()}
    grad_enabled = torch.is_grad_enabled()
    inputs = [t.detach().clone() for t in tensors]
    yield
    assert module.training == training, "trace changed module.training"
    assert {n: p.requires_grad for n, p in module.named_parameters()} == flags, (
        "trace changed requires_grad"
    )
    for name, p in module.named_parameters():
        assert torch.equal(p.detach(), values[name]), f"trace changed parameter {name}"
    assert torch.is_grad_enabled() == grad_enabled, "trace changed the global grad mode"
    for before, after in zip(inputs, tensors, strict=True):
        assert torch.equal(before, after.detach()), "trace modified its input in place"


def _tensors_of(b: Built) -> list[torch.Tensor]:
    ts = [b.input.data if isinstance(b.input, PackedSequence) else b.input]
    return [*ts, b.x_bm] + [t for t in (b.h0, b.c0) if t is not None]


def assert_same_output(got, expected) -> None:
    """Property (a) for ``output``: bit-identical, PackedSequence kept as one."""
    if isinstance(expected, PackedSequence):
        assert isinstance(got, PackedSequence), f"expected a PackedSequence, got {type(got)}"
        assert torch.equal(got.data, expected.data), "packed output data differs"
        assert torch.equal(got.batch_sizes, expected.batch_sizes)
        for name in ("sorted_indices", "unsorted_indices"):
            g, e = getattr(got, name), getattr(expected, name)
            assert (g is None) == (e is None), f"{name}: got {g}, expected {e}"
            if e is not None:
                assert torch.equal(g, e), f"{name}: got {g}, expected {e}"
    else:
        assert isinstance(got, torch.Tensor) and not isinstance(got, PackedSequence)
        assert got.shape == expected.shape, f"output shape {got.shape} != {expected.shape}"
        assert got.device == expected.device
        assert torch.equal(got, expected), (
            f"output differs by {(got - expected).abs().max().item():.3g}"
        )


def assert_same_state(got, expected, name: str) -> None:
    if expected is None:
        assert got is None, f"{name} should be None for GRU/RNN, got {type(got)}"
        return
    assert isinstance(got, torch.Tensor), f"{name} is {type(got)}"
    assert got.shape == expected.shape, f"{name} shape {tuple(got.shape)} != {expected.shape}"
    assert torch.equal(got, expected), (
        f"{name} differs by {(got - expected).abs().max().item():.3g}"
    )


def _where(config: str, layer: int, direction: int, name: str) -> str:
    return f"{config}: layer={layer} direction={direction} value={name!r}"


def check_trace(case: Case, b: Built, tr, *, atol: float = TOL, expect_verified=True) -> None:
    """Properties (a)-(d) for one trace; see the module docstring."""
    module = b.module
    kind = cell_kind(module)
    num_dir, h_cell, h_out = _dims(module)
    n, length = case.batch, case.L_eff
    lengths = list(case.lengths)
    label = repr(case)

    # (a) what module(input, hx) returns, exactly (module in eval mode, see docstring).
    out, h_n, c_n = eval_mode_call(module, b.input, b.hx)
    assert_same_output(tr.output, out)
    assert_same_state(tr.h_n, h_n, "h_n")
    assert_same_state(tr.c_n, c_n, "c_n")

    # (b) every step value against the float64 reference.
    ref = reference_run(module, b.x_bm, lengths, b.h0, b.c0)
    if case.packed:
        out_bm = pad_packed_sequence(tr.output, batch_first=True)[0]  # (N, L_eff, D*H_out)
    else:
        out_bm = tr.output if module.batch_first else tr.output.transpose(0, 1)
    out_bm = out_bm.detach().float().cpu()
    valid = torch.arange(length)[None, :] < torch.tensor(lengths)[:, None]  # (N, L_eff)
    for layer in range(module.num_layers):
        for d in range(num_dir):
            sv = tr.step_values(layer, d)
            assert set(sv) == set(VALUE_NAMES[kind]), (
                f"{label}: keys {sorted(sv)} != {sorted(VALUE_NAMES[kind])}"
            )
            for name, want in ref["values"][(layer, d)].items():
                got = sv[name]
                where = _where(label, layer, d, name)
                size = h_out if name == "h" else h_cell
                assert isinstance(got, torch.Tensor), where
                assert got.dtype == torch.float32, f"{where}: dtype {got.dtype}"
                assert got.device.type == "cpu", f"{where}: device {got.device}"
                assert tuple(got.shape) == (n, length, size), (
                    f"{where}: shape {tuple(got.shape)} != {(n, length, size)}"
                )
                want = want[:, :length]
                nan_got, nan_want = torch.isnan(got), torch.isnan(want)
                assert torch.equal(nan_got, nan_want), (
                    f"{where}: NaN at {nan_got.nonzero().tolist()}, "
                    f"expected at {nan_want.nonzero().tolist()}"
                )
                torch.testing.assert_close(
                    got.double(),
                    want,
                    atol=atol,
                    rtol=1e-6,
                    equal_nan=True,
                    msg=lambda m, where=where: f"{where}: {m}",
                )
            # (d) last layer's "h" is the module's output (at real tokens).
            if layer == module.num_layers - 1:
                cols = slice(d * h_out, (d + 1) * h_out)
                torch.testing.assert_close(
                    sv["h"][valid],
                    out_bm[..., cols][valid],
                    atol=atol,
                    rtol=1e-6,
                    msg=lambda m, d=d: f"{label}: last-layer h vs output, direction {d}: {m}",
                )
            # (d') h_n / c_n are the "h" / "c" after the last processed step.
            row = layer * num_dir + d
            last_t = [ln - 1 if d == 0 else 0 for ln in lengths]
            for name, state in (("h", tr.h_n), ("c", tr.c_n)):
                if name not in sv:
                    continue
                final = torch.stack([sv[name][i, t] for i, t in enumerate(last_t)])
                torch.testing.assert_close(
                    final,
                    state[row].detach().float().cpu(),
                    atol=atol,
                    rtol=1e-6,
                    msg=lambda m, name=name, row=row: f"{label}: {name}_n[{row}]: {m}",
                )

    # (c) the engine's own verification.
    keys = {"output", "h_n"} | ({"c_n"} if kind == "LSTM" else set())
    assert set(tr.max_abs_diff) == keys, f"max_abs_diff keys {sorted(tr.max_abs_diff)}"
    for key, v in tr.max_abs_diff.items():
        assert isinstance(v, float), f"max_abs_diff[{key!r}] is {type(v)}"
        assert math.isfinite(v) and v >= 0.0, f"max_abs_diff[{key!r}] = {v}"
    assert tr.verified == all(v <= 1e-5 for v in tr.max_abs_diff.values())
    if expect_verified:
        assert tr.verified, f"{label}: not verified, max_abs_diff={tr.max_abs_diff}"
        for key, v in tr.max_abs_diff.items():
            assert v <= TOL, f"{label}: max_abs_diff[{key!r}] = {v}"
