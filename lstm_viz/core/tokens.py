"""Toy sentences → tokens → ids, with a vocabulary whose index 0 is the pad token.

Three tokenisations:
- ``word``: split on whitespace ("i like dog" → i | like | dog);
- ``char``: every non-space *user-perceived character* ("我爱狗" → 我 | 爱 | 狗), so Chinese
  works: an extended grapheme cluster of Unicode UAX #29, so "é" written as e + U+0301, a
  flag 🇫🇷, a skin-toned 👍🏽 or a family 👩‍👩‍👧 (emoji joined by U+200D) is ONE token, as a
  student expects, not 2–5 code points of which some show as nothing;
- ``ids``: the sentence already is token ids ("1 2 3"), as in the packing article.

Python's ``re`` has no grapheme segmentation; the ``regex`` package's ``\\X`` implements
UAX #29 (and follows Unicode releases), so it is the one extra dependency for this.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex
import torch

from lstm_viz.core.config import ConfigError

PAD = "<pad>"
TOKENISATIONS = ("word", "char", "ids")
GRAPHEME = regex.compile(r"\X")


@dataclass(frozen=True)
class Tokenised:
    """Sentences as tokens and ids, in the caller's order."""

    tokens: list[list[str]]  # N lists of tokens
    vocab: list[str]  # vocab[id] is the token; vocab[0] == PAD
    ids: torch.Tensor  # (N, L) int64, 0 where padded; L = longest sentence
    lengths: torch.Tensor  # (N,) int64, tokens per sentence

    @property
    def vocab_size(self) -> int:
        """Number of real tokens V (ids 1..V); the pad token is not counted."""
        return len(self.vocab) - 1


def split_sentences(text: str) -> list[str]:
    """One sentence per non-blank line, stripped."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def graphemes(sentence: str) -> list[str]:
    """The grapheme clusters of ``sentence`` that are not blank, without surrounding space
    (a combining mark typed after a space is its own token: " \\u0301" → "\\u0301")."""
    return [g.strip() for g in GRAPHEME.findall(sentence) if g.strip()]


def tokenise(sentence: str, level: str) -> list[str]:
    """Tokens of one sentence at ``level`` ("word", "char" or "ids")."""
    if level == "char":
        return graphemes(sentence)
    if level in ("word", "ids"):
        return sentence.split()
    raise ConfigError("tokens", level, f"must be one of {', '.join(TOKENISATIONS)}")


def script_tokens_line(sentences: list[str], level: str) -> str | None:
    """For a stdlib-only script: the line ``tokens = [...]`` listing the tokens literally when
    ``level="char"`` groups several code points into one token (the stdlib cannot), else
    None (then ``[ch for ch in s if not ch.isspace()]`` gives the same tokens)."""
    if level != "char":
        return None
    tokens = [tokenise(s, "char") for s in sentences]
    if all(t == [ch for ch in s if not ch.isspace()] for t, s in zip(tokens, sentences,
                                                                      strict=True)):
        return None
    return f"tokens = {tokens!r}  # grapheme clusters: what a reader sees as one character"


def _ids_vocab(tokens: list[list[str]], num_embeddings: int, max_vocab: int) -> list[str]:
    """ids 0..num_embeddings-1 (0 = pad); num_embeddings 0 means max id + 1."""
    flat = [tok for sentence in tokens for tok in sentence]
    bad = next((t for t in flat if not (t.isascii() and t.isdigit()) or int(t) == 0), None)
    if bad is not None:
        raise ConfigError("sentences", bad, "with tokens=ids every token must be a "
                          "positive integer id (0 is the pad id)")
    num_embeddings = num_embeddings or max(int(t) for t in flat) + 1
    if num_embeddings - 1 > max_vocab:  # checked before a vocabulary that large is built
        raise ConfigError("vocabulary", num_embeddings - 1,
                          f"at most {max_vocab} ids (classroom cap)", cap=max_vocab)
    too_big = next((t for t in flat if int(t) >= num_embeddings), None)
    if too_big is not None:
        raise ConfigError("sentences", too_big, f"ids must be < num_embeddings ({num_embeddings})")
    return [PAD] + [str(k) for k in range(1, num_embeddings)]


def _text_vocab(tokens: list[list[str]]) -> list[str]:
    vocab = [PAD]
    seen: set[str] = set()  # a typed "<pad>" is a word like any other, not id 0
    for sentence in tokens:
        for tok in sentence:
            if tok not in seen:
                seen.add(tok)
                vocab.append(tok)
    return vocab


def tokenise_batch(sentences: list[str], level: str, num_embeddings: int = 0,
                   max_vocab: int = 100_000) -> Tokenised:
    """Tokenise ``sentences``, build the vocabulary and the padded (N, L) id matrix.

    For ``level="ids"`` the vocabulary is ``num_embeddings`` ids wide (0: max id + 1,
    so it also accounts for the pad row); otherwise it holds
    the distinct tokens in order of first appearance after the pad token.
    """
    tokens = [tokenise(s, level) for s in sentences]
    if not tokens:
        raise ConfigError("sentences", "", "type at least one sentence (one per line)")
    if level == "ids":  # "01" and "1" are both id 1
        vocab = _ids_vocab(tokens, num_embeddings, max_vocab)
        tokens = [[str(int(tok)) for tok in sentence] for sentence in tokens]
    else:
        vocab = _text_vocab(tokens)
    index = {tok: k for k, tok in enumerate(vocab) if k > 0}
    lengths = torch.tensor([len(t) for t in tokens], dtype=torch.int64)  # (N,)
    ids = torch.zeros(len(tokens), int(lengths.max()), dtype=torch.int64)  # (N, L)
    for n, sentence in enumerate(tokens):
        ids[n, : len(sentence)] = torch.tensor([index[t] for t in sentence], dtype=torch.int64)
    return Tokenised(tokens, vocab, ids, lengths)
