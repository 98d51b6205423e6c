"""Hostile input through the app (AppTest): URL values, forged widget messages, a teacher's
deployment settings, absent devices, text that looks like markup, and an exception inside
one session's run. Nothing may raise, show an error box, or exceed the caps.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1.element_tree import Radio, Selectbox

from lstm_viz.core.caps import Caps
from lstm_viz.core.tokens import PAD
from lstm_viz.figures import plain
from lstm_viz.i18n import t
from lstm_viz.io.snippet import reproduce_snippet
from lstm_viz.state.presets import PRESETS
from lstm_viz.state.settings import KNOWN_KEYS
from tests.apptest_utils import PAGES, open_app
from tests.hostile_inputs import BAD_NUMBERS, CLASS_HOSTILE, HOSTILE_TEXTS, within_caps
from tests.hostile_report import write_count
from ui import state
from ui.text import md_escape

TRIED: Counter = Counter()
KITCHEN_SINK = ("<script>alert(1)</script> **b** $x$ :red[r] &amp; [a](http://x)\n"
                "👩\u200d👩\u200d👧 e\u0301 مرحبا \u202eevil\x00 {0} ''' \\ `c`")


@pytest.fixture(scope="module", autouse=True)
def report_count(request):
    yield
    write_count(request, "test_hostile_app.py (through the app)", TRIED)

@pytest.fixture
def deployment(monkeypatch):
    """Set ``LSTM_VIZ_*`` variables as a deployment would; the app reads them afresh."""

    def set_env(**values: str) -> None:
        for key, value in values.items():
            monkeypatch.setenv(f"LSTM_VIZ_{key.upper()}", value)
        state.caps.clear()

    yield set_env
    monkeypatch.undo()
    state.caps.clear()


def healthy(at, caps: Caps | None = None):
    """No exception, no error box, Settings within the caps; returns the Settings."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    s = at.session_state["settings"]
    within_caps(s, caps or Caps())
    return s


def shown_token(at, s) -> None:
    """The overview's selected token is in its Markdown, escaped."""
    result = state_tokens(s)
    token = result[0][0] if result[0] else PAD
    assert any(md_escape(token) in m.value for m in at.markdown), token


def state_tokens(s) -> list[list[str]]:
    from lstm_viz.core.inputs import make_batch

    return make_batch(s.spec, s.config).tokens


# --- text ------------------------------------------------------------------------------------

# A URL cannot carry a lone surrogate (UTF-8 only; Python's parse_qs makes it U+FFFD).
URL_TEXTS = [name for name in HOSTILE_TEXTS if name != "lone surrogate"]


@pytest.mark.parametrize("name", URL_TEXTS)
def test_hostile_text_through_the_url(name):
    TRIED["text"] += 1
    at = open_app({"preset": "pets", "sentences": HOSTILE_TEXTS[name], "tokens": "char"})
    s = healthy(at)
    if "sentences" not in s.hide:
        assert at.text_area(key="w_sentences").value == s.spec.sentences
    shown_token(at, s)


@pytest.mark.parametrize("page", PAGES)
def test_markup_in_text_shows_literally_on_every_page(page):
    TRIED["page"] += 1
    at = open_app({"preset": "pets", "sentences": KITCHEN_SINK, "tokens": "word"}, page)
    s = healthy(at)
    tokens = state_tokens(s)
    # plotly's JSON writes < > / as \u003c …: compare the decoded strings
    specs = [json.dumps(json.loads(el.proto.spec), ensure_ascii=False)
             for el in at.get("plotly_chart")]
    for spec in specs:
        assert "<script" not in spec and "<b>" not in spec and "<i>" not in spec
    if specs:  # every page with charts shows sentence 0's first token somewhere
        assert any(plain("<script>alert(1)") in spec for spec in specs)
    for md in [*at.markdown, *at.caption, *at.warning, *at.info]:
        assert "<script>" not in md.value and "$x$" not in md.value
    if page == "shapes":
        code = next(c.value for c in at.code if c.value.startswith('"""lstm-viz'))
        assert code.rstrip("\n") == reproduce_snippet(s).rstrip("\n")
    if page == "overview":
        assert tokens[0][0] == "<script>alert(1)</script>"
        shown_token(at, s)


# --- caps on every path ------------------------------------------------------------------------

def test_a_url_asking_too_much_gets_the_cap_and_a_message():
    TRIED["caps"] += 2
    huge = "\n".join(f"w{k} x" for k in range(10_000))
    at = open_app({"preset": "official", "hidden_size": "100000", "num_layers": "999",
                   "sentences": huge, "mode": "sentences"}, "shapes")
    s = healthy(at)
    caps = Caps()
    assert s.config.hidden_size == caps.max_hidden_size
    assert s.config.num_layers == caps.max_layers
    assert len(s.spec.sentences.splitlines()) == caps.max_batch
    shown = " ".join(w.value for w in at.warning)
    for arg in ("hidden\\_size", "num\\_layers", "sentences"):
        assert arg in shown


