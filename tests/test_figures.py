"""Figure builders (lstm_viz.figures) tested as data, from real traces of real modules.

Every expectation comes from the trace, the module (h_n, c_n, output) or torch's packing,
never from hard-coded numbers: z arrays equal the values passed (NaN where packed pads
are), colour axes follow the kind of value, labels and escaped tokens land where passed.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest
import torch
from torch.nn.utils.rnn import pad_packed_sequence

import lstm_viz.figures as F
from lstm_viz import InputSpec, RNNConfig, build_module, make_batch, trace
from lstm_viz.core.packing import packing_layout
from lstm_viz.core.tokens import PAD
from lstm_viz.explain.claims import padding_changes_shorter

torch.set_num_threads(1)

ROOT = Path(__file__).resolve().parents[1]

HTML_TOKENS = "a <b>x</b> c &amp;\nd <script>\nf g h"  # lengths 4, 2, 3; V = 9
V = 9


def run(cfg: RNNConfig, spec: InputSpec):
    batch = make_batch(spec, cfg)
    module = build_module(cfg).module
    return module, batch, trace(module, batch.input, batch.hx)


def sentences(packed: bool, h0: str = "zeros") -> InputSpec:
    return InputSpec(mode="sentences", sentences=HTML_TOKENS, tokens="word", packed=packed,
                     h0=h0)


@pytest.fixture(scope="module")
def lstm_packed():
    return run(RNNConfig("LSTM", V, 5, 2, bidirectional=True), sentences(packed=True))


@pytest.fixture(scope="module")
def lstm_padded():
    return run(RNNConfig("LSTM", V, 5, 2, bidirectional=True), sentences(packed=False))


@pytest.fixture(scope="module", params=[
    RNNConfig("LSTM", V, 4, 1), RNNConfig("LSTM", V, 6, 1, proj_size=3),
    RNNConfig("GRU", V, 4, 2, bidirectional=True), RNNConfig("RNN", V, 4, 1),
    RNNConfig("RNN", V, 4, 1, nonlinearity="relu")], ids=lambda c: f"{c.cell}-{c.proj_size}")
def any_cell(request):
    return run(request.param, sentences(packed=True, h0="randn"))


LABELS = {"title": "⟦title⟧", "x_title": "⟦x⟧", "y_title": "⟦y⟧"}


def assert_z(trace_z, expected) -> None:
    np.testing.assert_array_equal(np.asarray(trace_z, dtype=np.float32),
                                  np.asarray(expected, dtype=np.float32))


def axis_of(fig: go.Figure, trace: go.BaseTraceType, letter: str):
    ref = getattr(trace, f"{letter}axis") or letter
    return fig.layout[ref.replace(letter, f"{letter}axis")]


def ticks(tokens, L):
    words = [*tokens, *[PAD] * (L - len(tokens))]
    return [f"{t}: {F.plain(w)}" for t, w in enumerate(words)]


# --- text ------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "shown"), [
    ("<script>", "&lt;script&gt;"), ("<b>x</b>", "&lt;b&gt;x&lt;/b&gt;"),
    ("&amp;", "&amp;amp;"), ("狗", "狗")])
def test_plain_escapes_what_plotly_would_interpret(raw, shown):
    assert F.plain(raw) == shown


# --- gate heatmaps ---------------------------------------------------------------------

def test_gate_heatmap_is_the_trace_with_pads_blank(lstm_packed):
    _, batch, tr = lstm_packed
    n = 1  # "d <script>": 2 of L = 4 steps, NaN after
    values = tr.step_values(0, 1)["i"][n].numpy()
    assert np.isnan(values[2:]).all() and not np.isnan(values[:2]).any()
    fig = F.gate_heatmap(values, batch.tokens[n], name="i_t", kind="sigmoid", selected_t=1,
                         **LABELS)
    assert_z(fig.data[0].z, values)
    assert (fig.layout.coloraxis.cmin, fig.layout.coloraxis.cmax) == (0, 1)
    assert fig.layout.title.text == LABELS["title"]
    assert fig.layout.xaxis.title.text == LABELS["x_title"]
    assert fig.layout.yaxis.title.text == LABELS["y_title"]
    assert list(fig.layout.yaxis.ticktext) == ticks(batch.tokens[n], tr.L)
    assert "&lt;script&gt;" in fig.layout.yaxis.ticktext[1]
    assert fig.layout.yaxis.autorange == "reversed"  # t = 0 at the top
    pad = fig.data[1]  # grey overlay exactly on the NaN rows, hover says pad
    np.testing.assert_array_equal(~np.isnan(np.asarray(pad.z)[:, 0]), np.isnan(values).all(1))
    assert F.plain(PAD) in pad.hovertemplate
    assert {s.y0 + 0.5 for s in fig.layout.shapes} == {1}


@pytest.mark.parametrize(("kind", "scale"), [("tanh", 1.0), ("unbounded", 3.0)])
def test_diverging_scales_are_symmetric_around_zero(lstm_padded, kind, scale):
    _, batch, tr = lstm_padded
    values = tr.step_values(0, 0)["g"][0].numpy() * scale  # x3: beyond ±1
    fig = F.gate_heatmap(values, batch.tokens[0], name="g", kind=kind, **LABELS)
    axis = fig.layout.coloraxis
    limit = max(1.0, float(np.abs(values).max())) if kind == "unbounded" else 1.0
    assert axis.cmin == -limit and axis.cmax == limit and axis.reversescale
    if kind == "unbounded":
        assert limit > 1.0


@pytest.mark.parametrize(("bad", "message"), [
    (np.zeros(3), r"expected \(L, units\), got \(3,\)"),
    (np.zeros((2, 3, 4)), r"got \(2, 3, 4\)"), (np.zeros((0, 3)), r"got \(0, 3\)")])
def test_gate_heatmap_rejects_bad_shapes(bad, message):
    with pytest.raises(ValueError, match=message):
        F.gate_heatmap(bad, ["a"], name="i", kind="sigmoid", **LABELS)


def test_gate_heatmap_rejects_bad_kind_step_and_tokens():
    z = np.zeros((2, 3), np.float32)
    with pytest.raises(ValueError, match="kind"):
        F.gate_heatmap(z, ["a"], name="i", kind="relu", **LABELS)
    with pytest.raises(ValueError, match="selected_t"):
        F.gate_heatmap(z, ["a"], name="i", kind="sigmoid", selected_t=2, **LABELS)
    with pytest.raises(ValueError, match="at most L=2 tokens, got 3"):
        F.gate_heatmap(z, ["a", "b", "c"], name="i", kind="sigmoid", **LABELS)


def test_value_kinds_bound_what_the_trace_produces(any_cell):
    _, _, tr = any_cell
    kinds = F.value_kinds(tr.config)
    for k in range(tr.config.num_layers):
        for d in range(tr.config.D):
            vals = tr.step_values(k, d)
            assert set(kinds) == set(vals)
            for name, v in vals.items():
                finite = v[~torch.isnan(v)]
                if kinds[name] == "sigmoid":
                    assert 0 <= finite.min() and finite.max() <= 1, name
                if kinds[name] == "tanh":
                    assert finite.abs().max() <= 1, name


def test_gates_grid_one_panel_per_value_with_its_own_scale(any_cell):
    _, batch, tr = any_cell
    cfg, n, layer, d = tr.config, 1, tr.config.num_layers - 1, tr.config.D - 1
    vals = F.sentence_steps(tr, layer, d, n)
    titles = {k: f"⟦{k}⟧" for k in vals}
    fig = F.gates_grid(vals, batch.tokens[n], kinds=F.value_kinds(cfg), titles=titles,
                       selected_t=0, **LABELS)
    panels = [t for t in fig.data if t.coloraxis]
    assert len(panels) == len(vals) and len({t.coloraxis for t in panels}) == len(vals)
    for trace_, (name, v) in zip(panels, vals.items(), strict=True):
        assert_z(trace_.z, v)
        axis = fig.layout[trace_.coloraxis]
        if F.value_kinds(cfg)[name] == "sigmoid":
            assert (axis.cmin, axis.cmax) == (0, 1)
        else:
            assert axis.cmin == -axis.cmax == -max(1.0, float(np.nanmax(np.abs(v))))
        boxes = [s for s in fig.layout.shapes if s.name == f"selected {name}"]
        assert boxes and boxes[0].xref == trace_.xaxis and boxes[0].yref == trace_.yaxis
        assert list(axis_of(fig, trace_, "y").ticktext) == ticks(batch.tokens[n], tr.L)
    assert [a.text for a in fig.layout.annotations] == list(titles.values())


def test_gates_grid_rejects_mismatched_steps():
    kinds, titles = {"i": "sigmoid", "h": "tanh"}, {"i": "i", "h": "h"}
    good, short = np.zeros((3, 2)), np.zeros((2, 2))
    with pytest.raises(ValueError, match=r"h: expected \(L=3, units\), got \(2, 2\)"):
        F.gates_grid({"i": good, "h": short}, ["a"], kinds=kinds, titles=titles, **LABELS)
    with pytest.raises(ValueError, match="'h'"):
        F.gates_grid({"i": good, "h": good}, ["a"], kinds={"i": "sigmoid"}, titles=titles,
                     **LABELS)


# --- unrolled overview and selection ---------------------------------------------------

def test_unrolled_grid_norms_and_one_marker_per_cell(lstm_packed):
    _, batch, tr = lstm_packed
    cfg, n = tr.config, 1
    norms = F.state_norms(tr, n)
    for k in range(cfg.num_layers):
        for d in range(cfg.D):
            h = tr.step_values(k, d)["h"][n]  # (L, H_out)
            np.testing.assert_allclose(norms[k, d], torch.linalg.vector_norm(h, dim=-1),
                                       rtol=1e-6)
    fig = F.unrolled_grid(norms, batch.tokens[n], num_layers=cfg.num_layers, D=cfg.D,
                          row_label="⟦layer {layer} {arrow}⟧", selected=(1, 1, 0), **LABELS)
    assert_z(fig.data[0].z, norms.reshape(cfg.num_layers * cfg.D, tr.L))
    scatter = fig.data[-1]
    custom = np.asarray(scatter.customdata)
    cells = [tuple(int(v) for v in row[:3]) for row in custom]
    expected = {(k, d, t) for k in range(cfg.num_layers) for d in range(cfg.D)
                for t in range(tr.L)}
    assert len(cells) == len(expected) and set(cells) == expected
    np.testing.assert_array_equal(scatter.x, custom[:, 2])
    np.testing.assert_array_equal(scatter.y, custom[:, 0] * cfg.D + custom[:, 1])
    assert_z(custom[:, 3], [norms[c] for c in cells])
    pad_hover = [h for h, c in zip(scatter.hovertext, cells, strict=True) if c[2] >= 2]
    assert pad_hover and all(F.plain(PAD) in h for h in pad_hover)
    assert list(fig.layout.yaxis.ticktext) == ["⟦layer 0 →⟧", "⟦layer 0 ←⟧", "⟦layer 1 →⟧",
                                               "⟦layer 1 ←⟧"]
    assert fig.layout.yaxis.range[0] < fig.layout.yaxis.range[1]  # layer 0 at the bottom
    assert list(fig.layout.xaxis.ticktext) == ticks(batch.tokens[n], tr.L)
    box = next(s for s in fig.layout.shapes if s.name == "selected")
    assert (box.x0 + box.x1) / 2 == 0 and (box.y0 + box.y1) / 2 == 1 * cfg.D + 1


def test_unrolled_grid_rejects_bad_shapes():
    with pytest.raises(ValueError, match=r"expected \(num_layers=2, D=2, L\), got \(2, 1, 3\)"):
        F.unrolled_grid(np.zeros((2, 1, 3)), ["a"], num_layers=2, D=2, **LABELS)
    with pytest.raises(ValueError, match=r"got \(3,\)"):
        F.unrolled_grid(np.zeros(3), ["a"], num_layers=1, D=1, **LABELS)
    with pytest.raises(ValueError, match="selected"):
        F.unrolled_grid(np.zeros((1, 1, 3)), ["a"], num_layers=1, D=1, selected=(0, 1, 0),
                        **LABELS)


def event(*points):
    return {"selection": {"points": list(points), "box": [], "lasso": [],
                          "point_indices": list(range(len(points)))}}


def test_selection_round_trips_every_marker(lstm_padded):
    _, batch, tr = lstm_padded
    cfg = tr.config
    fig = F.unrolled_grid(F.state_norms(tr, 0), batch.tokens[0], num_layers=cfg.num_layers,
                          D=cfg.D, **LABELS)
    rows = np.asarray(fig.data[-1].customdata).tolist()  # plain numbers, as the browser sends
    assert len(rows) == cfg.num_layers * cfg.D * tr.L
    shape = (cfg.num_layers, cfg.D, tr.L)
    for i, row in enumerate(rows):
        point = {"curve_number": 2, "point_number": i, "point_index": i, "customdata": row}
        assert F.selection_to_cell(event(point), shape) == tuple(int(v) for v in row[:3])


@pytest.mark.parametrize("bad", [
    None, "selection", {}, {"selection": None}, {"selection": {}}, event(),
    {"selection": {"points": "abc"}}, event({"x": 1}), event({"customdata": [1, 0]}),
    event({"customdata": "101"}), event({"customdata": ["1", "0", "2"]}),
    event({"customdata": [True, 0, 1]}), event({"customdata": [0, 0, 1.5]}),
    event({"customdata": [0, -1, 1]}), event({"customdata": [0, 0, float("nan")]}),
    event({"customdata": [0, 2, 0]}), event({"customdata": [0, 0, 99]}), event(7)])
def test_selection_to_cell_rejects_malformed(bad):
    assert F.selection_to_cell(bad, (2, 2, 4)) is None


def test_selection_to_cell_takes_first_usable_point():
    chosen = event({"customdata": None}, {"customdata": [1.0, 1, 3, 0.5]},
                   {"customdata": [0, 0, 0]})
    assert F.selection_to_cell(chosen) == (1, 1, 3)
    assert F.selection_to_cell(event({"customdata": [5, 0, 0]})) == (5, 0, 0)  # no bounds


# --- states, h_n highlight, output -----------------------------------------------------

@pytest.mark.parametrize("which", ["lstm_packed", "lstm_padded"])
@pytest.mark.parametrize("state", ["h", "c"])
def test_states_grid_highlights_the_step_that_became_the_final_state(request, which, state):
    _, batch, tr = request.getfixturevalue(which)
    cfg = tr.config
    final = tr.h_n if state == "h" else tr.c_n  # what the module returned
    for n in range(tr.N):  # lengths 4, 2, 3 when packed; all 4 when padded
        states = F.sentence_states(tr, n, state)
        steps = F.hn_source_steps(int(tr.lengths[n]), cfg.num_layers, cfg.D)
        fig = F.states_grid(states, batch.tokens[n], num_layers=cfg.num_layers, D=cfg.D,
                            highlight=steps, name=f"{state}_t", **LABELS)
        panels = [t for t in fig.data if t.coloraxis]
        limit = max(1.0, max(float(np.nanmax(np.abs(v))) for v in states.values()))
        assert fig.layout.coloraxis.cmax == -fig.layout.coloraxis.cmin == limit
        for trace_, ((k, d), v) in zip(panels, states.items(), strict=True):
            assert_z(trace_.z, v)
            t = steps[(k, d)]
            torch.testing.assert_close(torch.from_numpy(v[t]), final[k * cfg.D + d, n])
            box = next(s for s in fig.layout.shapes if s.name == f"h_n {k} {d}")
            assert (box.y0 + box.y1) / 2 == t
            assert (box.xref, box.yref) == (trace_.xaxis, trace_.yaxis)
    if which == "lstm_packed":
        assert steps[(0, 0)] == 2 and steps[(0, 1)] == 0  # last sentence, length 3


def test_states_grid_rejects_missing_panels_and_bad_highlight():
    z = np.zeros((3, 2))
    with pytest.raises(ValueError, match="expected keys"):
        F.states_grid({(0, 0): z}, ["a"], num_layers=1, D=2, **LABELS)
    with pytest.raises(ValueError, match=r"states\(0, 1\): expected \(L=3, H_out\)"):
        F.states_grid({(0, 0): z, (0, 1): z[:2]}, ["a"], num_layers=1, D=2, **LABELS)
    with pytest.raises(ValueError, match="highlight"):
        F.states_grid({(0, 0): z}, ["a"], num_layers=1, D=1, highlight={(0, 0): 3}, **LABELS)


def test_output_assembly_is_the_modules_output(lstm_packed):
    _, batch, tr = lstm_packed
    cfg, n, last = tr.config, 2, tr.config.num_layers - 1
    fwd, bwd = (tr.step_values(last, d)["h"][n].numpy() for d in range(2))
    fig = F.output_assembly(fwd, bwd, batch.tokens[n], forward_label="⟦fwd⟧",
                            backward_label="⟦bwd⟧", **LABELS)
    z = np.asarray(fig.data[0].z)
    assert_z(z, np.concatenate([fwd, bwd], axis=1))
    out, lengths = pad_packed_sequence(tr.output, batch_first=True)  # (N, L, D*H_out)
    length = int(lengths[n])
    torch.testing.assert_close(torch.from_numpy(z[:length]), out[n, :length])
    divider = next(s for s in fig.layout.shapes if s.name == "divider")
    assert divider.x0 == divider.x1 == cfg.H_out - 0.5
    assert [a.text for a in fig.layout.annotations] == ["⟦fwd⟧", "⟦bwd⟧"]
    one = F.output_assembly(fwd, None, batch.tokens[n], forward_label="f", backward_label="b",
                            **LABELS)
    assert_z(one.data[0].z, fwd)
    assert not one.layout.shapes
    with pytest.raises(ValueError, match=r"backward: expected \(4, 5\) like forward, got"):
        F.output_assembly(fwd, bwd[:, :2], batch.tokens[n], forward_label="f",
                          backward_label="b", **LABELS)


# --- packing ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def layout(lstm_padded):
    _, batch, _ = lstm_padded
    return batch, packing_layout(batch.padded, batch.lengths, batch.tokens, batch.batch_first)


def test_padded_grid_marks_pads(layout):
    batch, _ = layout
    fig = F.padded_grid(batch.tokens, batch.lengths, row_label="⟦n={n} {length}⟧", **LABELS)
    z, text = np.asarray(fig.data[0].z), fig.data[0].text
    N, L = batch.N, batch.L
    for n in range(N):
        length = int(batch.lengths[n])
        assert (z[n, :length] == n).all() and (z[n, length:] == N).all()
        assert list(text[n]) == [F.plain(w) for w in batch.tokens[n]] + [F.plain(PAD)] * (
            L - length)
    assert list(fig.layout.yaxis.ticktext) == [f"⟦n={n} {int(batch.lengths[n])}⟧"
                                               for n in range(N)]
    with pytest.raises(ValueError, match=r"lengths: expected \(N=3,\)"):
        F.padded_grid(batch.tokens, [1, 2], **LABELS)


def test_sorted_order_rows_follow_sorted_indices(layout):
    batch, lay = layout
    fig = F.sorted_order(lay, batch.tokens, **LABELS)
    z = np.asarray(fig.data[0].z)
    assert [int(row[0]) for row in z] == lay.sorted_indices
    lengths = [int((row != batch.N).sum()) for row in z]
    assert lengths == sorted(lengths, reverse=True)


def test_packed_strip_is_packed_data_in_order(layout):
    batch, lay = layout
    fig = F.packed_strip(lay, **{k: v for k, v in LABELS.items() if k != "y_title"})
    strip = fig.data[0]
    z, custom = np.asarray(strip.z), np.asarray(strip.customdata)
    assert z.shape == (1, sum(lay.lengths))
    x = batch.padded if batch.batch_first else batch.padded.transpose(0, 1)  # (N, L, H_in)
    for r, row in enumerate(lay.rows):
        assert z[0, r] == row.sentence and list(custom[0, r]) == [row.t, row.slot, row.sentence]
        assert strip.text[0][r] == F.plain(batch.tokens[row.sentence][row.t])
        torch.testing.assert_close(lay.data[r], x[row.sentence, row.t])  # torch's order
    edges = sorted(s.x0 + 0.5 for s in fig.layout.shapes)
    assert edges == np.cumsum(lay.batch_sizes)[:-1].tolist()
    sizes = [re.search(r"=(\d+)$", a.text).group(1) for a in fig.layout.annotations]
    assert sizes == [str(s) for s in lay.batch_sizes]


# --- bars ------------------------------------------------------------------------------

def test_diff_bars_from_the_padding_claim(lstm_padded):
    module, batch, _ = lstm_padded
    claim = padding_changes_shorter(module, batch.padded, batch.lengths, batch.hx,
                                    batch.batch_first)
    rows = claim.numbers["per_sentence"]
    fig = F.diff_bars(rows, differs_label="⟦d⟧", same_label="⟦s⟧", tolerance_label="⟦tol⟧",
                      **LABELS)
    shown = {int(x): c[0] for bar in fig.data for x, c in zip(bar.x, bar.customdata,
                                                              strict=True)}
    assert shown == {i: r["diff"] for i, r in enumerate(rows)}
    differs = {int(x) for x in fig.data[0].x}
    assert differs == {i for i, r in enumerate(rows) if r["diff"] > 1e-5}
    assert differs == {i for i, r in enumerate(rows) if r["length"] < batch.L}
    assert fig.layout.yaxis.type == "log"
    assert (fig.data[0].name, fig.data[1].name) == ("⟦d⟧", "⟦s⟧")
    zero = F.diff_bars([{"sentence": 0, "length": 3, "diff": 0.0}], differs_label="d",
                       same_label="s", tolerance_label="t", **LABELS)
    assert list(zero.data[1].text) == ["0"]
    assert zero.data[1].y[0] == pytest.approx(10 ** zero.layout.yaxis.range[0])  # no bar
    for bad in ([], [{"sentence": 0}], [{"sentence": 0, "length": 1, "diff": -1.0}]):
        with pytest.raises(ValueError, match="per_sentence"):
            F.diff_bars(bad, differs_label="d", same_label="s", tolerance_label="t", **LABELS)


def test_vector_bar(lstm_padded):
    _, _, tr = lstm_padded
    v = tr.step_values(0, 0)["o"][0, 0].numpy()
    fig = F.vector_bar(v, kind="sigmoid", name="o_t", **LABELS)
    assert_z(fig.data[0].y, v)
    assert tuple(fig.layout.yaxis.range) == (0, 1)
    with pytest.raises(ValueError, match=r"expected \(units,\), got \(2, 2\)"):
        F.vector_bar(np.zeros((2, 2)), kind="tanh", **LABELS)


# --- no hard-coded prose ---------------------------------------------------------------

TEXT_KEYS = ("text", "name", "hovertemplate", "hovertext", "ticktext")


def visible_words(fig: go.Figure) -> set[str]:
    """ASCII words of 3+ letters in titles, axis titles, annotations, legends, hovers
    (shape names are internal ids, never shown)."""
    spec = json.loads(fig.to_json())
    texts = []

    def walk(node, key=""):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, str) and key in TEXT_KEYS:
            texts.append(node)

    walk(spec["data"])
    walk({k: v for k, v in spec["layout"].items() if k not in ("template", "shapes")})
    words = set()
    for t in texts:
        t = re.sub(r"%\{[^}]*\}|<[^>]*>|⟦[^⟧]*⟧|&\w+;", " ", t)
        words |= set(re.findall(r"[A-Za-z]{3,}", t))
    return words


def test_builders_write_no_english_of_their_own(lstm_packed, layout):
    _, batch, tr = lstm_packed
    cfg, n = tr.config, 0
    vals = F.sentence_steps(tr, 0, 0, n)
    fk = {k: f"⟦{k}⟧" for k in vals}
    toks = {w for s in batch.tokens for w in s}
    figs = [
        F.gates_grid(vals, batch.tokens[n], kinds=F.value_kinds(cfg), titles=fk, **LABELS),
        F.unrolled_grid(F.state_norms(tr, n), batch.tokens[n], num_layers=2, D=2,
                        row_label="⟦{layer}{arrow}⟧", **LABELS),
        F.states_grid(F.sentence_states(tr, n), batch.tokens[n], num_layers=2, D=2,
                      panel_label="⟦{layer}{arrow}⟧", **LABELS),
        F.output_assembly(vals["h"], vals["h"], batch.tokens[n], forward_label="⟦f⟧",
                          backward_label="⟦b⟧", **LABELS),
        F.padded_grid(batch.tokens, batch.lengths, **LABELS),
        F.packed_strip(layout[1], title="⟦t⟧", x_title="⟦x⟧"),
    ]
    symbols = {"pad", "script", "amp",  # <pad> and the tokens' own text
               "data", "batch", "sizes", "slot", "output"}  # torch's names
    for fig in figs:
        assert visible_words(fig) - symbols - toks == set()


# --- payload ---------------------------------------------------------------------------

def test_largest_figures_stay_lean():
    cfg = RNNConfig("LSTM", 10, 256, 4, bidirectional=True)
    _, batch, tr = run(cfg, InputSpec(mode="randn", seq_len=64, batch=2))
    n, L, H = 1, 64, 256
    vals = F.sentence_steps(tr, 3, 1, n)
    gates = F.gates_grid(vals, batch.tokens[n], kinds=F.value_kinds(cfg),
                         titles={k: k for k in vals}, selected_t=5, **LABELS)
    states = F.states_grid(F.sentence_states(tr, n), batch.tokens[n], num_layers=4, D=2,
                           highlight=F.hn_source_steps(L, 4, 2), **LABELS)
    sizes = {}
    for name, fig, panels in (("gates_grid", gates, 6), ("states_grid", states, 8)):
        spec = fig.to_json()
        sizes[name] = len(spec)
        data = json.loads(spec)["data"]
        assert all(t["z"]["dtype"] == "f4" for t in data)  # base64 float32, not lists
        assert all("text" not in t for t in data)  # no per-cell text on big grids
        raw = panels * L * H * 4
        assert len(spec) < 1.5 * (raw * 4 / 3)  # base64 + plotly's "\/" escaping + layout
    print({k: f"{v / 1024:.0f} KiB" for k, v in sizes.items()})


def test_figures_import_no_streamlit():
    code = "import sys, lstm_viz.figures; sys.exit('streamlit' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


# What Streamlit 1.67 returned for a click on the grid in Chromium (customdata sent as float32).
BROWSER_EVENT = {"selection": {"points": [{
    "curve_number": 1, "point_number": 10, "point_index": 10, "x": 2, "y": 2,
    "customdata": {"0": 2, "1": 0, "2": 2, "3": 0.9090909361839294},
    "hovertext": "layer 2<br>t=2: c"}], "point_indices": [10], "box": [], "lasso": []}}


def test_selection_reads_the_object_form_browsers_send():
    assert F.selection_to_cell(BROWSER_EVENT, (3, 1, 4)) == (2, 0, 2)
    assert F.selection_to_cell(BROWSER_EVENT, (2, 1, 4)) is None  # outside the grid
    odd = {"selection": {"points": [{"customdata": {"1": 2, "x": 3}}, "junk"]}}
    assert F.selection_to_cell(odd) is None


# --- specs: the dicts pages send -------------------------------------------------------

def _json(value):
    return json.loads(json.dumps(value))


def _specs(tr, batch, layout):
    """Every spec builder on one trace, as a page calls it (labels as placeholders)."""
    cfg, n = tr.config, 1
    vals = F.sentence_steps(tr, cfg.num_layers - 1, cfg.D - 1, n)
    kinds = F.value_kinds(cfg)
    last = cfg.num_layers - 1
    fwd = tr.step_values(last, 0)["h"][n]
    bwd = tr.step_values(last, 1)["h"][n] if cfg.D == 2 else None
    per_sentence = [{"sentence": 0, "length": 3, "diff": 0.0},
                    {"sentence": 1, "length": 2, "diff": 2e-3}]
    return {
        "gates_grid": F.gates_grid_spec(vals, batch.tokens[n], kinds=kinds,
                                        titles={k: k for k in vals}, selected_t=0, **LABELS),
        "gate_heatmap": F.gate_heatmap_spec(vals["h"], batch.tokens[n], name="h",
                                            kind=kinds["h"], **LABELS),
        "states_grid": F.states_grid_spec(
            F.sentence_states(tr, n), batch.tokens[n], num_layers=cfg.num_layers, D=cfg.D,
            highlight=F.hn_source_steps(int(tr.lengths[n]), cfg.num_layers, cfg.D), **LABELS),
        "unrolled_grid": F.unrolled_grid_spec(F.state_norms(tr, n), batch.tokens[n],
                                              num_layers=cfg.num_layers, D=cfg.D,
                                              selected=(0, 0, 0), **LABELS),
        "output_assembly": F.output_assembly_spec(fwd, bwd, batch.tokens[n], forward_label="f",
                                                  backward_label="b", **LABELS),
        "padded_grid": F.padded_grid_spec(batch.tokens, batch.lengths, **LABELS),
        "sorted_order": F.sorted_order_spec(layout, batch.tokens, **LABELS),
        "packed_strip": F.packed_strip_spec(layout, title="t", x_title="x"),
        "diff_bars": F.diff_bars_spec(per_sentence, differs_label="d", same_label="s",
                                      tolerance_label="tl", **LABELS),
        "vector_bar": F.vector_bar_spec(vals["h"][0], kind=kinds["h"], **LABELS),
    }


def test_every_spec_is_what_plotly_would_send_after_validating_it(any_cell):
    """A spec goes to the browser without plotly.py's validation (ui.charts.show): it must
    be exactly the JSON plotly.py makes of it once validated — nothing plotly.py would
    reject, rename, drop or spell out differently (colour scales, typed arrays, subplot
    axes)."""
    _, batch, tr = any_cell
    layout = packing_layout(batch.padded, batch.lengths, batch.tokens, batch.batch_first)
    for name, spec in _specs(tr, batch, layout).items():
        sent = _json(F.typed_arrays(spec))
        assert sent == _json(F.to_figure(spec).to_dict()), name
        assert sent == _json(F.typed_arrays(F.frozen(spec))), name  # frozen: the same JSON


def test_frozen_specs_refuse_changes_and_thaw_into_copies(lstm_packed):
    import copy

    _, batch, tr = lstm_packed
    spec = F.frozen(F.typed_arrays(F.gate_heatmap_spec(
        F.sentence_steps(tr, 0, 0, 0)["i"], batch.tokens[0], name="i", kind="sigmoid",
        **LABELS)))
    for change in (lambda s: s.__setitem__("x", 1), lambda s: s["layout"].update(height=1),
                   lambda s: s["layout"].setdefault("shapes", []), lambda s: s.pop("layout"),
                   lambda s: s["data"][0].clear(), lambda s: s["data"].append({})):
        with pytest.raises((TypeError, AttributeError)):
            change(spec)
    assert spec["data"][0].pop("uid", None) is None  # what plotly's to_json does: allowed
    mutable = copy.deepcopy(spec)
    mutable["layout"]["height"] = 1
    assert spec["layout"]["height"] != 1 and _json(F.thawed(spec))["layout"] == _json(
        spec["layout"])
