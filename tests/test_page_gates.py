"""The gates page in AppTest: for every preset (and bidirectional / GRU / relu / proj_size
variants) the heatmaps hold the trace's values and the worked math its numbers.

Expectations come from the real run (lstm_viz.state.pipeline with the same Settings), never
hard-coded numbers.
"""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest
from apptest_utils import APP
from streamlit.testing.v1 import AppTest

from lstm_viz.core.caps import Caps
from lstm_viz.explain.worked import clamp_selection, layer_params, worked_step
from lstm_viz.explain.worked_tex import num
from lstm_viz.figures import sentence_steps
from lstm_viz.i18n import t
from lstm_viz.state.pipeline import build, run
from lstm_viz.state.presets import PRESETS
from lstm_viz.state.query import from_query
from lstm_viz.state.settings import from_preset

PANELS = {"LSTM": 6, "GRU": 4, "RNN": 1}
LAST_BACKWARD = {"layer": 99, "direction": 1, "sentence": 99, "t": 99}  # clamped by the page
CASES = {f"{p}": ({"preset": p}, None) for p in PRESETS}
CASES.update({
    "rnn-bidirectional-last": ({"preset": "rnn-bidirectional"}, LAST_BACKWARD),
    "lstm-proj-packed-bi": ({"preset": "packing", "bidirectional": "true", "num_layers": "2",
                             "proj_size": "2"}, {"layer": 1, "direction": 1, "sentence": 2,
                                                 "t": 1}),
    "gru-bi-last": ({"preset": "pets", "cell": "GRU", "bidirectional": "true"}, LAST_BACKWARD),
    "relu-clamped": ({"preset": "pets", "nonlinearity": "relu"},
                     {"layer": 5, "direction": 1, "sentence": 3, "t": 2}),
    "zh": ({"preset": "stacked", "lang": "zh"}, {"layer": 2, "sentence": 1, "t": 3}),
})


def open_gates(query: dict, selection: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    if selection is not None:
        at.session_state["selection"] = selection
    return at.switch_page("app_pages/gates.py").run()


def expected(query: dict, selection: dict | None):
    settings, _ = from_query({k: [v] for k, v in query.items()}, Caps.from_env())
    built = build(settings)
    tr = run(settings, built).trace
    cfg = tr.config
    sel = clamp_selection(selection, cfg.num_layers, cfg.D, tr.lengths.tolist())
    params = layer_params(built.module, sel["layer"], sel["direction"])
    step = worked_step(params, tr, sel["layer"], sel["direction"], sel["sentence"], sel["t"], 0)
    return tr, sel, step


@pytest.fixture(scope="module")
def pages():
    return {name: (open_gates(q, s), *expected(q, s)) for name, (q, s) in CASES.items()}


def z_of(trace_json: dict) -> np.ndarray:
    z = trace_json["z"]
    if isinstance(z, dict):  # plotly's base64 typed array
        shape = tuple(int(s) for s in z["shape"].split(","))
        return np.frombuffer(base64.b64decode(z["bdata"]), dtype=z["dtype"]).reshape(shape)
    return np.array(z, dtype=np.float32)


@pytest.mark.parametrize("name", list(CASES))
def test_page_renders_the_trace(pages, name):
    at, tr, sel, _ = pages[name]
    assert not at.exception and not at.error
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    spec = json.loads(charts[0].proto.spec)
    panels = [d for d in spec["data"] if "coloraxis" in d]
    assert len(panels) == PANELS[tr.config.cell]
    want = sentence_steps(tr, sel["layer"], sel["direction"], sel["sentence"])
    assert len(panels) == len(want)
    for got, (key, values) in zip(panels, want.items(), strict=True):
        np.testing.assert_array_equal(z_of(got), values, err_msg=key)
    boxes = [s for s in spec["layout"]["shapes"] if s.get("name", "").startswith("selected")]
    assert boxes and all(s["y0"] == sel["t"] - 0.5 for s in boxes)
    assert at.select_slider(key="gates_t").value == sel["t"]


@pytest.mark.parametrize("name", list(CASES))
def test_worked_math_shows_the_numbers(pages, name):
    at, _, sel, step = pages[name]
    tex = "\n".join(el.value for el in at.latex)
    for gate in step.gates.values():
        assert f"= {num(gate.value)}" in tex, gate.name
    assert f"= {num(step.h)}" in tex
    if step.c is not None:
        assert f"= {num(step.c)}" in tex
    assert ("h_{t+1}" in tex) == (sel["direction"] == 1)
    assert at.session_state["selection"] == sel


def test_bidirectional_shows_direction_selector(pages):
    at = pages["rnn-bidirectional-last"][0]
    radio = at.radio(key="gates_direction")
    assert radio.value == 1 and radio.options == [t("gates.dir.0"), t("gates.dir.1")]
    assert at.selectbox(key="gates_layer").value == 2


def test_clamped_selection_and_no_direction_for_one_direction(pages):
    at, _, sel, _ = pages["relu-clamped"]
    assert sel == {"layer": 0, "direction": 0, "sentence": 3, "t": 2}
    assert at.selectbox(key="gates_layer").value == 0
    assert not [r for r in at.radio if r.key == "gates_direction"]


def _texts(at: AppTest) -> list[str]:
    texts = [el.value for kind in ("title", "header", "caption", "markdown")
             for el in getattr(at, kind)]
    widgets = [*at.selectbox, *at.select_slider, *at.radio, *at.button]
    return texts + [w.label for w in widgets]


def test_chinese_has_no_raw_keys(pages):
    at = pages["zh"][0]
    texts = _texts(at)
    assert t("gates.layer", "zh") in texts and t("gates.worked.rounding", "zh") in texts
    assert not [x for x in texts if re.match(r"gates\.[a-z_.]+$", x)]
    spec = at.get("plotly_chart")[0].proto.spec
    titles = [a["text"] for a in json.loads(spec)["layout"]["annotations"]]
    assert "gates." not in spec and t("gates.panel.LSTM.f", "zh") in titles


def test_play_steps_forward_and_stops_at_the_end():
    at = open_gates({"preset": "pets"})
    at.button(key="gates_play").click().run()
    assert at.session_state["gates_playing"] and at.select_slider(key="gates_t").value == 0
    for want in (1, 2):
        at.run()
        assert at.select_slider(key="gates_t").value == want
    at.run()  # at the last token: playing stops and the page reruns
    assert not at.exception and not at.session_state["gates_playing"]
    assert at.select_slider(key="gates_t").value == 2
    assert at.button(key="gates_play").label == t("gates.play")


def test_config_change_under_the_page_is_clamped():
    at = open_gates({"preset": "stacked"}, {"layer": 2, "sentence": 1, "t": 3})
    assert at.selectbox(key="gates_layer").value == 2
    at.session_state["settings"] = from_preset("pets")
    at.session_state["gates_unit"] = 9
    at.run()
    assert not at.exception and not at.error
    assert at.selectbox(key="gates_layer").value == 0
    assert at.select_slider(key="gates_t").value == 2  # pets' sentence 1 has 3 tokens
