"""Figure builders (lstm_viz.figures) tested as data: text, gates, the unrolled overview and
its selection, from real traces of real modules.

Every expectation comes from the trace, the module (h_n, c_n, output) or torch's packing,
never from hard-coded numbers: z arrays equal the values passed (NaN where packed pads
are), colour axes follow the kind of value, labels and escaped tokens land where passed.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import lstm_viz.figures as F
from lstm_viz.core.tokens import PAD
from tests.figures.cases import LABELS, assert_z, axis_of, ticks

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
