"""Hostile input, without a server: whatever a URL, a widget or a teacher's settings send,
``from_query``/``make_valid`` give valid Settings within the caps, text is kept literally
(less control characters) and the reproduce script stays Python that rebuilds the batch.

The app-level versions (AppTest) are in test_hostile_app.py; sessions and threads in
test_isolation.py. Each test adds the inputs it tried to ``TRIED``; the total is printed.
"""

from __future__ import annotations

import ast
import contextlib
import html
import io
import os
import re
from collections import Counter
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_viz.core.caps import HARD_LIMIT, Caps
from lstm_viz.core.config import validate
from lstm_viz.core.inputs import make_batch
from lstm_viz.core.tokens import split_sentences, tokenise
from lstm_viz.explain.packing_view import sentence_names, token_sep
from lstm_viz.figures import padded_grid, plain
from lstm_viz.io.snippet import reproduce_snippet
from lstm_viz.state.presets import PRESETS
from lstm_viz.state.query import from_query
from lstm_viz.state.repair import make_valid
from lstm_viz.state.sanitize import clean_text, minimal
from lstm_viz.state.settings import KNOWN_KEYS, Settings, from_preset
from tests.hostile_report import write_count
from ui.text import md_escape

ROOT = Path(__file__).resolve().parent.parent
CAPS = Caps()
TRIED: Counter = Counter()

ZWJ_FAMILY = "👩\u200d👩\u200d👧\u200d👦"
HOSTILE_TEXTS = {
    "empty": "",
    "whitespace": "   \n\t\t \n \u3000 \n",
    "one huge line": "x" * 100_000,
    "100k chars of words": "ab cd ef\n" * 11_112,
    "10k sentences": "\n".join(f"s{k} a b" for k in range(10_000)),
    "emoji zwj skin flags": f"{ZWJ_FAMILY} 👍🏽 🇫🇷 🏳️‍🌈 ❤️\n👋🏿 hi 🧑🏽‍💻",
    "combining marks": "e\u0301te\u0301 cafe\u0301\nZ\u0336\u0321a\u0337\u0322l\u0338g\u0335o",
    "right to left": "مرحبا بالعالم\nשלום עולם 123\nabc مرحبا def",
    "bidi override": "abc \u202eevil\u202c \u2066iso\u2069 \u200fx",
    "control chars": "a\x01b\x1b[31mred\x7f \x85next\x9b c\x08d",
    "nul bytes": "a\x00b \x00\x00 c\n\x00",
    "html script": "<script>alert(1)</script> <b>bold</b> <img src=x onerror=alert(1)>",
    "html entities": "&amp; &lt;b&gt; &#60;i&#62; &nbsp;",
    "markdown": "**bold** _it_ # head [a](http://x) ![i](y) `code` > q ~~s~~ | t |\n- item\n1. one",
    "latex": "$x^2$ $$\\int_0^1 f$$ \\(a\\) \\[b\\]",
    "streamlit directives": ":material/home: :red[red] :smile: :blue-background[x]",
    "format strings": "{x} {0} %s %(a)s {0.__class__} {{}}",
    "python quotes": "''' \"\"\" \\ \\n \\x00 ' \" \\\\",
    "line separators": "a\u2028b\u2029c\r\nd\re\x0bf\x0cg\x1ch",
    "autolinks": "www.example.com http://evil.test/x mailto:a@b.c",
    "setext": "heading\n===\nrule\n---",
    "invisible": "\ufeffbom \u200bzero \u2060join \u00adsoft",
    "lone surrogate": "a\ud800b \udfff c",
    "pad token": "<pad> <PAD> [PAD]",
    "long token": "a" * 3000 + " b",
    "cjk": "我爱狗\n你好吗？“引号”",
    "devanagari": "नमस्ते दुनिया",
    "private use": "\ue000\uf8ff \U000f0000",
    "many lines of spaces": " \n" * 50_000 + "x",
}
LEVELS = ("word", "char")
REMOVED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b\ufeff"
                     "\ud800-\udfff]")


