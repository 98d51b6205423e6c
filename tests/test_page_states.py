"""The hidden-states page in AppTest, for every preset and a few variants (packed
bidirectional stacked, padded-not-packed, char-level Chinese, zh).

Expectations come from torch on the same batch (lstm_viz.state.pipeline with the same
Settings), never hard-coded numbers.
"""

from __future__ import annotations

import json

import pytest
import torch
from apptest_utils import open_app

from lstm_viz.core.caps import Caps
from lstm_viz.core.trace import TOLERANCE
from lstm_viz.explain.claims import batch_major_output
from lstm_viz.i18n import catalog
from lstm_viz.state.pipeline import run
from lstm_viz.state.presets import PRESETS
from lstm_viz.state.query import from_query

PACKED_BI = {"preset": "packing", "bidirectional": "true"}
CASES = {p: {"preset": p} for p in PRESETS}
CASES.update({
    "packed-bi": PACKED_BI,
    "packed-bi-2l-zh": {**PACKED_BI, "num_layers": "2", "lang": "zh"},
    "padded-not-packed": {"preset": "packing", "packed": "false", "bidirectional": "true"},
    "zh-char-gru": {"preset": "pets", "cell": "GRU", "tokens": "char",
                    "sentences": "我爱狗\n你好", "lang": "zh"},
})


def _run(query: dict):
    settings, _ = from_query({k: [v] for k, v in query.items()}, Caps.from_env())
    return run(settings)


@pytest.fixture(scope="module", params=list(CASES), ids=list(CASES))
def case(request):
    """(AppTest on /states, the Run for the same query)."""
    query = CASES[request.param]
    return open_app(query, "states"), _run(query)


def _specs(at) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def _highlights(spec: dict) -> dict[tuple[int, int], int]:
    """{(layer, d): t} from the grid's outline shapes named "h_n k d"."""
    found = {}
    for shape in spec["layout"].get("shapes", []):
        parts = str(shape.get("name", "")).split()
        if len(parts) == 3 and parts[0] == "h_n":
            found[(int(parts[1]), int(parts[2]))] = round(shape["y0"] + 0.5)
    return found


def _expected_steps(result, n: int) -> dict[tuple[int, int], int]:
    """The step of each (layer, d) whose h equals h_n's row, searched over every real step;
    for the last layer also checked exactly against the module's own output."""
    tr, cfg = result.trace, result.trace.config
    out, H, steps = batch_major_output(tr), cfg.H_out, {}
    for k in range(cfg.num_layers):
        for d in range(cfg.D):
            row = k * cfg.D + d
            h = tr.step_values(k, d)["h"][n, : int(tr.lengths[n])]  # (length, H_out)
            diffs = (h - tr.h_n[row, n].float()).abs().amax(-1)
            matches = (diffs <= TOLERANCE).nonzero().flatten().tolist()
            steps[(k, d)] = matches[-1] if d == 0 else matches[0]
            if k == cfg.num_layers - 1:
                half = out[n, steps[(k, d)], d * H:(d + 1) * H]
                assert torch.equal(half, tr.h_n[row, n].float())
    return steps


def test_renders_without_errors(case):
    at, result = case
    assert not at.exception
    assert not at.error
    assert len(at.get("plotly_chart")) == 2
    assert at.title[0].value == catalog(result.settings.lang or "en")["page.states"]


def test_highlight_and_sources_for_every_sentence(case):
    """Every sentence when lengths differ (first and last otherwise); the pad warning
    exactly for shorter sentences of a padded, unpacked batch."""
    at, result = case
    tr, lengths = result.trace, result.batch.lengths.tolist()
    sentences = range(tr.N) if len(set(lengths)) > 1 else sorted({0, tr.N - 1})
    for n in sentences:
        if n:
            at.selectbox(key="states_sentence").set_value(n).run()
        assert not at.exception
        expected = _expected_steps(result, n)
        assert _highlights(_specs(at)[0]) == expected
        table = at.dataframe[0].value  # row k*D+d, layer k, direction, t, token, diff
        assert table.iloc[:, 3].tolist() == [expected[(k, d)] for k, d in sorted(expected)]
        assert all(float(v) <= TOLERANCE for v in table.iloc[:, 5])
        assert bool(at.warning) == (not tr.packed and lengths[n] < tr.L)
    at.selectbox(key="states_sentence").set_value(0).run()


def test_packed_bidirectional_unequal_lengths():
    result = _run(PACKED_BI)
    tr = result.trace
    assert tr.packed and tr.config.D == 2 and len(set(tr.lengths.tolist())) > 1
    for n in range(tr.N):
        length = int(tr.lengths[n])
        assert _expected_steps(result, n) == {(0, 0): length - 1, (0, 1): 0}


def test_cell_state_toggle(case):
    at, result = case
    if result.trace.config.cell != "LSTM":
        assert not at.get("radio") or not any(r.key == "states_which" for r in at.radio)
        return
    at.radio(key="states_which").set_value("c").run()
    assert not at.exception
    spec = _specs(at)[0]
    labels = {a.get("text") for a in spec["layout"].get("annotations", [])}
    assert "c_n" in labels and "h_n" not in labels
    assert _highlights(spec) == _expected_steps(result, at.selectbox(key="states_sentence").value)
    codes = [c.value for c in at.code]
    assert any(c.startswith("c_n.view(") for c in codes)
    at.radio(key="states_which").set_value("h").run()


def test_view_numbers_and_wrong_view_text(case):
    at, result = case
    tr = result.trace
    claim = next(c for c in result.claims if c.key == "view_splits_directions")
    texts = [m.value for m in at.markdown]
    assert any(f"{claim.numbers['wrong_view_diff']:.3g}" in text for text in texts)
    view = at.dataframe[-2].value  # h_n.view(num_layers, D, N, H_out)[:, :, n]
    n = at.selectbox(key="states_sentence").value
    h_n = tr.h_n.float().view(tr.config.num_layers, tr.config.D, tr.N, -1)
    for i, row in enumerate(view.values):
        k, d = divmod(i, tr.config.D)
        assert torch.allclose(torch.tensor(row, dtype=torch.float32), h_n[k, d, n], atol=1e-4)


def test_no_raw_keys(case):
    at, _ = case
    keys = set(catalog("en"))
    parts = [*at.title, *at.header, *at.markdown, *at.caption, *at.info, *at.warning]
    shown = [str(el.value) for el in parts]
    shown += [str(c) for df in at.dataframe for c in df.value.columns]
    for spec in _specs(at):
        shown += [a.get("text", "") for a in spec["layout"].get("annotations", [])]
    assert not [s for s in shown if s in keys]
