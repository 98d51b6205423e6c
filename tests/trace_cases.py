"""The random cases of the trace tests (test_trace_properties.py, test_trace_verified.py): a
hypothesis strategy of modules and inputs, and how each case is built. The checks are in
tests/trace_checks.py; the contract is written out in test_trace_properties.py.
"""

from __future__ import annotations

import dataclasses
import inspect

import pytest
import torch
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence

import lstm_viz

torch.set_num_threads(1)

# ``from lstm_viz import trace`` is the contract; test_trace_is_exported_from_package checks
# that this is the function.  Fall back to the submodule's function so that the properties
# below still say something useful if only the export is missing.
trace = lstm_viz.core.trace
if inspect.ismodule(trace):  # pragma: no cover - only while lstm_viz/__init__ lacks the export
    trace = trace.trace

TOL = 1e-5
HYPOTHESIS_SEED = 20240531
PROPERTY_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


CUDA = torch.cuda.is_available()
needs_cuda = pytest.mark.skipif(not CUDA, reason="torch.cuda.is_available() is False")


# --------------------------------------------------------------------------------------------
# Random cases
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Case:
    """One drawn configuration: module kwargs, batch layout and input form."""

    cell: str  # "LSTM" | "GRU" | "RNN"
    kwargs: dict  # nn.<cell>(**kwargs)
    seq_len: int  # L
    batch: int  # N
    form: str  # "padded" | "packed" (enforce_sorted=False) | "packed_sorted"
    lengths: tuple[int, ...]  # N ints in 1..L (all L when padded)
    with_hx: bool
    training: bool  # module.train(training) before tracing
    freeze_mask: int  # bit i set -> parameter i gets requires_grad=False
    dtype: torch.dtype  # of module, input and hx
    seed: int

    @property
    def packed(self) -> bool:
        return self.form != "padded"

    @property
    def L_eff(self) -> int:
        """The L of the step values: longest length for packed input, L when padded."""
        return max(self.lengths) if self.packed else self.seq_len


@st.composite
def cases(draw, *, dropout: bool = False, unbatched: bool = False) -> Case:
    """Random small configurations.

    dropout=True: num_layers 2..3 and dropout in [0.2, 0.9], module in train mode.
    unbatched=True: N = 1 and padded input (the test feeds (L, H_in)).
    """
    cell = draw(st.sampled_from(["LSTM", "GRU", "RNN"]))
    hidden = draw(st.integers(1, 6))
    kwargs = {
        "input_size": draw(st.integers(1, 6)),
        "hidden_size": hidden,
        "num_layers": draw(st.integers(2, 3) if dropout else st.integers(1, 3)),
        "bidirectional": draw(st.booleans()),
        "batch_first": draw(st.booleans()),
        "bias": draw(st.booleans()),
    }
    if cell == "LSTM" and hidden > 1 and draw(st.booleans()):
        kwargs["proj_size"] = draw(st.integers(1, hidden - 1))
    if cell == "RNN":
        kwargs["nonlinearity"] = draw(st.sampled_from(["tanh", "relu"]))
    if dropout:
        kwargs["dropout"] = draw(st.sampled_from([0.2, 0.5, 0.9]))
    seq_len = draw(st.integers(1, 5))
    batch = 1 if unbatched else draw(st.integers(1, 4))
    form = "padded" if unbatched else draw(st.sampled_from(["padded", "packed", "packed_sorted"]))
    if form == "padded":
        lengths = [seq_len] * batch
    else:
        lengths = draw(st.lists(st.integers(1, seq_len), min_size=batch, max_size=batch))
        if form == "packed_sorted":
            lengths = sorted(lengths, reverse=True)
    return Case(
        cell=cell,
        kwargs=kwargs,
        seq_len=seq_len,
        batch=batch,
        form=form,
        lengths=tuple(lengths),
        with_hx=draw(st.booleans()),
        training=True if dropout else draw(st.booleans()),
        freeze_mask=draw(st.integers(0, 2**24 - 1)),
        dtype=draw(st.sampled_from([torch.float32, torch.float64])),
        seed=draw(st.integers(0, 2**31 - 1)),
    )


@dataclasses.dataclass
class Built:
    module: nn.Module
    x_bm: torch.Tensor  # (N, L, H_in) batch-major padded input
    input: torch.Tensor | PackedSequence  # what is passed to module / trace
    hx: torch.Tensor | tuple[torch.Tensor, torch.Tensor] | None
    h0: torch.Tensor | None  # (num_layers*D, N, H_out)
    c0: torch.Tensor | None  # (num_layers*D, N, H_cell)


def _dims(module: nn.Module) -> tuple[int, int, int]:
    """(D, H_cell, H_out)."""
    num_dir = 2 if module.bidirectional else 1
    proj = getattr(module, "proj_size", 0)
    return num_dir, module.hidden_size, (proj if proj > 0 else module.hidden_size)


def build(case: Case, device: str = "cpu") -> Built:
    """Module, input and hx for a case; everything seeded from ``case.seed``."""
    torch.manual_seed(case.seed)
    module = getattr(nn, case.cell)(**case.kwargs).to(device=device, dtype=case.dtype)
    module.train(case.training)
    for i, p in enumerate(module.parameters()):
        if case.freeze_mask >> i & 1:
            p.requires_grad_(False)
    num_dir, h_cell, h_out = _dims(module)
    n, length, rows = case.batch, case.seq_len, module.num_layers * num_dir
    like = {"device": device, "dtype": case.dtype}
    x_bm = torch.randn(n, length, module.input_size, **like)
    x_in = x_bm if module.batch_first else x_bm.transpose(0, 1)
    if case.packed:
        x_in = pack_padded_sequence(
            x_in,
            torch.tensor(case.lengths),
            batch_first=module.batch_first,
            enforce_sorted=case.form == "packed_sorted",
        )
    h0 = c0 = hx = None
    if case.with_hx:
        h0 = torch.randn(rows, n, h_out, **like)
        if case.cell == "LSTM":
            c0 = torch.randn(rows, n, h_cell, **like)
            hx = (h0, c0)
        else:
            hx = h0
    return Built(module, x_bm, x_in, hx, h0, c0)