@pytest.fixture(scope="module", autouse=True)
def report_count(request):
    yield
    write_count(request, "test_hostile.py", TRIED)

def within_caps(s: Settings, caps: Caps = CAPS):
    """Settings that validate and build their batch inside ``caps``; the batch."""
    validate(s.config, caps)
    batch = make_batch(s.spec, s.config, caps=caps)
    assert batch.N <= caps.max_batch and batch.L <= caps.max_seq_len
    assert s.config.hidden_size <= caps.max_hidden_size
    assert s.config.num_layers <= caps.max_layers
    assert s.config.input_size <= caps.max_input_size
    assert len(s.spec.sentences) <= caps.max_text_chars
    assert s.device in ("cpu", "mps") or re.fullmatch(r"cuda(:\d{1,2})?", s.device)
    assert s.preset in PRESETS and s.lang in (None, "en", "zh")
    return batch


def run_snippet(code: str) -> dict:
    """Execute a reproduce script in a fresh namespace (torch is already imported)."""
    ast.parse(code)
    namespace: dict = {"__name__": "__snippet__"}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(code, "lstm_viz_reproduce.py", "exec"), namespace)
    return namespace


# --- text ----------------------------------------------------------------------------------

@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("name", list(HOSTILE_TEXTS))
def test_hostile_text_is_kept_literally_and_reproduces(name, level):
    text = HOSTILE_TEXTS[name]
    TRIED["text"] += 1
    s, notices = from_query({"preset": "pets", "sentences": text, "tokens": level})
    batch = within_caps(s)
    kept = s.spec.sentences
    assert not REMOVED.search(kept)
    if s.spec.sentences != from_preset("pets").spec.sentences:  # else: nothing left, preset's
        assert kept in clean_text(text.strip()) or notices  # a cut is announced
    for sentence, tokens in zip(split_sentences(kept), batch.tokens, strict=True):
        assert tokens == tokenise(sentence, s.spec.tokens)
        assert all(tok in sentence for tok in tokens)  # tokens are the user's text, unchanged
    ns = run_snippet(reproduce_snippet(s))
    assert ns["tokens"] == ([[int(t) for t in toks] for toks in batch.tokens]
                            if s.spec.tokens == "ids" else batch.tokens)
    assert torch.equal(ns["input"], batch.padded)


def test_a_cut_never_splits_a_grapheme_cluster():
    TRIED["text"] += 2
    text = (ZWJ_FAMILY + "e\u0301") * 100
    s, notices = from_query({"preset": "pets", "sentences": text, "tokens": "char"})
    tokens = tokenise(s.spec.sentences, "char")
    assert len(tokens) == CAPS.max_seq_len and notices
    assert set(tokens) == {ZWJ_FAMILY, "e\u0301"}


@pytest.mark.parametrize(("text", "tokens"), [
    (ZWJ_FAMILY + " 👍🏽🇫🇷", [ZWJ_FAMILY, "👍🏽", "🇫🇷"]),
    ("e\u0301a", ["e\u0301", "a"]),
    ("नमस्ते", ["न", "म", "स्ते"]),
    ("我 爱\t狗", ["我", "爱", "狗"]),
    ("a \u0301b", ["a", "\u0301", "b"]),  # a mark after a space: its own token, no space
])
def test_char_tokens_are_grapheme_clusters(text, tokens):
    TRIED["text"] += 1
    assert tokenise(text, "char") == tokens


def test_md_escape_shows_every_character_literally():
    for text in HOSTILE_TEXTS.values():
        TRIED["markdown"] += 1
        escaped = md_escape(text[:2000])
        assert re.sub(r"\\(.)", r"\1", escaped, flags=re.S) == text[:2000]
        assert not re.search(r"(?<!\\)[<>*_`$\[\]:&#]", escaped.replace("\\\\", ""))


