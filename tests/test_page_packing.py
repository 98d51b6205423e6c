"""The packing page in AppTest, for every preset and a few variants (unpacked, random
tensors, char-level Chinese, zh).

Expectations come from torch on the same batch (lstm_viz.state.pipeline with the same
Settings), never hard-coded numbers.
"""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
import torch
from apptest_utils import open_app
from torch.nn.utils.rnn import pack_padded_sequence

from lstm_viz.core.caps import Caps
from lstm_viz.i18n import catalog
from lstm_viz.state.pipeline import run
from lstm_viz.state.presets import PRESETS
from lstm_viz.state.query import from_query

CASES = {p: {"preset": p} for p in PRESETS}
CASES.update({
    "unpacked-unsorted": {"preset": "packing", "packed": "false"},
    "random-packed": {"preset": "official", "packed": "true"},
    "zh-char": {"preset": "pets", "tokens": "char", "sentences": "我爱狗\n你好\n今天天气很好",
                "lang": "zh"},
    "hostile-text": {"preset": "pets", "sentences": "<b>hi</b> **x** [a](http://e)\nok $y$"},
})


@pytest.fixture(scope="module", params=list(CASES), ids=list(CASES))
def case(request):
    """(AppTest on /packing, the Run for the same query)."""
    query = CASES[request.param]
    settings, _ = from_query({k: [v] for k, v in query.items()}, Caps.from_env())
    return open_app(query, "packing"), run(settings)


def _array(value) -> np.ndarray:
    """A plotly JSON array: a list, or base64 {"dtype", "bdata", "shape"}."""
    if isinstance(value, dict) and "bdata" in value:
        flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        return flat.reshape([int(s) for s in str(value.get("shape", len(flat))).split(",")])
    return np.asarray(value)


def _specs(at) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def _texts(at) -> list[str]:
    parts = [*at.title, *at.header, *at.markdown, *at.caption, *at.info, *at.warning,
             *at.code]
    return [str(el.value) for el in parts]


def _title(spec: dict) -> str:
    title = spec["layout"].get("title", {})
    return title.get("text", "") if isinstance(title, dict) else str(title)


def test_renders_without_errors(case):
    at, result = case
    assert not at.exception
    assert not at.error
    unequal = len(set(result.batch.lengths.tolist())) > 1
    assert len(at.get("plotly_chart")) == (3 if unequal else 2)


def test_packed_strip_is_torchs_packed_data(case):
    at, result = case
    batch = result.batch
    N, L = batch.N, int(batch.lengths.max())
    codes = (torch.arange(N)[:, None] * 1000 + torch.arange(L)[None, :]).float()  # (N, L)
    codes = codes if batch.batch_first else codes.T
    packed = pack_padded_sequence(codes[..., None], batch.lengths, batch_first=batch.batch_first,
                                  enforce_sorted=False)
    expected = [(int(c) % 1000, int(c) // 1000) for c in packed.data[:, 0].tolist()]  # (t, n)
    strip = next(s for s in _specs(at) if "packed.data" in _title(s))["data"][0]
    custom = _array(strip["customdata"])[0]  # (R, 3): t, slot, n
    assert len(custom) == int(batch.lengths.sum())
    assert [(int(t), int(n)) for t, _, n in custom] == expected
    assert _array(strip["z"])[0].tolist() == [float(n) for _, n in expected]
    tokens = [batch.tokens[n][t] for t, n in expected]
    assert strip["text"][0] == [tok.replace("<", "&lt;").replace(">", "&gt;") for tok in tokens]
    sizes = f"`batch_sizes = {packed.batch_sizes.tolist()}`"
    assert any(text.startswith(sizes) for text in _texts(at))


def test_enforce_sorted_error_exactly_when_torch_raises(case):
    at, result = case
    batch = result.batch
    try:
        pack_padded_sequence(batch.padded, batch.lengths, batch_first=batch.batch_first,
                             enforce_sorted=True)
        message = None
    except RuntimeError as err:
        message = str(err)
    codes = [el.value for el in at.code]
    if message is None:
        assert not any("enforce_sorted" in c for c in codes)
    else:
        assert message in codes


def test_sorted_indices_and_roundtrip_text(case):
    at, result = case
    batch = result.batch
    packed = pack_padded_sequence(batch.padded, batch.lengths, batch_first=batch.batch_first,
                                  enforce_sorted=False)
    table = at.dataframe[0].value
    assert table.iloc[:, 1].tolist() == packed.sorted_indices.tolist()
    assert any(str(packed.unsorted_indices.tolist()) in c.value for c in at.code)
    T = result.settings.spec.total_length
    if T:
        width = tuple(result.layout.roundtrip.shape)[1]
        assert width == T
        assert any(f"total_length={T}" in text for text in _texts(at))


def test_no_raw_keys_and_language(case):
    at, result = case
    keys = set(catalog("en"))
    shown = _texts(at) + [_title(s) for s in _specs(at)]
    shown += [str(c) for df in at.dataframe for c in df.value.columns]
    assert not [s for s in shown if s in keys]
    assert at.title[0].value == catalog(result.settings.lang or "en")["page.packing"]


def test_unpacked_run_says_what_packing_would_do(case):
    at, result = case
    explained = any(el.value == catalog(result.settings.lang or "en")["packing.not_packed"]
                    for el in at.info)
    assert explained == (not result.settings.spec.packed)


def test_catalogs_have_the_same_keys():
    for page in ("packing", "states"):
        en = {k for k in catalog("en") if k.startswith(f"{page}.")}
        zh = {k for k in catalog("zh") if k.startswith(f"{page}.")}
        assert en == zh and en
