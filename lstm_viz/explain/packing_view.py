"""What the packing page shows beyond ``lstm_viz.core.packing``: torch's docstring example
computed live, the sort as a table, and the round-trip shapes with and without
``total_length``.

PyTorch's example: sequences ``abc`` and ``x`` pack to ``data = axbc`` with
``batch_sizes = [2, 1, 1]``. Every value here comes from torch's own
``pack_sequence`` / ``pack_padded_sequence`` / ``pad_packed_sequence``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pack_sequence, pad_packed_sequence

from lstm_viz.core.packing import PackingLayout


@dataclass(frozen=True)
class TinyExample:
    """``pack_sequence`` of a few words, one letter per step."""

    words: tuple[str, ...]  # the sequences, in the caller's order
    data: str  # packed.data read back as letters
    batch_sizes: list[int]  # (max length,)
    sorted_indices: list[int]


def tiny_example(words: tuple[str, ...] = ("abc", "x")) -> TinyExample:
    """Pack ``words`` (each letter a step, stored as its code point) with torch."""
    if not words or not all(words):
        raise ValueError(f"words: expected non-empty strings, got {words!r}")
    seqs = [torch.tensor([ord(ch) for ch in w]) for w in words]  # N × (length,)
    packed = pack_sequence(seqs, enforce_sorted=False)
    return TinyExample(tuple(words), "".join(chr(v) for v in packed.data.tolist()),
                       packed.batch_sizes.tolist(), packed.sorted_indices.tolist())


def sorted_table(layout: PackingLayout, tokens: list[list[str]], columns: dict[str, str],
                 sep: str = " ") -> pd.DataFrame:
    """One row per slot of the length-sorted batch: slot, sentence n, length, tokens.

    ``columns`` names the four columns (keys "slot", "n", "length", "tokens").
    """
    rows = []
    for slot, n in enumerate(layout.sorted_indices):
        length = layout.lengths[n]
        rows.append({columns["slot"]: slot, columns["n"]: n, columns["length"]: length,
                     columns["tokens"]: sep.join(tokens[n][:length])})
    return pd.DataFrame(rows)


def data_order(layout: PackingLayout) -> list[tuple[int, int]]:
    """(t, n) of every row of ``packed.data``: sum(lengths) pairs."""
    return [(row.t, row.sentence) for row in layout.rows]


def roundtrip_shapes(padded: torch.Tensor, lengths: torch.Tensor, batch_first: bool,
                     total_length: int | None) -> tuple[tuple[int, ...], tuple[int, ...] | None]:
    """Shape of ``pad_packed_sequence(pack_padded_sequence(padded, lengths))[0]`` without
    ``total_length``, and with it (None when not given); in the caller's layout:
    (T, N, H_in), or (N, T, H_in) when batch_first, with T = max(lengths) or total_length.
    """
    packed = pack_padded_sequence(padded.cpu(), lengths.cpu(), batch_first=batch_first,
                                  enforce_sorted=False)
    plain = pad_packed_sequence(packed, batch_first=batch_first)[0]
    if not total_length:
        return tuple(plain.shape), None
    longer = pad_packed_sequence(packed, batch_first=batch_first, total_length=total_length)[0]
    return tuple(plain.shape), tuple(longer.shape)


def long_step_labels(batch_sizes: list[int], chars: int = 16, width_px: float = 900,
                     char_px: float = 6.5) -> bool:
    """Whether a label of ``chars`` characters fits above the narrowest step group of the
    packed strip (a group is batch_sizes[t] of the sum(batch_sizes) cells)."""
    return min(batch_sizes) / sum(batch_sizes) * width_px >= chars * char_px


def sentence_names(tokens: list[list[str]], lengths: list[int], sep: str = " ",
                   width: int = 18) -> list[str]:
    """Short labels "n: first tokens…" (user text: escape before showing as markup)."""
    names = []
    for n, (toks, length) in enumerate(zip(tokens, lengths, strict=True)):
        text = sep.join(toks[:length])
        names.append(f"{n}: {text if len(text) <= width else text[: width - 1] + '…'}")
    return names


def token_sep(tokens: list[list[str]]) -> str:
    """"" to join single-character tokens (char-level text), else " "."""
    return "" if all(len(tok) == 1 and not tok.isascii() for toks in tokens for tok in toks) \
        else " "