def test_plain_shows_html_literally_in_figures():
    for text in HOSTILE_TEXTS.values():
        TRIED["figure"] += 1
        assert html.unescape(plain(text)) == text
        assert "<" not in plain(text) and ">" not in plain(text)


# --- numbers, choices, keys ----------------------------------------------------------------

BAD_NUMBERS = ["-1", "0", "-0", "1e309", "nan", "NaN", "inf", "-inf", "2.5", "1e3", "0x10",
               "99999999999999999999", "100000", " 7 ", "+3", "٣", "", "true", "1_0", "²",
               "1" * 5000]
INT_KEYS = {"hidden_size": {}, "num_layers": {}, "proj_size": {}, "seed": {},
            "input_size": {"mode": "randn"}, "seq_len": {"mode": "randn"},
            "batch": {"mode": "randn"}, "embedding_dim": {"encoding": "embedding"},
            "num_embeddings": {"encoding": "embedding"}, "total_length": {"packed": "1"}}
BOOL_VALUES = {"yes": True, "1": True, "TRUE": True, "on": True, "no": False, "0": False,
               "False": False, "off": False}
CHOICE_KEYS = ("cell", "nonlinearity", "mode", "tokens", "encoding", "h0", "device", "lang",
               "preset")


@pytest.mark.parametrize("key", list(INT_KEYS))
def test_bad_integers_are_repaired_within_caps(key):
    for raw in BAD_NUMBERS:
        TRIED["number"] += 1
        s, notices = from_query({"preset": "official", **INT_KEYS[key], key: raw})
        within_caps(s)
        asked = raw.strip()
        if s.get(key) != (int(asked) if re.fullmatch(r"[+-]?\d{1,12}", asked) else None):
            assert any(n.arg == key for n in notices), (key, raw, notices)
        assert all(len(n.value) <= 40 for n in notices)


def test_bad_dropout_is_repaired():
    for raw in [*BAD_NUMBERS, "1", "0.999", "-0.0", "1e-400", "0.5abc"]:
        TRIED["number"] += 1
        s, _ = from_query({"preset": "stacked", "dropout": raw})
        within_caps(s)
        assert 0 <= s.config.dropout < 1


@pytest.mark.parametrize("key", ["bias", "batch_first", "bidirectional", "packed",
                                 "enforce_sorted", "lock"])
def test_booleans(key):
    for raw, value in [*BOOL_VALUES.items(), ("2", None), ("maybe", None), ("", None)]:
        TRIED["bool"] += 1
        s, notices = from_query({"preset": "pets", key: raw})
        within_caps(s)
        if value is None:
            assert any(n.arg == key for n in notices)
        elif key != "enforce_sorted":  # pets is unsorted: enforce_sorted=True is repaired
            assert s.get(key) is value


@pytest.mark.parametrize("key", CHOICE_KEYS)
def test_unknown_choices_fall_back_with_a_notice(key):
    for raw in ["transformer", "../../etc/passwd", "<script>", "meta", "cuda:999", "fr",
                "x" * 10_000, "LSTM\x00", ""]:
        TRIED["choice"] += 1
        s, notices = from_query({key: raw})
        within_caps(s)
        assert any(n.arg == key for n in notices), (key, raw)
        assert all(len(str(n)) < 400 for n in notices)


def test_repeated_and_unknown_keys_cost_one_notice_each_kind():
    TRIED["keys"] += 3
    query = {f"junk{k}": "<b>x</b>" for k in range(10_000)}
    query.update(hidden_size=["3", "4", "100000"], HIDDEN_SIZE="5", hide="a," * 1000)
    s, notices = from_query(query)
    within_caps(s)
    assert s.config.hidden_size == CAPS.max_hidden_size
    assert len(notices) <= 4, [str(n) for n in notices]
    assert "(+" in notices[0].arg  # "junk0, junk1, junk2 (+… more)"