def test_out_of_range_widget_values_never_exceed_the_caps():
    """Streamlit resets an out-of-range number_input to its default (min) on the server;
    the app's callback then repairs whatever arrives."""
    at = open_app({"preset": "official"})
    for value in (100_000, -5, 0):
        TRIED["widget"] += 1
        at.number_input(key="w_hidden_size").set_value(value).run()
        s = healthy(at)
        assert 1 <= s.config.hidden_size <= Caps().max_hidden_size


FORGED: dict[str, str] = {}


def _forged_state(self) -> WidgetState:
    ws = WidgetState()
    ws.id = self.id
    if self.key in FORGED:  # what a hand-written websocket message may send
        ws.string_value = FORGED[self.key]
    elif self.index is not None and len(self.options) > 0:
        ws.string_value = self.options[self.index]
    return ws


@pytest.mark.parametrize(("key", "raw"), [
    ("w_preset", "../../etc/passwd"), ("w_preset", "__class__"), ("w_device", "meta"),
    ("w_device", "cuda:99"), ("w_cell", "Transformer"), ("w_lang", "fr"), ("w_tokens", "bpe"),
    ("w_mode", "x" * 10_000), ("w_h0", "ones"), ("w_encoding", "<b>"),
])
def test_forged_choice_widgets_are_refused(monkeypatch, key, raw):
    """Selectbox and radio return any string a client sends that is not an option."""
    TRIED["widget"] += 1
    monkeypatch.setattr(Selectbox, "_widget_state", property(_forged_state))
    monkeypatch.setattr(Radio, "_widget_state", property(_forged_state))
    at = open_app({"preset": "pets"})
    FORGED[key] = raw
    try:
        at.run()
    finally:
        FORGED.clear()
    s = healthy(at)
    name = key.removeprefix("w_")
    assert s.preset in PRESETS
    if raw == "cuda:99":  # a device name: kept, and the run says it fell back to cpu
        assert "cpu" in " ".join(i.value for i in at.info)
    else:
        assert s.get(name) != raw and at.session_state["notices"]


def test_deployment_caps_and_defaults_are_enforced(deployment):
    TRIED["env"] += 3
    deployment(max_hidden_size="8", max_layers="1", preset="../../etc/passwd",
               hide="sentences,nope")
    at = open_app({"hidden_size": "64"}, "shapes")
    small = Caps(max_hidden_size=8, max_layers=1)
    s = healthy(at, small)
    assert s.config.hidden_size == 8 and s.config.num_layers == 1
    assert s.preset == "official" and s.hide == ("sentences",)
    shown = " ".join(w.value for w in at.warning)
    assert "preset" in shown and "hidden\\_size" in shown


def test_numbers_and_keys_through_the_app():
    at = open_app({"hidden_size": ["3", "5"], "num_layers": "-0", "dropout": "1e309",
                   "bidirectional": "TRUE", "seed": "nan", "Hidden_Size": "7",
                   **{f"junk{k}": "<i>x</i>" for k in range(500)}})
    TRIED["number"] += 6
    TRIED["keys"] += 500
    s = healthy(at)
    assert s.config.hidden_size == 5 and s.config.bidirectional is True
    assert s.config.dropout == 0.0 and s.spec.seed == 0
    assert len(at.warning) <= 6


@pytest.mark.parametrize("device", ["cuda", "cuda:1", "mps"])
def test_absent_device_falls_back_to_cpu_with_a_notice(device):
    TRIED["device"] += 1
    at = open_app({"preset": "pets", "device": device}, "shapes")
    healthy(at)
    info = " ".join(i.value for i in at.info)
    assert device.replace(":", "\\:") in info and "cpu" in info


# --- one session's failure stays in that session ---------------------------------------------

def test_an_exception_in_one_sessions_run_is_reported_there_only(monkeypatch):
    import ui.run

    real = ui.run.run

    def flaky(settings, *args, **kwargs):
        if settings.spec.seed == 666:
            raise RuntimeError("boom inside the engine")
        return real(settings, *args, **kwargs)

    monkeypatch.setattr(ui.run, "run", flaky)
    TRIED["isolation"] += 1
    bad, good = open_app({"preset": "pets", "seed": "666"}), open_app({"preset": "pets",
                                                                        "seed": "1"})
    assert not bad.exception and [e.value for e in bad.error] == [t("error.internal", "en")]
    assert "boom" not in " ".join(m.value for m in bad.markdown)
    healthy(good)
    assert good.get("plotly_chart")
    bad.number_input(key="w_seed").set_value(2).run()  # the same session recovers
    healthy(bad)


# --- fuzz: generated URLs through the app ------------------------------------------------------

APP_EXAMPLES = int(os.environ.get("LSTM_VIZ_FUZZ_APP_EXAMPLES", 300))  # "a few hundred" in CI
FUZZ_CAPS = {"max_hidden_size": "12", "max_layers": "2", "max_seq_len": "10", "max_batch": "4",
             "max_input_size": "48", "max_vocab": "48", "max_text_chars": "300"}
