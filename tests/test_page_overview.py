"""The Overview page through AppTest: every preset, Chinese, and the shared selection."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from lstm_viz.core.config import constructor_call
from lstm_viz.explain.tables import equations
from lstm_viz.figures import state_norms
from lstm_viz.i18n import catalog, t
from lstm_viz.state.pipeline import run
from lstm_viz.state.presets import PRESETS
from tests.apptest_utils import open_app


def _texts(at) -> list[str]:
    kinds = ("markdown", "caption", "header", "title", "latex")
    return [el.value for kind in kinds for el in at.get(kind)]


def _spec(at) -> dict:
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    return json.loads(charts[0].proto.spec)


def _z(spec) -> np.ndarray:
    """The heatmap's z, decoded from plotly's base64 typed-array form if needed."""
    z = spec["data"][0]["z"]
    if isinstance(z, dict):
        raw = np.frombuffer(base64.b64decode(z["bdata"]), dtype=np.dtype(z["dtype"]))
        shape = z["shape"]
        shape = [int(v) for v in shape.split(",")] if isinstance(shape, str) else shape
        return raw.reshape(shape)
    return np.asarray(z, dtype=float)


@pytest.fixture(scope="module", params=list(PRESETS))
def page(request):
    """(preset, the page opened at ?preset=<name>, the real run of those settings)."""
    name = request.param
    at = open_app({"preset": name})
    return name, at, run(at.session_state["settings"])


def test_every_preset_renders_the_grid_and_the_equations(page):
    name, at, result = page
    assert not at.exception and not at.error
    cfg, batch = result.settings.config, result.batch
    texts = _texts(at)
    assert any(constructor_call(cfg) in x for x in texts)
    assert any(t(f"preset.{name}.description", "en") in x for x in texts)
    assert equations(cfg) in at.latex[0].value
    spec = _spec(at)
    z = _z(spec)
    assert z.shape == (cfg.num_layers * cfg.D, batch.L)
    expected = state_norms(result.trace, 0).reshape(z.shape)  # sentence 0 by default
    np.testing.assert_allclose(z, expected, rtol=1e-5, equal_nan=True)
    assert len(at.get("selectbox")) - _sidebar_selects(at) == (1 if batch.N > 1 else 0)


def _sidebar_selects(at) -> int:
    return len([s for s in at.get("selectbox") if str(s.key).startswith("w_")])


def test_chinese_renders_from_the_catalog():
    at = open_app({"preset": "pets", "lang": "zh"})
    assert not at.exception and not at.error
    texts = _texts(at)
    assert t("overview.cell.title", "zh") in texts
    assert any(t("overview.grid.hint", "zh") in x for x in texts)
    spec = _spec(at)
    assert spec["layout"]["xaxis"]["title"]["text"] == t("overview.grid.x", "zh")
    raw_keys = {k for k in catalog("en") if k.startswith(("overview.", "claim."))}
    assert not raw_keys & set(texts)


def _selected_box(spec) -> dict:
    return next(s for s in spec["layout"]["shapes"] if s.get("name") == "selected")


def test_a_stored_selection_is_shown_as_selected():
    at = open_app({"preset": "official"}, timeout=60)
    at.session_state["selection"] = {"layer": 1, "direction": 0, "t": 3, "sentence": 2}
    at.run()
    assert not at.exception and not at.error
    assert at.selectbox(key="overview_sentence").value == 2
    box = _selected_box(_spec(at))
    assert (box["x0"], box["x1"]) == (2.5, 3.5)  # t = 3
    assert box["y0"] < 1 < box["y1"]  # row layer*D + d = 1
    assert any(t("overview.direction.0", "en") in x and "3" in x for x in _texts(at))
    assert at.session_state["selection"] == {"layer": 1, "direction": 0, "t": 3, "sentence": 2}


def test_a_stale_selection_is_clamped_not_an_error():
    at = open_app({"preset": "packing"})
    at.session_state["selection"] = {"layer": 7, "direction": 1, "t": 9, "sentence": 1}
    at.run()
    assert not at.exception and not at.error
    # packing: one layer, one direction; sentence 1 ("6") has a single token
    assert at.session_state["selection"] == {"layer": 0, "direction": 0, "t": 0, "sentence": 1}
    box = _selected_box(_spec(at))
    assert (box["x0"], box["x1"]) == (-0.5, 0.5)
