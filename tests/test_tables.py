"""The Overview / Shapes tables and texts, checked against the real module and the catalogs."""

from __future__ import annotations

import pytest
import torch
from torch.nn.utils.rnn import pad_packed_sequence

from lstm_viz.core.caps import Caps
from lstm_viz.core.config import RNNConfig, constructor_call
from lstm_viz.core.inputs import InputSpec
from lstm_viz.core.shapes import shape_contract
from lstm_viz.explain.tables import (
    CLAIM_SOURCES,
    article_id,
    batch_first_table,
    claim_details,
    claim_numbers,
    claim_sentences,
    constructor_table,
    dims_text,
    equations,
    expected_table,
    format_number,
    other_layout,
    shape_text,
    shapes_table,
    summary,
    verdict,
)
from lstm_viz.i18n import LANGS, catalog
from lstm_viz.state.pipeline import run
from lstm_viz.state.presets import PRESETS
from lstm_viz.state.repair import make_valid
from lstm_viz.state.settings import Settings, from_preset


@pytest.fixture(scope="module")
def preset_runs():
    return {name: run(from_preset(name)) for name in PRESETS}


@pytest.fixture(scope="module")
def packed_bi_run():
    """Bidirectional, packed, sentences of different lengths: every claim has something to say."""
    spec = InputSpec(mode="sentences", sentences="a b c\nd\ne f", packed=True)
    settings = Settings(config=RNNConfig("LSTM", 1, 3, 2, bidirectional=True), spec=spec)
    return run(make_valid(settings, Caps(), []))


def test_dims_and_shape_text():
    assert dims_text((5, 3, 10)) == "(5, 3, 10)"
    assert dims_text((80,)) == "(80,)"
    assert dims_text(("L", "N", "H_in")) == "(L, N, H_in)"
    entry = shape_contract(RNNConfig("LSTM", 10, 20, 2), 3, 5)[0]
    assert shape_text(entry) == "(5, 3, 10) = (L, N, H_in)"


@pytest.mark.parametrize("config", [
    RNNConfig("LSTM", 3, 4), RNNConfig("LSTM", 3, 5, proj_size=2, bias=False),
    RNNConfig("GRU", 3, 4), RNNConfig("RNN", 3, 4, nonlinearity="relu"), RNNConfig("RNN", 3, 4),
])
def test_equations_follow_the_cell(config):
    tex = equations(config)
    assert tex.count("{") == tex.count("}")
    for gate in config.gates:
        assert f"{gate}_t &=" in tex
    assert ("b_{" in tex) == config.bias
    assert (r"W_{hr}\," in tex) == bool(config.proj_size)  # the projection, not GRU's W_hr
    assert ("ReLU" in tex) == (config.nonlinearity == "relu" and config.cell == "RNN")
    assert "h_t &=" in tex


def test_summary_names_the_call_and_the_batch():
    cfg = RNNConfig("LSTM", 10, 20, 2)
    text = summary(cfg, InputSpec(), 3, 5, "en")
    assert constructor_call(cfg) in text and "3 sentence" in text and "5 tokens" in text
    assert "pack_padded_sequence" not in text
    packed = summary(cfg, InputSpec(packed=True), 3, 5, "en")
    assert "pack_padded_sequence(enforce_sorted=False)" in packed
    assert "torch.randn" in summary(cfg, InputSpec(mode="randn"), 3, 5, "en")
    assert constructor_call(cfg) in summary(cfg, InputSpec(mode="randn"), 3, 5, "zh")


@pytest.mark.parametrize("cell", ["LSTM", "GRU", "RNN"])
def test_constructor_table_lists_the_arguments_that_cell_takes(cell):
    cfg = RNNConfig(cell, 3, 4, 2)
    df = constructor_table(cfg, "en")
    module = getattr(torch.nn, cell)(**cfg.kwargs())
    assert list(df.iloc[:, 0]) == ["cell", *cfg.kwargs()]
    for name, value in zip(df.iloc[1:, 0], df.iloc[1:, 1], strict=True):
        assert value == repr(getattr(module, name))  # what the real module stores
    assert ("proj_size" in set(df.iloc[:, 0])) == (cell == "LSTM")
    assert ("nonlinearity" in set(df.iloc[:, 0])) == (cell == "RNN")


def test_shapes_table_equals_the_real_module(preset_runs):
    result = preset_runs["official"]
    df = shapes_table(result.shapes, "en")
    module = torch.nn.LSTM(**result.settings.config.kwargs())
    shown = dict(zip(df.iloc[:, 0], df.iloc[:, 1], strict=True))
    for name, p in module.named_parameters():
        assert shown[name] == dims_text(tuple(p.shape))
    assert shown["output"] == dims_text(tuple(result.trace.output.shape))
    assert shown["h_n"] == dims_text(tuple(result.trace.h_n.shape))


