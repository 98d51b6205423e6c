"""``shape_contract`` against the real tensors and ``module.named_parameters()``.

Names, shapes and order must match exactly; every symbolic dimension ("4*H_cell",
"num_layers*D", …) must evaluate to the number in the shape.
"""

from __future__ import annotations

import math

import pytest
import torch

from lstm_viz import InputSpec, RNNConfig
from lstm_viz.core.shapes import parameter_shapes, shape_contract, tensor_shapes

SIZES = [(1, 1), (3, 4), (2, 7)]  # (N, L)


def symbols(cfg: RNNConfig, N: int, L: int) -> dict[str, int]:
    return {"N": N, "L": L, "D": cfg.D, "H_in": cfg.input_size, "H_cell": cfg.hidden_size,
            "H_out": cfg.H_out, "num_layers": cfg.num_layers}


def evaluate(dim: str, values: dict[str, int]) -> int:
    """'4*H_cell' → 4 * values['H_cell']; only products of names and integers."""
    return math.prod(int(f) if f.isdigit() else values[f] for f in dim.split("*"))


def real_tensors(batch, out, h_n, c_n) -> dict[str, torch.Tensor]:
    tensors = {"input": batch.padded, "output": out, "h_n": h_n}
    if isinstance(batch.hx, tuple):
        tensors["h_0"], tensors["c_0"] = batch.hx
    else:
        tensors["h_0"] = batch.hx
    if c_n is not None:
        tensors["c_n"] = c_n
    return tensors


@pytest.mark.parametrize(("N", "L"), SIZES)
def test_contract_matches_real_tensors(config, N, L, build, forward):
    module, batch = build(config, InputSpec(mode="randn", seq_len=L, batch=N, h0="randn"))
    out, h_n, c_n = forward(module, batch)
    tensors = real_tensors(batch, out, h_n, c_n)
    entries = tensor_shapes(config, N, L)
    expected_names = ["input", "h_0", "c_0", "output", "h_n", "c_n"]
    if config.cell != "LSTM":
        expected_names = [n for n in expected_names if not n.startswith("c_")]
    assert [e.name for e in entries] == expected_names
    for e in entries:
        assert e.shape == tuple(tensors[e.name].shape), e.name
        assert len(e.dims) == len(e.shape)
        assert tuple(evaluate(d, symbols(config, N, L)) for d in e.dims) == e.shape, e.name
    kinds = {e.name: e.kind for e in entries}
    assert kinds["input"] == "input" and kinds["h_0"] == "state" and kinds["output"] == "output"


def test_parameters_match_named_parameters(config, build):
    module, _ = build(config, InputSpec(mode="randn", seq_len=2, batch=2))
    entries = parameter_shapes(config)
    got = [(e.name, e.shape) for e in entries]
    want = [(name, tuple(p.shape)) for name, p in module.named_parameters()]
    assert got == want
    values = symbols(config, 0, 0)
    for e in entries:
        assert e.kind == "parameter"
        assert tuple(evaluate(d, values) for d in e.dims) == e.shape, e.name


@pytest.mark.parametrize("cfg", [
    RNNConfig("LSTM", 7, 6, 4, bidirectional=True, proj_size=5, batch_first=True),
    RNNConfig("LSTM", 1, 2, 2, bias=False, proj_size=1),
    RNNConfig("GRU", 5, 1, 3, bidirectional=True, bias=False),
    RNNConfig("RNN", 1, 1, 1),
], ids=["lstm-big-proj", "lstm-tiny-proj-nobias", "gru-3l-bi-nobias", "rnn-1"])
def test_more_configs(cfg, build, forward):
    module, batch = build(cfg, InputSpec(mode="randn", seq_len=3, batch=2, h0="rand"))
    out, h_n, c_n = forward(module, batch)
    tensors = real_tensors(batch, out, h_n, c_n)
    contract = shape_contract(cfg, 2, 3)
    params = dict(module.named_parameters())
    assert [e.name for e in contract if e.kind == "parameter"] == list(params)
    for e in contract:
        real = tensors[e.name] if e.kind != "parameter" else params[e.name]
        assert e.shape == tuple(real.shape), e.name


@pytest.mark.parametrize("batch_first", [False, True])
def test_packed_output_unpacks_to_the_contract(batch_first, build, forward, as_tensor):
    cfg = RNNConfig("LSTM", 7, 3, 2, batch_first=batch_first, bidirectional=True)
    spec = InputSpec(sentences="i like dog\ni\nyou hate coffee milk", packed=True)
    module, batch = build(cfg, spec)
    out, h_n, c_n = forward(module, batch)
    contract = {e.name: e.shape for e in tensor_shapes(cfg, batch.N, batch.L)}
    assert contract["input"] == tuple(batch.padded.shape)
    assert contract["output"] == tuple(as_tensor(out, batch_first).shape)
    assert contract["h_n"] == tuple(h_n.shape)
    assert contract["c_n"] == tuple(c_n.shape)


def test_batch_first_swaps_only_input_and_output(config):
    other = config.replace(batch_first=not config.batch_first)
    a = {e.name: e for e in tensor_shapes(config, 3, 5)}
    b = {e.name: e for e in tensor_shapes(other, 3, 5)}
    for name in a:
        if name in ("input", "output"):
            assert a[name].shape == (b[name].shape[1], b[name].shape[0], b[name].shape[2])
        else:
            assert a[name].shape == b[name].shape


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("total", [None, 4, 6])
def test_total_length_sets_the_unpacked_output_length(batch_first, total, build, forward,
                                                      as_tensor):
    """For packed input the contract's output is pad_packed_sequence(output, total_length)."""
    cfg = RNNConfig("GRU", 7, 3, batch_first=batch_first, bidirectional=True)
    spec = InputSpec(sentences="i like dog\ni\nyou hate coffee milk", packed=True,
                     total_length=total or 0)
    module, batch = build(cfg, spec)
    out, _, _ = forward(module, batch)
    contract = {e.name: e for e in tensor_shapes(cfg, batch.N, batch.L, total)}
    assert contract["output"].shape == tuple(as_tensor(out, batch_first, total).shape)
    assert contract["input"].shape == tuple(batch.padded.shape)  # the input stays L long
