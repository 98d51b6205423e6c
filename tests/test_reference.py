"""Check the slow reference (tests/reference.py) against real PyTorch modules.

Every module here is float64 so that the comparison can be tight (1e-10): any mismatch is a bug
in the reference, not rounding.  Shapes use PyTorch's letters: L, N, H_in, H_cell, H_out, D,
num_layers.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

try:
    from tests.reference import VALUE_NAMES, cell_kind, reference_run
except ImportError:  # pytest's default "prepend" import mode puts tests/ itself on sys.path
    from reference import VALUE_NAMES, cell_kind, reference_run

torch.set_num_threads(1)

TOL = {"atol": 1e-10, "rtol": 1e-10}

# (id, constructor, kwargs).  Sizes kept small; each config is run padded and packed,
# with and without an initial state, batch_first True and False.
CONFIGS = [
    ("lstm", nn.LSTM, {"input_size": 3, "hidden_size": 4}),
    (
        "lstm-proj-bi-2l",
        nn.LSTM,
        {"input_size": 3, "hidden_size": 5, "proj_size": 2, "num_layers": 2, "bidirectional": True},
    ),
    (
        "lstm-proj-nobias",
        nn.LSTM,
        {"input_size": 2, "hidden_size": 3, "proj_size": 1, "bias": False},
    ),
    (
        "lstm-bi-3l",
        nn.LSTM,
        {"input_size": 4, "hidden_size": 3, "num_layers": 3, "bidirectional": True},
    ),
    ("gru", nn.GRU, {"input_size": 3, "hidden_size": 4}),
    (
        "gru-bi-2l",
        nn.GRU,
        {"input_size": 2, "hidden_size": 3, "num_layers": 2, "bidirectional": True},
    ),
    ("gru-nobias", nn.GRU, {"input_size": 3, "hidden_size": 2, "bias": False}),
    (
        "rnn-tanh-bi-2l",
        nn.RNN,
        {"input_size": 3, "hidden_size": 4, "num_layers": 2, "bidirectional": True},
    ),
    ("rnn-relu", nn.RNN, {"input_size": 3, "hidden_size": 4, "nonlinearity": "relu"}),
    (
        "rnn-relu-bi-2l-nobias",
        nn.RNN,
        {
            "input_size": 2,
            "hidden_size": 3,
            "num_layers": 2,
            "bidirectional": True,
            "nonlinearity": "relu",
            "bias": False,
        },
    ),
]


def _make(ctor, kwargs: dict, batch_first: bool, seed: int) -> nn.Module:
    torch.manual_seed(seed)
    m = ctor(batch_first=batch_first, **kwargs).double().eval()
    # Default init is small; scale weights up a little so that non-linearities are exercised.
    with torch.no_grad():
        for p in m.parameters():
            p.mul_(1.5)
    return m


def _sizes(m: nn.Module) -> tuple[int, int, int]:
    """(D, H_cell, H_out) of a module."""
    num_dir = 2 if m.bidirectional else 1
    proj = getattr(m, "proj_size", 0)
    return num_dir, m.hidden_size, (proj if proj > 0 else m.hidden_size)


def _initial_state(m: nn.Module, n_batch: int):
    """(h0 (num_layers*D, N, H_out), c0 (num_layers*D, N, H_cell) or None)."""
    num_dir, h_cell, h_out = _sizes(m)
    h0 = torch.randn(m.num_layers * num_dir, n_batch, h_out, dtype=torch.float64)
    c0 = None
    if isinstance(m, nn.LSTM):
        c0 = torch.randn(m.num_layers * num_dir, n_batch, h_cell, dtype=torch.float64)
    return h0, c0


def _hx(h0, c0):
    if h0 is None:
        return None
    return (h0, c0) if c0 is not None else h0


def _run_torch(m, x_bm, lengths, h0, c0, packed: bool, enforce_sorted: bool = False):
    """Run the real module on batch-major x (N, L, H_in); return batch-major output and states.

    Output is (N, L, D*H_out) with NaN at t >= length (packed case).
    """
    x_in = x_bm if m.batch_first else x_bm.transpose(0, 1)
    if packed:
        x_in = pack_padded_sequence(
            x_in, torch.tensor(lengths), batch_first=m.batch_first, enforce_sorted=enforce_sorted
        )
    with torch.no_grad():
        out, state = m(x_in, _hx(h0, c0))
    if packed:
        out, out_lens = pad_packed_sequence(
            out, batch_first=True, total_length=x_bm.shape[1], padding_value=float("nan")
        )
        assert out_lens.tolist() == list(lengths)
    elif not m.batch_first:
        out = out.transpose(0, 1)
    if isinstance(state, tuple):
        h_n, c_n = state
    else:
        h_n, c_n = state, None
    return out, h_n, c_n


@pytest.mark.parametrize("batch_first", [False, True], ids=["seq-first", "batch-first"])
@pytest.mark.parametrize("with_state", [False, True], ids=["zeros", "h0"])
@pytest.mark.parametrize("packed", [False, True], ids=["padded", "packed"])
@pytest.mark.parametrize(("ctor", "kwargs"), [c[1:] for c in CONFIGS], ids=[c[0] for c in CONFIGS])
def test_reference_matches_torch(ctor, kwargs, packed, with_state, batch_first):
    m = _make(ctor, kwargs, batch_first, seed=1234)
    n_batch, seq_len = 4, 5
    torch.manual_seed(99)
    x = torch.randn(n_batch, seq_len, m.input_size, dtype=torch.float64)
    lengths = [3, 5, 1, 4] if packed else [seq_len] * n_batch
    h0, c0 = _initial_state(m, n_batch) if with_state else (None, None)

    out, h_n, c_n = _run_torch(m, x, lengths, h0, c0, packed)
    ref = reference_run(m, x, lengths if packed else None, h0, c0)

    torch.testing.assert_close(ref["output"], out, equal_nan=True, **TOL)
    torch.testing.assert_close(ref["h_n"], h_n, **TOL)
    if isinstance(m, nn.LSTM):
        torch.testing.assert_close(ref["c_n"], c_n, **TOL)
    else:
        assert c_n is None and ref["c_n"] is None


@pytest.mark.parametrize(("ctor", "kwargs"), [c[1:] for c in CONFIGS], ids=[c[0] for c in CONFIGS])
def test_reference_packed_sorted(ctor, kwargs):
    """enforce_sorted=True (lengths descending) gives the same as the reference."""
    m = _make(ctor, kwargs, batch_first=True, seed=7)
    torch.manual_seed(3)
    x = torch.randn(3, 4, m.input_size, dtype=torch.float64)
    lengths = [4, 2, 1]
    h0, c0 = _initial_state(m, 3)
    out, h_n, c_n = _run_torch(m, x, lengths, h0, c0, packed=True, enforce_sorted=True)
    ref = reference_run(m, x, lengths, h0, c0)
    torch.testing.assert_close(ref["output"], out, equal_nan=True, **TOL)
    torch.testing.assert_close(ref["h_n"], h_n, **TOL)
    if c_n is not None:
        torch.testing.assert_close(ref["c_n"], c_n, **TOL)


@pytest.mark.parametrize(("ctor", "kwargs"), [c[1:] for c in CONFIGS], ids=[c[0] for c in CONFIGS])
def test_reference_value_shapes_and_nan_padding(ctor, kwargs):
    m = _make(ctor, kwargs, batch_first=False, seed=5)
    num_dir, h_cell, h_out = _sizes(m)
    lengths = [2, 5, 1]
    x = torch.randn(3, 5, m.input_size, dtype=torch.float64)
    ref = reference_run(m, x, lengths)
    names = VALUE_NAMES[cell_kind(m)]
    assert set(ref["values"]) == {(k, d) for k in range(m.num_layers) for d in range(num_dir)}
    for vals in ref["values"].values():
        assert tuple(vals) == names
        for name, v in vals.items():
            size = h_out if name == "h" else h_cell
            assert v.shape == (3, 5, size)
            assert v.dtype == torch.float64
            for n, ln in enumerate(lengths):
                assert torch.isfinite(v[n, :ln]).all()
                assert torch.isnan(v[n, ln:]).all()
    assert ref["output"].shape == (3, 5, num_dir * h_out)
    assert ref["h_n"].shape == (m.num_layers * num_dir, 3, h_out)


def test_reference_lstm_gates_obey_the_equations():
    """Spot-check internal consistency: c_t = f*c_{t-1} + i*g and h_t = o*tanh(c_t)."""
    m = _make(nn.LSTM, {"input_size": 3, "hidden_size": 4, "num_layers": 2}, False, seed=11)
    x = torch.randn(2, 4, 3, dtype=torch.float64)
    ref = reference_run(m, x)
    for layer in range(2):
        v = ref["values"][(layer, 0)]
        c_prev = torch.zeros(2, 4, dtype=torch.float64)
        for t in range(4):
            c = v["f"][:, t] * c_prev + v["i"][:, t] * v["g"][:, t]
            torch.testing.assert_close(v["c"][:, t], c, **TOL)
            torch.testing.assert_close(v["h"][:, t], v["o"][:, t] * torch.tanh(c), **TOL)
            c_prev = c
        for name in "ifo":
            assert ((v[name] > 0) & (v[name] < 1)).all()


def test_reference_backward_h_n_is_state_after_t0():
    """For the reverse direction h_n equals the value recorded at t = 0."""
    m = _make(nn.GRU, {"input_size": 2, "hidden_size": 3, "bidirectional": True}, True, seed=2)
    x = torch.randn(3, 4, 2, dtype=torch.float64)
    ref = reference_run(m, x, [4, 2, 3])
    torch.testing.assert_close(ref["h_n"][1], ref["values"][(0, 1)]["h"][:, 0], **TOL)
    last = torch.stack([ref["values"][(0, 0)]["h"][n, ln - 1] for n, ln in enumerate([4, 2, 3])])
    torch.testing.assert_close(ref["h_n"][0], last, **TOL)


def test_reference_rejects_bad_lengths():
    m = nn.RNN(2, 2)
    x = torch.zeros(2, 3, 2)
    for bad in ([0, 3], [4, 1], [1]):
        with pytest.raises(ValueError):
            reference_run(m, x, bad)