@pytest.mark.parametrize("cell", ["LSTM", "GRU"])
def test_batch_first_table_against_torch(cell):
    cfg, N, L = RNNConfig(cell, 2, 3, 2, bidirectional=True), 4, 5
    df = batch_first_table(cfg, N, L, "en")
    rows = {r[0]: r for r in df.itertuples(index=False)}
    for batch_first, column in ((False, 1), (True, 2)):
        module = getattr(torch.nn, cell)(**cfg.replace(batch_first=batch_first).kwargs())
        x = torch.zeros((N, L, 2) if batch_first else (L, N, 2))
        out, state = module(x)
        h_n = state[0] if cell == "LSTM" else state
        assert rows["output"][column].startswith(dims_text(tuple(out.shape)))
        assert rows["h_n"][column].startswith(dims_text(tuple(h_n.shape)))
    assert rows["input"][3] == rows["output"][3] != rows["h_n"][3] == rows["h_0"][3]
    assert other_layout(cfg, N, L)[0].dims == ("N", "L", "H_in")


def real_shapes(result) -> dict[str, tuple[int, ...]]:
    """The tensors' shapes as torch made them in this run (a packed output padded back with
    pad_packed_sequence and the spec's total_length, as the articles do)."""
    batch, tr, spec = result.batch, result.trace, result.settings.spec
    out = tr.output
    if tr.packed:
        out = pad_packed_sequence(out, batch_first=tr.config.batch_first,
                                  total_length=spec.total_length or None)[0]
    states = batch.hx if isinstance(batch.hx, tuple) else (batch.hx,)
    shapes = {"input": batch.padded.shape, "output": out.shape, "h_n": tr.h_n.shape}
    shapes.update({k: x.shape for k, x in zip(("h_0", "c_0"), states, strict=False)
                   if x is not None})
    if tr.c_n is not None:
        shapes["c_n"] = tr.c_n.shape
    return {k: tuple(v) for k, v in shapes.items()}


def test_expected_tables_compare_the_article_with_torch(preset_runs):
    for name, result in preset_runs.items():
        preset, real = PRESETS[name], real_shapes(result)
        df = expected_table(preset.expected, result.shapes, True, "en")
        assert list(df.iloc[:, 2]) == [dims_text(real[k]) for k in preset.expected], name
        assert list(df.iloc[:, 3]) == ["✓" if real[k] == tuple(v) else "✗"
                                       for k, v in preset.expected.items()], name
        changed = expected_table(preset.expected, result.shapes, False, "en")
        assert set(changed.iloc[:, 3]) == {"–"}


def test_claim_helpers_on_a_packed_bidirectional_run(packed_bi_run):
    claims = {c.key: c for c in packed_bi_run.claims}
    last = claims["output_last_is_h_n"]
    assert verdict(last) == "fails"
    details = claim_details(last, "en")
    assert len(details) == 2 and "1, 2" in details[1]
    per = claim_sentences(last, packed_bi_run.batch.tokens, "en")
    assert list(per.iloc[:, 1]) == ["a b c", "d", "e f"]
    pad = claim_sentences(claims["padding_changes_shorter"], packed_bi_run.batch.tokens, "en")
    assert list(pad.iloc[:, 2]) == [3, 1, 2]
    assert claim_numbers(claims["padding_changes_shorter"], "en") is None
    view = claim_numbers(claims["view_splits_directions"], "en")
    assert float(view.iloc[2, 1]) > 1e-3  # the wrong view is really wrong with 2 layers, D=2
    assert claim_details(claims["view_splits_directions"], "en") == []


def test_one_direction_hides_the_halves(preset_runs):
    claim = preset_runs["official"].claims[0]
    labels = set(claim_numbers(claim, "en").iloc[:, 0])
    assert catalog("en")["claim.num.backward_diff"] not in labels
    assert format_number(1.5e-8) == "1.50e-08" and format_number((1, 2)) == "(1, 2)"
    assert format_number(True) == "True" and format_number([]) == "–"


@pytest.mark.parametrize("lang", LANGS)
def test_every_claim_text_and_number_label_exists(lang, preset_runs, packed_bi_run):
    keys = catalog(lang)
    claims = [c for r in [*preset_runs.values(), packed_bi_run] for c in r.claims]
    assert {c.key for c in claims} == set(CLAIM_SOURCES)
    for claim in claims:
        for part in ("statement", "why", "holds", "fails", "na"):
            assert f"claim.{claim.key}.{part}" in keys
        for number in claim.numbers:
            assert number == "per_sentence" or f"claim.num.{number}" in keys
    articles = {a for sources in CLAIM_SOURCES.values() for a in sources}
    articles |= {article_id(p.source) for p in PRESETS.values() if p.source}
    assert all(f"claim.article.{a}" in keys for a in articles)