@pytest.mark.parametrize("device", ["cuda", "cuda:1", "mps", "CUDA", " mps "])
def test_absent_devices_are_kept_and_fall_back_at_run_time(device):
    from lstm_viz.state.pipeline import run

    TRIED["device"] += 1
    s, _ = from_query({"preset": "pets", "device": device})
    assert s.device == device.strip().lower()
    result = run(s)
    if s.device not in ("cpu",) and not torch.cuda.is_available():
        assert result.device == "cpu" and s.device in result.fallback_reason


# --- caps on every path --------------------------------------------------------------------

SMALL = Caps(max_seq_len=3, max_batch=2, max_hidden_size=4, max_input_size=6, max_layers=1,
             max_vocab=6, max_embedding_dim=2, max_text_chars=40, max_seed=10)


TINY = Caps(**{f.name: 1 for f in fields(Caps)})


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_is_clamped_to_a_small_deployment(name):
    for caps in (SMALL, TINY):
        TRIED["caps"] += 2
        s, _ = from_query({"preset": name}, caps)
        within_caps(s, caps)
        within_caps(minimal(from_preset(name), caps), caps)  # make_valid's last resort


def test_widget_values_of_any_kind_are_repaired():
    """What a widget callback hands ``ui.state.apply``: ``make_valid`` takes anything."""
    base = from_preset("official")
    for key in KNOWN_KEYS:
        for value in [10**9, -1, 2.5, float("nan"), "x" * 5000, None, True, [], {"a": 1}, "\x00"]:
            TRIED["widget"] += 1
            try:
                s = base.set(key, value)
            except TypeError:
                continue
            repaired = make_valid(s, CAPS, [])
            within_caps(repaired)


@pytest.mark.parametrize("raw", ["0", "-3", "²", "١٢", "1e3", "abc", "99999999999", " "])
def test_deployment_caps_must_be_sane(raw):
    TRIED["env"] += 1
    for f in fields(Caps):
        with pytest.raises(ValueError, match=f"LSTM_VIZ_{f.name.upper()}"):
            Caps.from_env({f"LSTM_VIZ_{f.name.upper()}": raw})
    with pytest.raises(ValueError):
        Caps(max_batch=0)
    assert Caps.from_env({"LSTM_VIZ_MAX_BATCH": str(HARD_LIMIT)}).max_batch == HARD_LIMIT


# --- fuzz: query strings and text ------------------------------------------------------------

RAW = st.one_of(st.sampled_from(BAD_NUMBERS + list(BOOL_VALUES) + [
    "LSTM", "gru", "RNN", "relu", "ids", "char", "word", "embedding", "onehot", "randn",
    "zeros", "packing", "stacked", "zh", "cuda", "mps", "proj_size,hidden_size"]),
    st.text(max_size=40))
TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=300) | st.sampled_from(
    list(HOSTILE_TEXTS.values()))
KEYS = st.sampled_from([*KNOWN_KEYS, "junk", "", "HIDDEN_SIZE", "preset "])
QUERY = st.dictionaries(KEYS, RAW | st.lists(RAW, min_size=1, max_size=3), max_size=10)
EXAMPLES = int(os.environ.get("LSTM_VIZ_FUZZ_EXAMPLES", 300))


@settings(max_examples=EXAMPLES, deadline=None)
@given(QUERY, TEXT, st.sampled_from(["word", "char", "ids"]))
def test_fuzz_query_and_text(query, text, level):
    TRIED["fuzz"] += 1
    query = {**query, "sentences": text, "tokens": level}
    s, notices = from_query(query)
    batch = within_caps(s)
    assert len(notices) <= 2 * len(KNOWN_KEYS) + 4
    assert not REMOVED.search(s.spec.sentences)
    code = reproduce_snippet(s)
    ast.parse(code)  # any text: still Python
    assert f"sentences = {split_sentences(s.spec.sentences)!r}" in code or s.spec.mode != (
        "sentences")
    fig = padded_grid(batch.tokens, batch.lengths.tolist(), title="t", x_title="x", y_title="y")
    shown = {str(v) for v in np.asarray(fig.data[0].text, dtype=object).ravel()}
    for toks in batch.tokens:
        assert all(plain(tok) in shown for tok in toks)
    sentence_names(batch.tokens, batch.lengths.tolist(), token_sep(batch.tokens))


