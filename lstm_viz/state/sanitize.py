"""Bring user text within the classroom caps, and check what the batch implies.

Text is cut, never rejected: a class pasting 10 000 lines gets the first ``max_batch``
sentences and a notice. Everything else that cannot be repaired by cutting raises
``ConfigError`` naming the argument, for ``repair.make_valid`` to repair.

What is removed from text (``clean_text``), with a notice: control characters (NUL, ESC,
DEL, C1 controls: everything of Unicode category Cc but newline and tab), lone surrogates,
and the invisible characters that change how *other* text is shown: bidirectional
embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069; the "Trojan Source"
characters), zero-width space U+200B and the BOM U+FEFF. Right-to-left letters, combining
marks, emoji with U+200D (ZWJ) and variation selectors stay: they are text. Every line
break Python knows (``\\r\\n``, ``\\r``, U+2028 …) becomes ``\\n``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING

import torch

from lstm_viz.core.caps import Caps
from lstm_viz.core.config import ConfigError
from lstm_viz.core.inputs import check_against_batch, tokenise_spec
from lstm_viz.core.packing import enforce_sorted_error
from lstm_viz.core.tokens import GRAPHEME, split_sentences, tokenise

if TYPE_CHECKING:
    from lstm_viz.state.settings import Settings

DEVICE = re.compile(r"cpu|mps|cuda(:\d{1,2})?")  # device names a URL may ask for
INVISIBLE = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\ufeff")


def _removed(ch: str) -> bool:
    if ch in "\n\t":
        return False
    return ch in INVISIBLE or unicodedata.category(ch) in ("Cc", "Cs")


def clean_text(text: str) -> str:
    """``text`` with line breaks made ``\\n`` and control/invisible characters removed."""
    text = "\n".join(text.splitlines())  # \r\n, \r, \v, \f, \x1c-\x1e, \x85, U+2028/9
    return "".join(ch for ch in text if not _removed(ch))


def _cut_tokens(sentence: str, level: str, keep: int) -> str:
    """The sentence up to its ``keep``-th token (same tokenisation as the batch)."""
    if level == "char":  # cut between grapheme clusters, never inside one
        seen = 0
        for match in GRAPHEME.finditer(sentence):
            seen += bool(match.group().strip())
            if seen > keep:
                return sentence[:match.start()].rstrip()
        return sentence
    return " ".join(tokenise(sentence, level)[:keep])


def fit_text(text: str, level: str, caps: Caps) -> tuple[str, list[tuple[str, str, str]]]:
    """``text`` with control characters removed and cut to the caps; and what was cut.

    Work is bounded before anything is scanned twice: at most ``2 * max_text_chars``
    characters are looked at, however long the text that was sent.
    """
    cuts, sent = [], len(text)
    text = text[: 2 * caps.max_text_chars]
    clean = clean_text(text)
    if clean != "\n".join(text.splitlines()):
        cuts.append(("control characters", "removed", ""))
    if len(clean) > caps.max_text_chars:
        cuts.append((f"{max(sent, len(clean))} characters",
                     f"at most {caps.max_text_chars} characters", "cut"))
        clean = clean[: caps.max_text_chars]
    lines = split_sentences(clean)
    if len(lines) > caps.max_batch:
        cuts.append((f"{len(lines)} sentences", f"at most {caps.max_batch} sentences (batch)",
                     f"first {caps.max_batch}"))
        lines = lines[: caps.max_batch]
    long = [n for n, s in enumerate(lines) if len(tokenise(s, level)) > caps.max_seq_len]
    if long:
        cuts.append((f"{len(long)} long sentence(s)",
                     f"at most {caps.max_seq_len} tokens per sentence (seq_len)", "cut"))
        lines = [_cut_tokens(s, level, caps.max_seq_len) if n in long else s
                 for n, s in enumerate(lines)]
    return "\n".join(lines), cuts


def fit_meta(settings: Settings, presets: Mapping, hideable: Collection[str],
             langs: Collection[str]) -> tuple[Settings, list[tuple[str, str, str, str]]]:
    """``settings`` with preset, device, lang, hide and lock of the right kind (a widget
    callback or a caller may hand anything); and the notices' parts for what changed."""
    fixed, s = [], settings
    checks = (("preset", lambda v: isinstance(v, str) and v in presets, next(iter(presets))),
              ("device", lambda v: isinstance(v, str) and DEVICE.fullmatch(v), "cpu"),
              ("lang", lambda v: v is None or v in langs, None),
              ("lock", lambda v: isinstance(v, bool), False))
    for key, ok, default in checks:
        if not ok(s.get(key)):
            fixed.append((key, str(s.get(key))[:40], "not allowed here",
                          "the browser's" if default is None else str(default)))
            s = s.set(key, default)
    hide = s.hide if isinstance(s.hide, tuple | list) else ()
    keep = tuple(dict.fromkeys(h for h in hide if isinstance(h, str) and h in hideable))
    if keep != s.hide:
        fixed.append(("hide", str(s.hide)[:40], "only setting names", ",".join(keep)))
        s = s.set("hide", keep)
    return s, fixed


def minimal(settings: Settings, caps: Caps) -> Settings:
    """``settings`` made valid under any caps (every cap >= 1): a small random batch, one
    layer; the last resort of ``make_valid``."""
    s = settings.set("mode", "randn").set("packed", False).set("total_length", 0)
    values = {"input_size": min(10, caps.max_input_size), "num_layers": 1, "proj_size": 0,
              "hidden_size": min(20, caps.max_hidden_size), "seq_len": min(5, caps.max_seq_len),
              "batch": min(3, caps.max_batch), "embedding_dim": min(4, caps.max_embedding_dim),
              "num_embeddings": 0, "seed": 0}
    for key, value in values.items():
        s = s.set(key, value)
    return fit_sentences(s.set("tokens", "word"), caps)[0]  # kept for a switch back to text


def fit_sentences(settings: Settings, caps: Caps):
    """``settings`` with its sentences fitted to the caps, and the notices' parts."""
    if not isinstance(settings.spec.sentences, str):
        settings = settings.set("sentences", "")  # make_valid then restores the preset's
    if settings.spec.tokens not in ("word", "char", "ids"):
        return settings, []
    text, cuts = fit_text(settings.spec.sentences, settings.spec.tokens, caps)
    if text == settings.spec.sentences:
        return settings, []
    return settings.set("sentences", text), cuts


def derived_input_size(settings: Settings, caps: Caps) -> int:
    """H_in the batch implies (vocabulary size or embedding_dim for sentences; else the
    configured input_size), after checking the batch tokenises and packs."""
    spec = settings.spec
    if spec.mode != "sentences":
        check_against_batch(spec, None, spec.seq_len)
        return settings.config.input_size
    tok = tokenise_spec(spec, caps)
    check_against_batch(spec, tok, int(tok.lengths.max()))
    if spec.packed and spec.enforce_sorted:
        error = enforce_sorted_error(torch.zeros(len(tok.tokens), tok.ids.shape[1], 1),
                                     tok.lengths, batch_first=True)
        if error:
            raise ConfigError("enforce_sorted", True, f"torch says: {error}")
    if spec.encoding == "embedding":
        return spec.embedding_dim
    if tok.vocab_size > caps.max_input_size:
        raise ConfigError("sentences", f"{tok.vocab_size} distinct tokens",
                          f"one-hot needs H_in = vocabulary <= {caps.max_input_size}")
    return tok.vocab_size
