"""lstm_viz.explain.states_view against torch: where h_n comes from, output assembly, the views.

The reference is the real module: its own ``output`` and ``h_n`` (the last layer's
output at the source step must equal h_n's row exactly), and for lower layers a
one-layer module that shares layer k's weights.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from lstm_viz import InputSpec, RNNConfig, build_module, make_batch, trace
from lstm_viz.core.trace import TOLERANCE
from lstm_viz.explain import states_view as sv
from lstm_viz.explain.claims import batch_major_output, view_splits_directions

UNEQUAL = "1 2 3 4\n5\n6 7\n8 9 10"  # lengths 4, 1, 2, 3: unsorted, unequal
CASES = {
    "lstm-2l-bi-bf-packed": (RNNConfig("LSTM", 2, 3, 2, batch_first=True, bidirectional=True),
                             True),
    "lstm-2l-bi-packed": (RNNConfig("LSTM", 2, 3, 2, bidirectional=True), True),
    "lstm-proj-bi-packed": (RNNConfig("LSTM", 2, 4, 2, bidirectional=True, proj_size=2), True),
    "gru-3l-bi-packed": (RNNConfig("GRU", 2, 3, 3, bidirectional=True), True),
    "rnn-2l-bi-padded": (RNNConfig("RNN", 2, 3, 2, bidirectional=True), False),
}


def _spec(packed: bool) -> InputSpec:
    return InputSpec(sentences=UNEQUAL, tokens="ids", encoding="embedding", embedding_dim=2,
                     num_embeddings=12, packed=packed, h0="randn")


@pytest.fixture(scope="module", params=list(CASES), ids=list(CASES))
def case(request):
    cfg, packed = CASES[request.param]
    module = build_module(cfg, seed=3).module
    batch = make_batch(_spec(packed), cfg)
    return module, batch, trace(module, batch.input, batch.hx)


def _layer_module(module, cfg: RNNConfig, k: int):
    """A one-layer module with layer k's weights (the reference for lower layers)."""
    in_size = cfg.input_size if k == 0 else cfg.D * cfg.H_out
    one = type(module)(**{**_ctor(cfg), "input_size": in_size, "num_layers": 1})
    for name, p in one.named_parameters():
        p.data.copy_(getattr(module, name.replace("_l0", f"_l{k}")))
    return one.eval()


def _ctor(cfg: RNNConfig) -> dict:
    kw = {"hidden_size": cfg.hidden_size, "bias": cfg.bias,
          "batch_first": True, "bidirectional": cfg.bidirectional}
    if cfg.cell == "LSTM":
        kw["proj_size"] = cfg.proj_size
    if cfg.cell == "RNN":
        kw["nonlinearity"] = cfg.nonlinearity
    return kw


def test_sources_follow_the_rule(case):
    _, batch, tr = case
    for n in range(tr.N):
        read = int(tr.lengths[n])
        for s in sv.hn_sources(tr, n, batch.lengths):
            assert s.row == s.layer * tr.config.D + s.direction
            assert s.t == (read - 1 if s.direction == 0 else 0)
            assert s.real_length == int(batch.lengths[n])
            assert s.h_diff <= TOLERANCE
            assert s.c_diff is None or s.c_diff <= TOLERANCE
            assert s.reads_pad == (not tr.packed and s.direction == 0 and s.real_length < read)


def test_last_layer_source_equals_module_output_exactly(case):
    _, batch, tr = case
    cfg, out = tr.config, batch_major_output(tr)  # (N, L, D*H_out): the module's own
    h_n, H = tr.h_n.float(), cfg.H_out
    for n in range(tr.N):
        for s in sv.hn_sources(tr, n, batch.lengths)[-cfg.D:]:
            half = out[n, s.t, s.direction * H:(s.direction + 1) * H]
            assert torch.equal(half, h_n[s.row, n])


def test_every_layer_source_against_a_one_layer_module(case):
    module, batch, tr = case
    cfg = tr.config
    x = tr.layer_inputs[0]  # (N, L, H_in)
    with torch.no_grad():
        for k in range(cfg.num_layers):
            one = _layer_module(module, cfg, k)
            rows = slice(k * cfg.D, (k + 1) * cfg.D)
            hx = tuple(h[rows] for h in batch.hx) if cfg.cell == "LSTM" else batch.hx[rows]
            inp = (pack_padded_sequence(x, tr.lengths, batch_first=True, enforce_sorted=False)
                   if tr.packed else x)
            out, state = one(inp, hx)
            out = pad_packed_sequence(out, batch_first=True)[0] if tr.packed else out
            h_k = state[0] if cfg.cell == "LSTM" else state  # (D, N, H_out)
            for n in range(tr.N):
                for s in sv.hn_sources(tr, n, batch.lengths)[rows]:
                    H = cfg.H_out
                    step = out[n, s.t, s.direction * H:(s.direction + 1) * H]
                    assert torch.equal(step, h_k[s.direction, n])
                    assert torch.allclose(h_k[s.direction, n], tr.h_n[s.row, n], atol=1e-5)
            x = out  # (N, L, D*H_out): the next layer's input