# --- security defaults in the source --------------------------------------------------------

def _sources() -> dict[Path, str]:
    paths = [ROOT / "app.py", *ROOT.glob("app_pages/*.py"), *ROOT.glob("ui/*.py"),
             *ROOT.glob("lstm_viz/**/*.py")]
    return {p: p.read_text(encoding="utf-8") for p in paths}


# The one st.html: the app's own stylesheet (accessibility fixes), a constant file of CSS only.
OWN_STYLESHEET = ("ui/a11y.py", "    st.html(CSS)")


def test_no_unsafe_html_anywhere():
    for path, src in _sources().items():
        assert "unsafe_allow_html" not in src, path
        if path.relative_to(ROOT).as_posix() == OWN_STYLESHEET[0]:
            src = src.replace(OWN_STYLESHEET[1], "")
        assert not re.search(r"\bst\.html\(|components\.html\(", src), path
    css = (ROOT / "ui" / "a11y.css").read_text(encoding="utf-8")
    assert "<" not in css and "url(" not in css and "@import" not in css  # style rules only


def test_xsrf_protection_stays_on():
    config = (ROOT / ".streamlit" / "config.toml").read_text()
    assert re.search(r"^enableXsrfProtection\s*=\s*true", config, re.M)
    assert not re.search(r"^enableCORS\s*=\s*false", config, re.M)
    assert re.search(r'^showErrorDetails\s*=\s*"none"', config, re.M)


FILE_ACCESS = re.compile(r"(?<![.\w])open\(|\bPath\(|\.read_text\(|\.read_bytes\(|os\.path\.|"
                         r"\bio\.open|torch\.load\(|pickle\.|__import__|importlib|(?<![.\w])eval\(|(?<![.\w])exec\(")
ALLOWED_FILE_ACCESS = {  # constant paths next to the code, never a user's value
    "app.py": ['FAVICON = Path(__file__).parent / "ui" / "favicon.png"'],
    "ui/a11y.py": ['CSS = Path(__file__).with_name("a11y.css")'],
    "lstm_viz/i18n/__init__.py": ["Path(__file__)", "open(", ".read_text("],
    # the Chromium of static exports: a deployment's variable or a fixed path, not a request
    "lstm_viz/io/static_image.py": ["os.path.isfile(value)", "os.path.isfile(candidate)"],
    # an upload's bytes, in memory (io.BytesIO), never a path; and the docstrings naming it
    "lstm_viz/io/weights_file.py": ["torch.load(io.BytesIO(data)", "``torch.load(",
                                 "except pickle.UnpicklingError"],
}


def test_nothing_from_a_request_reaches_the_file_system():
    for path, src in _sources().items():
        rel = path.relative_to(ROOT).as_posix()
        for line in src.splitlines():
            if FILE_ACCESS.search(line) and not line.lstrip().startswith(("#", '"', "'")):
                allowed = ALLOWED_FILE_ACCESS.get(rel, [])
                assert any(a in line for a in allowed), f"{rel}: {line.strip()}"


def test_every_streamlit_cache_is_bounded():
    decorators = 0
    for path, src in _sources().items():
        for match in re.finditer(r"@st\.cache_(data|resource)(\((?P<args>[^)]*)\))?", src):
            decorators += 1
            assert "max_entries=" in (match.group("args") or ""), f"{path}: {match.group(0)}"
            assert "max_entries=None" not in match.group("args")
    assert decorators >= 3
