"""ui.charts: a figure is built once per (name, run key, view), shared read-only, and sent as
exactly the JSON of its spec (no second validation on the way)."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest


def _app():
    import json

    import plotly.graph_objects as go
    import streamlit as st

    from lstm_viz.figures import gate_heatmap_spec, typed_arrays
    from ui import charts

    def spec():
        st.session_state.builds += 1
        return gate_heatmap_spec([[0.1, 0.2], [0.3, float("nan")]], ["a", "<b>"], name="i",
                                 kind="sigmoid", title="t", x_title="x", y_title="y",
                                 selected_t=1)

    st.session_state.setdefault("builds", 0)
    first = charts.figure("test", "run-key", ("en", 1), spec)
    again = charts.figure("test", "run-key", ("en", 1), spec)
    other = charts.figure("test", "run-key", ("zh", 1), spec)
    from_go = charts.figure("test-go", "run-key", (), lambda: go.Figure(spec()))
    st.session_state.same = first is again and first is not other
    st.session_state.kinds = {type(first).__name__, type(from_go).__name__}
    st.session_state.expected = json.dumps(typed_arrays(spec()))
    charts.show(first, key="first")
    charts.show(from_go, key="from_go", width="stretch")


def test_built_once_per_key_shared_frozen_and_sent_as_its_json():
    at = AppTest.from_function(_app, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state.builds == 4  # first, other, from_go, expected: not `again`
    assert at.session_state.same
    assert at.session_state.kinds == {"FrozenDict"}
    expected = json.loads(at.session_state.expected)
    for chart in at.get("plotly_chart"):
        assert json.loads(chart.proto.spec) == expected
    at.run()  # a rerun: every figure from the cache
    assert at.session_state.builds == 5  # only `expected` again
