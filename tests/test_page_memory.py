"""The Memory page in AppTest, per cell and language: the answers come from the shipped
models themselves (run here as ``ToyModel``s, independently of the page), the forced run and
its sentence from ``intervene``; its own URL keys round-trip, survive page switches, and
hostile values through the URL and the widgets end as notices, never as a traceback."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
import torch
from apptest_utils import open_app, plotly_array
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_viz import trained
from lstm_viz.explain import memory as mem
from lstm_viz.i18n import LANGS, catalog, t
from lstm_viz.state.memory_keys import FIRST, LONG, MEMORY, UNITS
from lstm_viz.state.page_spec import from_query, to_query
from lstm_viz.state.query import from_query as settings_from_query
from lstm_viz.trained.model import ToyModel
from lstm_viz.trained.tasks import TASKS, encode
from ui.text import md_escape

GATE = {"LSTM": "f", "GRU": "z", "RNN": "h"}


def _specs(at) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def _query(at) -> dict[str, str]:
    return {k: at.query_params[k][-1] if isinstance(at.query_params[k], list)
            else at.query_params[k] for k in at.query_params}


def _per_word_p(name: str, tokens: list[str], truth: str) -> np.ndarray:
    """p(first word's animal) after every word, from the shipped ToyModel itself."""
    meta = trained.info(name)
    model = ToyModel(meta["config"]["cell"], len(meta["vocab"]), meta["embedding_dim"],
                     meta["config"]["hidden_size"], len(meta["classes"]), False)
    model.load_state_dict(trained.state_dict(name))
    ids = torch.tensor(encode(TASKS["memory"], tokens))
    with torch.no_grad():
        out, _ = model.rnn(model.embedding(ids)[:, None])  # (L, 1, H)
        probs = torch.softmax(model.head(out[:, 0]), -1)  # (L, classes)
    return probs[:, meta["classes"].index(truth)].numpy()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("cell", list(mem.NAMES))
def test_the_page_shows_the_three_models_and_the_forced_cell(cell, lang):
    at = open_app({"lang": lang, "m_cell": cell, "m_gate": GATE[cell]}, "memory")
    assert not at.exception and not at.error and not at.warning
    assert at.title[0].value == t("page.memory", lang)
    specs = _specs(at)
    assert len(specs) == 7
    tokens = FIRST.split()
    answers = plotly_array(specs[0]["data"][0]["z"])  # rows RNN, GRU, LSTM
    for row, name in enumerate(mem.MODELS):
        np.testing.assert_allclose(answers[row], _per_word_p(name, tokens, "cat"), atol=1e-5)
    assert answers[2].min() > 0.9 > answers[0, 1:].max()  # the LSTM keeps "cat"; the RNN not
    badge = t("memory.verified", lang, n=3, diff="@").split("@")[0]  # counts the runs shown
    assert [s.value for s in at.success if s.value.startswith(badge)]
    name = mem.model_for(cell)
    before = mem.look(name, tokens)
    _, after = mem.forced(name, tokens, GATE[cell], 0.0, None, 1)
    forced_rows = plotly_array(specs[5]["data"][0]["z"])
    np.testing.assert_allclose(forced_rows[1], after[:, 0], atol=1e-5)  # class 0 = "cat"
    said = mem.what_happened(name, tokens, GATE[cell], 0.0, None, 1, before.probs, after, lang)
    assert md_escape(said) in [i.value for i in at.info]
    if cell == "LSTM":
        assert ("forgets" if lang == "en" else "忘了") in said
    shown = [str(e.value) for e in (*at.markdown, *at.caption, *at.info, *at.header)]
    assert not [s for s in shown if s in catalog(lang)]  # no raw keys


def test_widgets_write_the_url_and_a_link_reproduces_the_view():
    at = open_app(None, "memory")
    assert _query(at) == {"preset": "official"}
    at.text_input(key="w_m_sentence").input("dog saw a cat then a bird").run()
    at.selectbox(key="w_m_gate").select("i").run()
    at.slider(key="w_m_value").set_value(0.5).run()
    at.multiselect(key="w_m_units").select(2).select(5).run()
    at.slider(key="w_m_from").set_value(3).run()
    assert not at.exception and not at.warning
    query = _query(at)
    assert query == {"preset": "official", "m_sentence": "dog saw a cat then a bird",
                     "m_gate": "i", "m_value": "0.5", "m_units": "2,5", "m_from": "3"}
    fresh = open_app(query, "memory")
    assert fresh.session_state["page_values"] == at.session_state["page_values"]
    assert fresh.multiselect(key="w_m_units").value == [2, 5]
    assert fresh.slider(key="w_m_value").value == 0.5
    assert [i.value for i in fresh.info] == [i.value for i in at.info]
    at.switch_page("app_pages/gates.py").run()
    assert not any(k.startswith("m_") for k in _query(at))  # another page: its own URL
    at.switch_page("app_pages/memory.py").run()
    assert _query(at) == query and at.slider(key="w_m_from").value == 3


def test_a_view_sets_every_choice_and_a_link_names_it():
    at = open_app({"m_view": "long", "m_step": "30"}, "memory")
    assert not at.exception and not at.warning
    assert at.text_input(key="w_m_sentence").value == LONG
    assert at.slider(key="w_m_from").value == 20
    assert at.select_slider(key="w_m_step").value == 30
    at.selectbox(key="w_m_view").select("input-shut").run()
    assert _query(at) == {"preset": "official", "m_view": "input-shut"}
    assert at.selectbox(key="w_m_gate").value == "i"
    assert at.text_input(key="w_m_sentence").value == FIRST


def test_generate_writes_a_sentence_of_the_task():
    at = open_app({"m_distance": "12"}, "memory")
    at.button(key="m_generate").click().run()
    words = at.text_input(key="w_m_sentence").value.split()
    assert len(words) == 13 and words[0] in mem.CLASSES
    assert set(words) <= set(TASKS["memory"].vocab)
    assert _query(at)["m_sentence"] == " ".join(words)


@pytest.mark.parametrize("query", [
    {"m_value": "nan"}, {"m_value": "2"}, {"m_value": "abc"}, {"m_units": "99,-1,x"},
    {"m_gate": "zz"}, {"m_cell": "CNN"}, {"m_step": "999"}, {"m_from": "-5"},
    {"m_view": "../../etc/passwd"}, {"m_distance": "1e9"}, {"m_cell": "GRU", "m_gate": "f"},
    {"m_gate": "f", "m_value": "-0.5"}, {"m_from": ["1", "2"]},
])
def test_bad_page_values_in_a_link_are_repaired_with_a_notice(query):
    at = open_app(query, "memory")
    assert not at.exception and not at.error
    _, notices = from_query(query, MEMORY)
    assert notices
    shown = " ".join(w.value for w in at.warning)
    assert all(md_escape(n.arg) in shown or n.arg in shown for n in notices)
    assert not settings_from_query(query)[1]  # the sidebar does not call them unknown


def test_hostile_sentences_show_as_text_and_are_cut_to_the_page_cap():
    hostile = "cat <script>alert(1)</script> **b** $x$ \x00\u202e [a](javascript:x) 🐱 " * 3
    at = open_app({"m_sentence": hostile}, "memory")
    assert not at.exception and not at.error
    for spec in _specs(at):
        dumped = json.dumps(spec, ensure_ascii=False)
        assert "<script" not in dumped and "\u202e" not in dumped and "\x00" not in dumped
    for md in [*at.markdown, *at.caption, *at.warning, *at.info]:
        assert "<script>" not in md.value and "$x$" not in md.value
    at.text_input(key="w_m_sentence").input(" ".join(["dog\x1b"] * 700)).run()
    assert not at.exception
    assert any("700 words" in w.value for w in at.warning)
    assert "\x1b" not in at.session_state["page_values"]["memory"]["m_sentence"]
    assert len(plotly_array(_specs(at)[0]["data"][0]["z"])[0]) == mem.MAX_WORDS
    at.text_input(key="w_m_sentence").input("   ").run()
    assert not at.exception and not at.get("plotly_chart")
    assert t("memory.empty", "en") in [i.value for i in at.info]


def test_page_keys_round_trip_and_fit_the_models():
    values, notices = from_query({"m_view": "open", "m_units": "3,1,3", "m_gate": "o"}, MEMORY)
    assert not notices and values["m_units"] == (1, 3) and values["m_value"] == 1.0
    assert to_query(values, MEMORY) == {"m_view": "open", "m_units": "1,3", "m_gate": "o"}
    assert from_query(to_query(values, MEMORY), MEMORY)[0] == values
    assert {trained.config(m).hidden_size for m in mem.MODELS} == {UNITS}


def test_the_memory_models_run_on_the_other_pages_too():
    at = open_app({"weights": "memory-lstm", "sentences": FIRST}, "states")
    assert not at.exception and not at.error
    assert any(t("trained.class.cat", "en") in m.value for m in at.markdown)


RAW = st.one_of(st.text(max_size=30), st.sampled_from(
    ["nan", "inf", "-1", "1e9", "0.5", "LSTM", "gru", "f", "z", "all", "1,2,99", ",,", "long",
     "99999999999999999999", "\x00", "<b>x</b>"]))


@settings(max_examples=int(os.environ.get("LSTM_VIZ_FUZZ_EXAMPLES", 300)), deadline=None)
@given(st.dictionaries(st.sampled_from(MEMORY.names()), RAW | st.lists(RAW, max_size=3)))
def test_any_page_query_reads_as_valid_values(query):
    values, _ = from_query(query, MEMORY)
    assert values.keys() == {MEMORY.view_key, *(k.name for k in MEMORY.keys)}
    assert values["m_gate"] in mem.NAMES[values["m_cell"]]
    assert -1 <= values["m_value"] <= 1 and 0 <= values["m_from"] < mem.MAX_WORDS
    assert values["m_units"] is None or set(values["m_units"]) <= set(range(UNITS))
    assert "\x00" not in values["m_sentence"]
    assert from_query(to_query(values, MEMORY), MEMORY)[0] == values


@pytest.mark.parametrize("lang", LANGS)
def test_the_sidebar_says_its_settings_are_not_used_here_and_keeps_them(lang):
    """The page draws its own three models: the sidebar offers the language and says so,
    instead of controls that would change nothing; the settings come back on other pages."""
    at = open_app({"lang": lang, "hidden_size": "33", "preset": "pets"}, "memory")
    assert not at.exception and not at.error
    assert [w.label for w in at.sidebar.selectbox] == [t("arg.lang", lang)]
    for kind in ("number_input", "toggle", "radio", "text_area", "slider", "expander"):
        assert not at.sidebar.get(kind), kind
    assert [i.value for i in at.sidebar.info] == [t("memory.sidebar_note", lang)]
    assert _query(at)["hidden_size"] == "33"  # still in the link
    at.switch_page("app_pages/gates.py").run()
    assert not at.exception
    assert at.number_input(key="w_hidden_size").value == 33
    assert at.selectbox(key="w_preset").value == "pets"
    assert t("memory.sidebar_note", lang) not in [i.value for i in at.sidebar.info]