VALUE = st.sampled_from([*BAD_NUMBERS[:20], "yes", "TRUE", "GRU", "rnn", "char", "ids",
                         "embedding", "randn", "packing", "stacked", "zh", "cuda", "mps",
                         "<b>x</b>", "$x$", "hidden_size,cell"]) | st.text(max_size=20)
FUZZ_TEXT = st.text(max_size=200) | st.sampled_from([KITCHEN_SINK,
                                                     *(HOSTILE_TEXTS[n] for n in URL_TEXTS)])


@settings(max_examples=APP_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from([*KNOWN_KEYS, "junk"]), VALUE, max_size=6), FUZZ_TEXT)
def test_fuzz_the_app_with_generated_urls(deployment, query, text):
    TRIED["fuzz"] += 1
    deployment(**FUZZ_CAPS)
    query = {**query, "sentences": text}
    at = open_app(query)
    caps = Caps(**{k: int(v) for k, v in FUZZ_CAPS.items()})
    s = healthy(at, caps)
    if s.spec.mode == "sentences" and "sentences" not in s.hide:
        assert at.text_area(key="w_sentences").value == s.spec.sentences
        shown_token(at, s)


# --- resources: what a page sends --------------------------------------------------------------

def _payload_module():
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "measure" / "payload.py"
    spec = importlib.util.spec_from_file_location("lstm_viz_payload", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("config", "pages"), [("official", PAGES),
                                               ("largest", ("gates", "states"))])
def test_figure_payload_stays_within_budget(config, pages):
    """``python measure/payload.py`` prints the whole table; here the official preset on
    every page and the largest allowed config on the two heaviest pages."""
    payload = _payload_module()
    query = {"official": {"preset": "official"}, "largest": payload.largest_query(Caps())}
    for page in pages:
        TRIED["payload"] += 1
        row = payload.measure(query[config], page)
        assert row["chart_bytes"] <= payload.BUDGET[config], row


# --- class mode (issue 20): links, keys, nicknames and answers ----------------------------

def _class(lang: str = "en"):
    """A class opened through /teach: (its code, its teacher key)."""
    at = open_app({"lang": lang}, "teach")
    at.text_input(key="teach_name").input(CLASS_HOSTILE["html"])
    next(b for b in at.button if b.label == t("teach.open", lang)).click().run()
    query = dict(at.query_params)
    return query["class"], query["key"]


UNESCAPED = re.compile(r"(?<!\\)<(script|b>)")  # a tag whose "<" Markdown would read


def _no_markup(at) -> None:
    for el in [*at.markdown, *at.caption, *at.warning, *at.info, *at.header]:
        assert not UNESCAPED.search(el.value), el.value


@pytest.mark.parametrize("name", list(CLASS_HOSTILE))
def test_hostile_class_links_and_keys(name):
    """As a class code on both pages, as a student token, and as a teacher key: a notice
    or nothing, never a dashboard, never an error."""
    value = CLASS_HOSTILE[name]
    code, _ = _class()
    for query, page in (({"class": value}, "learn"), ({"class": value}, "teach"),
                        ({"class": code, "student": value}, "learn"),
                        ({"class": code, "key": value}, "teach")):
        TRIED["class link" if "key" not in query else "teacher key"] += 1
        at = open_app(query, page)
        assert not at.exception and not at.error, (query, [e.value for e in at.exception])
        _no_markup(at)
        if page == "teach":  # the open form, no dashboard
            assert not at.get("plotly_chart") and not at.metric
            assert "key" not in dict(at.query_params)


@pytest.mark.parametrize("name", list(CLASS_HOSTILE))
def test_hostile_nicknames_and_answers_in_a_class(name):
    """A student joins with the hostile text as nickname and types it as an answer: shown
    as text, kept as typed (≤ 200 characters), the feedback as usual."""
    from lstm_viz.classroom import names

    value = CLASS_HOSTILE[name]
    code, key = _class()
    at = open_app({"class": code}, "learn")
    at.text_input(key="class_nickname").input(value[:24])
    next(b for b in at.button if b.label == t("class.join", "en")).click().run()
    TRIED["nickname"] += 1
    assert not at.exception and not at.error
    student = at.session_state["class_bound"][1]
    assert student.nickname == names.nickname(value[:24]) and len(student.nickname) <= 24
    at.text_input[0].input(value)
    next(b for b in at.button if (b.key or "").startswith("learn_check")).click().run()
    TRIED["class answer"] += 1
    assert not at.exception and not at.error and at.warning  # unreadable: said so
    _no_markup(at)
    sent = at.session_state["class_answers"][-1]
    assert sent.typed == value.replace("\x00", "")[:200] and sent.status == "invalid"
    board = open_app({"class": code, "key": key, "names": "1"}, "teach")
    assert not board.exception and not board.error
    _no_markup(board)
    grid = json.loads(board.get("plotly_chart")[-1].proto.spec)
    assert all("<script" not in tick for tick in grid["layout"]["yaxis"]["ticktext"])
