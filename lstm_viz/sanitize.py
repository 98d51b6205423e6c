"""Bring user text within the classroom caps, and check what the batch implies.

Text is cut, never rejected: a class pasting 10 000 lines gets the first ``max_batch``
sentences and a notice. Everything else that cannot be repaired by cutting raises
``ConfigError`` naming the argument, for ``settings.make_valid`` to repair.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

from lstm_viz.caps import Caps
from lstm_viz.config import ConfigError
from lstm_viz.inputs import check_against_batch, tokenise_spec
from lstm_viz.packing import enforce_sorted_error
from lstm_viz.tokens import split_sentences, tokenise

if TYPE_CHECKING:
    from lstm_viz.settings import Settings

CONTROL = {c for c in map(chr, range(32)) if c not in "\n\t"} | {"\x7f"}


def _cut_tokens(sentence: str, level: str, keep: int) -> str:
    """The sentence up to its ``keep``-th token (same tokenisation as the batch)."""
    if level == "char":
        seen = 0
        for pos, ch in enumerate(sentence):
            seen += not ch.isspace()
            if seen > keep:
                return sentence[:pos].rstrip()
        return sentence
    return " ".join(tokenise(sentence, level)[:keep])


def fit_text(text: str, level: str, caps: Caps) -> tuple[str, list[tuple[str, str, str]]]:
    """``text`` with control characters removed and cut to the caps; and what was cut."""
    cuts = []
    clean = "".join(ch for ch in text if ch not in CONTROL)
    if clean != text:
        cuts.append(("control characters", "removed", ""))
    if len(clean) > caps.max_text_chars:
        cuts.append((f"{len(clean)} characters", f"at most {caps.max_text_chars} characters",
                     "cut"))
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


def fit_sentences(settings: Settings, caps: Caps):
    """``settings`` with its sentences fitted to the caps, and the notices' parts."""
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
