"""Hostile inputs shared by the hostile-input tests (test_hostile.py, test_hostile_app.py):
texts a class may paste, values a URL may carry, and the check that Settings stay in caps."""

from __future__ import annotations

import re

from lstm_viz.core.caps import Caps
from lstm_viz.core.config import validate
from lstm_viz.core.inputs import make_batch
from lstm_viz.state.presets import PRESETS
from lstm_viz.state.settings import Settings

CAPS = Caps()

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


# Class mode (issue 20): what a class link (class=, student=), a teacher link (key=), a
# nickname or an answer typed in a class may carry. Every one goes through the app in
# test_hostile_app.py: nothing raises, nothing opens a dashboard, nothing renders as markup.
CLASS_HOSTILE = {
    "html": "<script>alert(1)</script><b>x</b>",
    "sql": "'; DROP TABLE answers; --",
    "sql in quotes": "\" OR \"1\"=\"1",
    "10k chars": "x" * 10_000,
    "right to left": "مرحبا \u202eevil\u202c",
    "nul": "a\x00b\x00",
    "markdown": "**x** [a](javascript:alert(1)) $x$ :red[r]",
    "format": "{0} {name} %s %(x)s",
    "path": "../../etc/passwd",
    "zero width": "\u200b\u200d\ufeff",
}
