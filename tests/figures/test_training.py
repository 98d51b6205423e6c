"""The Train page's figure builders, as data: each trace holds the series it was given, the
scrubbed moment is marked on every panel, the colour scales are fixed 0 … 1, user-facing
labels come in as arguments, bad shapes are refused with the shape, and every spec is the
JSON plotly.py makes of it once validated."""

from __future__ import annotations

import json

import numpy as np
import pytest

import lstm_viz.figures as F
from lstm_viz.figures import training as figs

CELLS = ("RNN", "GRU", "LSTM")
S, B, H = 5, 4, 6
EPOCH = np.linspace(0, 2, S, dtype=np.float32)
RNG = np.random.default_rng(0)
SERIES = {c: RNG.uniform(0, 1, S).astype(np.float32) for c in CELLS}
GATES = {"RNN": {}, "GRU": {"r": RNG.uniform(0, 1, (S, H)), "z": RNG.uniform(0, 1, (S, H))},
         "LSTM": {g: RNG.uniform(0, 1, (S, H)) for g in "ifo"}}
TEXT = {"title": "⟦title⟧", "x_title": "⟦x⟧"}


def curves(**kw):
    return figs.curves_spec(EPOCH, SERIES, SERIES, SERIES, chance=0.25, loss_title="⟦loss⟧",
                            accuracy_title="⟦acc⟧", train_label="⟦train⟧",
                            chance_label="⟦chance⟧", **{"x_max": 12, **TEXT, **kw})


def distance(**kw):
    return figs.distance_maps_spec(EPOCH, {c: RNG.uniform(0, 1, (S, B)) for c in CELLS},
                                   ["0–5", "6–10", "<b>", "16–20"], x_max=12, y_title="⟦d⟧",
                                   colour_title="⟦c⟧", **TEXT, **kw)


def gates(**kw):
    return figs.gate_maps_spec(EPOCH, GATES, {"f": "⟦f⟧"}, x_max=12, y_title="⟦j⟧",
                               colour_title="⟦c⟧", **TEXT, **kw)


def test_curves_draw_each_cells_series_and_the_chance_line():
    spec = curves()
    by = {(d["name"], d["yaxis"]): d for d in spec["data"]}
    np.testing.assert_array_equal(by[("LSTM", "y")]["y"], SERIES["LSTM"])  # loss, on top
    np.testing.assert_array_equal(by[("LSTM", "y2")]["y"], SERIES["LSTM"])  # accuracy
    assert by[("GRU · ⟦train⟧", "y2")]["line"]["dash"] == "dot"
    assert list(by[("⟦chance⟧", "y2")]["y"]) == [0.25, 0.25]
    assert spec["layout"]["xaxis2"]["range"] == [0, 12]  # the whole training's width
    assert {d["line"]["color"] for d in spec["data"] if d["name"] == "RNN"} == {
        figs.CELL_COLOURS["RNN"]}
    assert not spec["layout"]["shapes"]
    marked = curves(at_epoch=1.0)["layout"]["shapes"]
    assert [(s["x0"], s["xref"], s["yref"]) for s in marked] == [
        (1.0, "x", "y domain"), (1.0, "x2", "y2 domain")]


def test_distance_maps_one_panel_per_cell_epochs_along_x():
    spec = distance(at_epoch=0.5)
    assert [np.asarray(d["z"]).shape for d in spec["data"]] == [(B, S)] * 3
    assert {d["coloraxis"] for d in spec["data"]} == {"coloraxis"}
    assert (spec["layout"]["coloraxis"]["cmin"], spec["layout"]["coloraxis"]["cmax"]) == (0, 1)
    assert "&lt;b&gt;" in spec["layout"]["yaxis"]["ticktext"]  # a label shown as text
    assert len(spec["layout"]["shapes"]) == 3
    with pytest.raises(ValueError, match=r"maps\[GRU\]: expected \(S=5, B=4\), got \(5, 3\)"):
        figs.distance_maps_spec(EPOCH, {"GRU": np.zeros((S, 3))}, ["a"] * B, x_max=12,
                                y_title="d", colour_title="c", **TEXT)


def test_gate_maps_a_panel_per_cell_and_gate_units_down_y():
    spec = gates(at_epoch=1.5)
    assert [d["name"] for d in spec["data"]] == ["GRU r", "GRU z", "LSTM i", "LSTM f", "LSTM o"]
    np.testing.assert_array_equal(spec["data"][3]["z"], GATES["LSTM"]["f"].astype(np.float32).T)
    assert spec["layout"]["xaxis3"]["visible"] is False  # the GRU's row has two gates
    assert len(spec["layout"]["shapes"]) == 5
    with pytest.raises(ValueError, match="a cell with gates"):
        figs.gate_maps_spec(EPOCH, {"RNN": {}}, {}, x_max=12, y_title="j", colour_title="c",
                            **TEXT)


def test_bad_series_are_refused_with_their_shape():
    with pytest.raises(ValueError, match=r"loss\[RNN\]: expected \(S=5,\), got \(4,\)"):
        figs.curves_spec(EPOCH, {"RNN": np.zeros(4)}, SERIES, SERIES, x_max=12, chance=0.25,
                         loss_title="l", accuracy_title="a", train_label="t", chance_label="c",
                         **TEXT)
    with pytest.raises(ValueError, match="x_max"):
        curves(x_max=0)


def _json(spec) -> dict:
    return json.loads(json.dumps(spec, default=str))


@pytest.mark.parametrize("build", [curves, distance, gates])
def test_every_spec_is_what_plotly_would_send_after_validating_it(build):
    spec = build(at_epoch=1.0)
    sent = _json(F.typed_arrays(spec))
    assert sent == _json(F.to_figure(spec).to_dict())
    words = json.dumps(sent, ensure_ascii=False)
    assert "⟦title⟧" in words and "⟦x⟧" in words  # the labels it was given
