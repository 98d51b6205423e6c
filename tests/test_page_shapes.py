"""The Shapes page through AppTest: every preset's shapes, snippet, claims and article shapes."""

from __future__ import annotations

import pytest

from lstm_viz.explain.tables import dims_text, other_layout, shape_text, verdict
from lstm_viz.i18n import catalog, t
from lstm_viz.io.snippet import reproduce_snippet
from lstm_viz.state.pipeline import run
from lstm_viz.state.presets import PRESETS
from tests.apptest_utils import open_app
from tests.test_tables import real_shapes


def _texts(at) -> list[str]:
    kinds = ("markdown", "caption", "header", "title")
    return [el.value for kind in kinds for el in at.get(kind)]


def _cells(at) -> set[str]:
    """Every cell of every table on the page, as the user sees it."""
    return {str(v) for df in at.dataframe for v in df.value.to_numpy().ravel()}


@pytest.fixture(scope="module", params=list(PRESETS))
def page(request):
    """(preset, the Shapes page at ?preset=<name>, the real run of the page's settings)."""
    name = request.param
    at = open_app({"preset": name}, "shapes")
    return name, at, run(at.session_state["settings"])


def test_no_error_and_every_shape_of_the_contract_is_shown(page):
    _, at, result = page
    assert not at.exception and not at.error
    assert not at.get("plotly_chart")
    cells = _cells(at)
    for entry in result.shapes:
        assert entry.name in cells
        assert dims_text(entry.shape) in cells and dims_text(entry.dims) in cells
    cfg, spec, batch = result.settings.config, result.settings.spec, result.batch
    total = spec.total_length if spec.packed else None
    for entry in other_layout(cfg, batch.N, batch.L, total or None):  # batch_first side by side
        if entry.kind != "parameter":
            assert shape_text(entry) in cells


def test_constructor_arguments_are_listed_with_their_values(page):
    _, at, result = page
    args = at.dataframe[0].value
    cfg = result.settings.config
    assert dict(zip(args.iloc[1:, 0], args.iloc[1:, 1], strict=True)) == {
        k: repr(v) for k, v in cfg.kwargs().items()}


def test_the_snippet_is_the_runs_script_with_a_download(page):
    _, at, result = page
    assert at.code[0].value.strip() == reproduce_snippet(result.settings, result.device).strip()
    assert at.code[0].language == "python"
    assert [b.key for b in at.get("download_button")].count("shapes_download") == 1  # the .py


def test_claims_show_the_engines_verdicts_in_order(page):
    _, at, result = page
    labels = {v: t(f"claim.verdict.{v}", "en") for v in ("holds", "fails", "na")}
    shown = [next(v for v, label in labels.items() if label in text)
             for text in _texts(at) if any(label in text for label in labels.values())]
    assert shown == [verdict(c) for c in result.claims]
    texts = " ".join(_texts(at))
    for claim in result.claims:
        assert t(f"claim.{claim.key}.why", "en") in texts


def test_the_articles_shapes_are_compared_with_torch(page):
    name, at, result = page
    table, real = at.dataframe[-1].value, real_shapes(result)
    assert list(table.iloc[:, 0]) == list(PRESETS[name].expected)
    assert list(table.iloc[:, 3]) == ["✓" if real[k] == tuple(v) else "✗"
                                      for k, v in PRESETS[name].expected.items()]


def test_a_changed_config_is_not_ticked_and_bidirectional_h_n_fails():
    at = open_app({"preset": "batch-first", "bidirectional": "true"}, "shapes")
    assert not at.exception and not at.error
    assert set(at.dataframe[-1].value.iloc[:, 3]) == {"–"}
    texts = " ".join(_texts(at))
    assert t("claim.verdict.fails", "en") in texts
    assert "backward half does not" in texts  # the bidirectional detail of article 003's claim


def test_chinese_renders_from_the_catalogs():
    at = open_app({"preset": "packing", "lang": "zh"}, "shapes")
    assert not at.exception and not at.error
    texts = _texts(at)
    assert t("shapes.section.claims", "zh") in texts
    assert any(t("claim.padding_changes_shorter.statement", "zh") in x for x in texts)
    assert t("shapes.col.tensor", "zh") in at.dataframe[1].value.columns
    raw_keys = {k for k in catalog("en") if k.startswith(("shapes.", "claim."))}
    assert not raw_keys & set(texts)
