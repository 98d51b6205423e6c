"""The Memory page's figure builders, as data: what each trace holds, the log colour scale,
the outline of the chosen step, user text escaped, bad shapes refused with the shape."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lstm_viz.figures import memory as figs

TOKENS = ["cat", "<b>saw</b>", "a", "dog"]
LABELS = ("RNN", "GRU", "LSTM")


def _conn(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    z = np.tril(10.0 ** rng.uniform(-6, 0, (4, 4))).astype(np.float32)  # 0 above: s > t
    return z


def test_answer_strips_write_each_answer_on_its_probability():
    rows = {k: (["cat", "dog", "dog", "<i>"], np.linspace(0, 1, 4)) for k in LABELS}
    fig = figs.answer_strips(rows, TOKENS, title="t", colour_title="p", x_title="x")
    (trace,) = fig.data
    assert np.asarray(trace.z).shape == (3, 4) and trace.zmin == 0 and trace.zmax == 1
    assert trace.text[0][3] == "&lt;i&gt;" and list(trace.y) == list(LABELS)
    assert "&lt;b&gt;saw&lt;/b&gt;" in fig.layout.xaxis.ticktext[1]
    with pytest.raises(ValueError, match="expected 4 answers"):
        figs.answer_strips({"RNN": (["cat"], np.zeros(4))}, TOKENS, title="t",
                           colour_title="p", x_title="x")


def test_state_strips_stack_one_panel_per_model_on_one_colour_scale():
    panels = {k: np.full((4, 8), v, np.float32) for k, v in zip(LABELS, (-0.5, 0, 0.5),
                                                                 strict=True)}
    fig = figs.state_strips(panels, TOKENS, title="t", x_title="x", y_title="y", kind="tanh")
    assert [np.asarray(d.z).shape for d in fig.data] == [(8, 4)] * 3  # units × steps
    assert {d.coloraxis for d in fig.data} == {"coloraxis"}
    assert (fig.layout.coloraxis.cmin, fig.layout.coloraxis.cmax) == (-1, 1)
    tops = [fig.layout[f"yaxis{k or ''}"].domain[1] for k in (0, 2, 3)]
    assert tops == sorted(tops, reverse=True)  # the first model on top
    with pytest.raises(ValueError, match="expected L=4"):
        figs.state_strips({"a": np.zeros((4, 8)), "b": np.zeros((5, 8))}, TOKENS, title="t",
                          x_title="x", y_title="y", kind="tanh")


def test_connectivity_maps_share_a_log_scale_and_leave_zeros_blank():
    maps = {k: _conn(s) for s, k in enumerate(LABELS)}
    fig = figs.connectivity_maps(maps, TOKENS, selected_t=2, title="t", x_title="s",
                                 y_title="t", colour_title="c")
    for data, z in zip(fig.data, maps.values(), strict=True):
        logs = np.asarray(data.z, dtype=float)
        assert np.isnan(logs[np.triu_indices(4, 1)]).all()
        np.testing.assert_allclose(logs[np.tril_indices(4)], np.log10(z[np.tril_indices(4)]),
                                   rtol=1e-5)
    lo, hi = fig.layout.coloraxis.cmin, fig.layout.coloraxis.cmax
    assert hi == math.ceil(max(np.log10(m[m > 0]).max() for m in maps.values()))
    assert hi - figs.DECADES <= lo < hi
    boxes = [s for s in fig.layout.shapes if s.name == "selected"]
    assert len(boxes) == 3 and all(b.y0 == 1.5 and b.y1 == 2.5 for b in boxes)
    with pytest.raises(ValueError, match="selected_t"):
        figs.connectivity_maps(maps, TOKENS, selected_t=4, title="t", x_title="s",
                               y_title="t", colour_title="c")


def test_connectivity_strips_put_the_tokens_on_their_colour():
    rows = {k: _conn(s)[3] for s, k in enumerate(LABELS)}
    fig = figs.connectivity_strips(rows, TOKENS, 3, title="t", colour_title="c")
    (trace,) = fig.data
    assert list(trace.text[0]) == ["cat", "&lt;b&gt;saw&lt;/b&gt;", "a", "dog"]
    np.testing.assert_allclose(np.asarray(trace.customdata, dtype=float)[1], rows["GRU"])


def test_flow_lines_are_log_scale_and_skip_zeros():
    flows = {"RNN": np.array([1e-14, 1e-3, 0.0, 2.0]), "LSTM": np.array([0.1, 0.2, 1.0, 2.0])}
    fig = figs.flow_lines(flows, TOKENS, title="t", x_title="x", y_title="y")
    assert fig.layout.yaxis.type == "log" and [d.name for d in fig.data] == ["RNN", "LSTM"]
    assert np.isnan(fig.data[0].y[2]) and fig.data[0].y[0] == 1e-14
    with pytest.raises(ValueError, match="at least one model"):
        figs.flow_lines({}, TOKENS, title="t", x_title="x", y_title="y")


def _memory_specs() -> dict[str, dict]:
    conn = {k: _conn(i) for i, k in enumerate(LABELS)}
    rng = np.random.default_rng(0)
    return {
        "answer_strips": figs.answer_strips_spec(
            {k: (["cat", "dog", "dog", "<i>"], rng.uniform(0, 1, 4)) for k in LABELS}, TOKENS,
            title="t", colour_title="p", x_title="x"),
        "state_strips": figs.state_strips_spec(
            {k: rng.uniform(-1, 1, (4, 8)).astype(np.float32) for k in LABELS}, TOKENS,
            title="t", x_title="x", y_title="y", kind="tanh"),
        "connectivity_maps": figs.connectivity_maps_spec(
            conn, TOKENS, selected_t=2, title="t", x_title="s", y_title="t", colour_title="c"),
        "connectivity_strips": figs.connectivity_strips_spec(
            {k: m[3] for k, m in conn.items()}, TOKENS, 3, title="t", colour_title="c"),
        "flow_lines": figs.flow_lines_spec(
            {"RNN": np.array([1e-6, 1e-3, 0.0, 1.0]), "LSTM": np.ones(4),
             "LSTM c": np.linspace(0.1, 1, 4)}, TOKENS, title="t", x_title="x", y_title="y",
            dashed=["LSTM c"]),
    }


def test_every_memory_spec_is_what_plotly_would_send_after_validating_it():
    """The page sends these dicts without plotly.py's validation (ui.charts.show): each must
    be exactly the JSON plotly.py makes of it once validated."""
    import json

    from lstm_viz.figures import frozen, to_figure, typed_arrays

    def as_json(value):
        return json.loads(json.dumps(value))

    for name, spec in _memory_specs().items():
        sent = as_json(typed_arrays(spec))
        assert sent == as_json(to_figure(spec).to_dict()), name
        assert sent == as_json(typed_arrays(frozen(spec))), name