def test_highlight_is_the_only_matching_step_for_unequal_lengths(case):
    _, batch, tr = case
    for n in range(tr.N):
        sources = sv.hn_sources(tr, n, batch.lengths)
        for s in sources:
            h = tr.step_values(s.layer, s.direction)["h"][n]  # (L, H_out)
            diffs = (h - tr.h_n[s.row, n]).abs().amax(-1)  # (L,), NaN past the length
            match = [t for t in range(int(tr.lengths[n])) if diffs[t] <= TOLERANCE]
            assert match == [s.t] or int(tr.lengths[n]) == 1
        assert sv.highlight_steps(sources) == {(s.layer, s.direction): s.t for s in sources}


def test_output_halves_and_zeros(case):
    _, _, tr = case
    out = batch_major_output(tr)
    for n in range(tr.N):
        fwd, bwd = sv.output_halves(tr, n)
        both = torch.cat([torch.from_numpy(fwd), torch.from_numpy(bwd)], -1)
        assert torch.equal(both, out[n])
        assert sv.padded_output_is_zero(tr, n) == (tr.packed or int(tr.lengths[n]) == tr.L)


def test_view_tables_against_torch_views(case):
    _, batch, tr = case
    cfg = tr.config
    raw = tr.output if not tr.packed else pad_packed_sequence(
        tr.output, batch_first=cfg.batch_first)[0]  # caller's layout
    for n in range(tr.N):
        code = sv.view_code(cfg, tr.N, tr.L, n)
        tables = sv.output_view_tables(tr, n, batch.tokens[n])
        for d, table in enumerate(tables):
            expected = eval(code["output"], {"output": raw, "d": d})  # (L, H_out)
            assert torch.allclose(torch.tensor(table.values, dtype=torch.float32),
                                  expected, atol=1e-4)
        view = sv.state_view_table(tr, n)
        for i, (k, d) in enumerate((k, d) for k in range(cfg.num_layers) for d in range(cfg.D)):
            expected = eval(code["state"], {"h_n": tr.h_n, "k": k, "d": d})
            assert torch.allclose(torch.tensor(view.values[i], dtype=torch.float32), expected,
                                  atol=1e-4)
        raw_state = sv.state_table(tr, n)
        assert raw_state.shape == (cfg.num_layers * cfg.D, cfg.H_out)
        assert sv.output_table(tr, n, batch.tokens[n]).shape == (tr.L, cfg.D * cfg.H_out)


def test_c_tables_use_h_cell():
    cfg = CASES["lstm-proj-bi-packed"][0]
    module = build_module(cfg, seed=3).module
    batch = make_batch(_spec(True), cfg)
    tr = trace(module, batch.input, batch.hx)
    table = sv.state_view_table(tr, 1, "c")
    assert table.shape == (cfg.num_layers * cfg.D, cfg.hidden_size)
    code = sv.view_code(cfg, tr.N, tr.L, 1, "c")["state"]
    expected = eval(code, {"c_n": tr.c_n, "k": 1, "d": 1})
    assert torch.allclose(torch.tensor(table.values[3], dtype=torch.float32), expected, atol=1e-4)


@pytest.mark.parametrize("D,layers", [(1, 1), (1, 3), (2, 1), (2, 2), (2, 3)])
def test_wrong_view_rows_match_torch(D, layers):
    cfg = RNNConfig("RNN", 2, 3, layers, bidirectional=D == 2)
    h_n = torch.arange(layers * D * 1 * 3, dtype=torch.float32).view(layers * D, 1, 3)
    wrong = h_n.view(D, layers, 1, 3)
    right = h_n.view(layers, D, 1, 3)
    rows = sv.wrong_view_rows(cfg)
    assert len(rows) == D * layers
    for r in rows:
        a, b = r["claims"][1], r["claims"][0]
        k, d = r["holds"]
        assert torch.equal(wrong[a, b], right[k, d])
        assert r["right"] == torch.equal(wrong[a, b], right[b, a])
    assert any(not r["right"] for r in rows) == (D == 2 and layers > 1)
    table = sv.wrong_view_table(cfg, {"index": "i", "claims": "c", "holds": "h", "right": "r"},
                                "{k}/{dir}", ("f", "b"))
    assert list(table.columns) == ["i", "c", "h", "r"] and len(table) == D * layers


def test_wrong_view_diff_matches_the_claim(case):
    _, _, tr = case
    claim = view_splits_directions(tr)
    mixed = any(not r["right"] for r in sv.wrong_view_rows(tr.config))
    assert (claim.numbers["wrong_view_diff"] > TOLERANCE) == mixed


def test_bad_sentence_index(case):
    _, _, tr = case
    with pytest.raises(IndexError):
        sv.hn_sources(tr, tr.N)


def test_sources_table_names_tokens_and_pads(case):
    _, batch, tr = case
    cols = {k: k for k in ("row", "layer", "direction", "t", "token", "diff")}
    n = 1  # the one-token sentence "5"
    table = sv.sources_table(sv.hn_sources(tr, n, batch.lengths), batch.tokens[n], cols,
                             ("fwd", "bwd"), pad="<pad>")
    assert len(table) == tr.config.num_layers * tr.config.D
    forward = table[table["direction"] == "fwd"]["token"].tolist()
    assert set(forward) == ({"5"} if tr.packed else {"<pad>"})


def test_one_direction_has_no_backward_half():
    cfg = RNNConfig("LSTM", 2, 3)
    module = build_module(cfg, seed=0).module
    batch = make_batch(_spec(True), cfg)
    tr = trace(module, batch.input, batch.hx)
    fwd, bwd = sv.output_halves(tr, 0)
    assert bwd is None and fwd.shape == (tr.L, 3)
    assert isinstance(module, nn.LSTM)
