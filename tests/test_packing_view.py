"""lstm_viz.explain.packing_view against torch's own packing utilities."""

from __future__ import annotations

import pytest
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence

from lstm_viz.core.packing import packing_layout
from lstm_viz.explain import packing_view as pv


def _batch(lengths: list[int], batch_first: bool, H_in: int = 2):
    """Padded (N, L, H_in) or (L, N, H_in) whose feature 0 codes (n, t) as n*100 + t."""
    N, L = len(lengths), max(lengths)
    x = torch.zeros(N, L, H_in)
    for n, length in enumerate(lengths):
        x[n, :length, 0] = torch.arange(length) + 100 * n
        x[n, :length, 1:] = 1.0
    tokens = [[f"s{n}t{t}" for t in range(length)] for n, length in enumerate(lengths)]
    return (x if batch_first else x.transpose(0, 1)), torch.tensor(lengths), tokens


def test_tiny_example_is_torchs_docstring_example():
    tiny = pv.tiny_example()
    assert tiny.words == ("abc", "x")
    padded = pad_sequence([torch.tensor([ord(c) for c in w]) for w in tiny.words],
                          batch_first=True)  # (N, L)
    packed = pack_padded_sequence(padded, torch.tensor([3, 1]), batch_first=True)
    assert tiny.data == "".join(chr(v) for v in packed.data.tolist()) == "axbc"
    assert tiny.batch_sizes == packed.batch_sizes.tolist() == [2, 1, 1]


def test_tiny_example_other_words_and_order():
    tiny = pv.tiny_example(("x", "abc", "de"))
    assert tiny.data == "adxbec"  # longest first: abc, de, x
    assert tiny.batch_sizes == [3, 2, 1] and tiny.sorted_indices == [1, 2, 0]
    with pytest.raises(ValueError):
        pv.tiny_example(("abc", ""))


@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("lengths", [[3, 1, 2], [2, 5, 5, 1], [4, 4], [1]])
def test_sorted_table_and_data_order(lengths, batch_first):
    padded, lens, tokens = _batch(lengths, batch_first)
    layout = packing_layout(padded, lens, tokens, batch_first)
    packed = pack_padded_sequence(padded, lens, batch_first=batch_first, enforce_sorted=False)
    cols = {"slot": "S", "n": "N", "length": "len", "tokens": "tok"}
    table = pv.sorted_table(layout, tokens, cols)
    assert table["N"].tolist() == packed.sorted_indices.tolist()
    assert table["len"].tolist() == sorted(lengths, reverse=True)
    assert table["tok"].tolist() == [" ".join(tokens[n]) for n in table["N"]]
    codes = packed.data[:, 0].long().tolist()  # n*100 + t per row of packed.data
    assert pv.data_order(layout) == [(c % 100, c // 100) for c in codes]
    assert len(pv.data_order(layout)) == sum(lengths)


@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("total_length", [None, 0, 5, 7])
def test_roundtrip_shapes(batch_first, total_length):
    lengths = [2, 1, 1]
    padded, lens, _ = _batch(lengths, batch_first)
    plain, longer = pv.roundtrip_shapes(padded, lens, batch_first, total_length)
    packed = pack_padded_sequence(padded, lens, batch_first=batch_first, enforce_sorted=False)
    assert plain == tuple(pad_packed_sequence(packed, batch_first=batch_first)[0].shape)
    assert plain == ((3, 2, 2) if batch_first else (2, 3, 2))
    if not total_length:
        assert longer is None
    else:
        expected = pad_packed_sequence(packed, batch_first=batch_first,
                                       total_length=total_length)[0].shape
        assert longer == tuple(expected)
        assert longer[1 if batch_first else 0] == total_length


def test_long_step_labels():
    assert pv.long_step_labels([3, 3, 3])
    assert not pv.long_step_labels([3, 3, 2, 1, 1, 1])
    assert pv.long_step_labels([3, 3, 2, 1, 1, 1], width_px=10_000)


def test_sentence_names_and_separator():
    names = pv.sentence_names([["我", "爱", "狗"], ["a", "b"]], [3, 2], sep="")
    assert names == ["0: 我爱狗", "1: ab"]
    long = pv.sentence_names([["word"] * 10], [10], width=12)[0]
    assert long.startswith("0: ") and long.endswith("…") and len(long) == 3 + 12
    assert pv.token_sep([["我", "爱"], ["你"]]) == ""
    assert pv.token_sep([["i", "like"], ["x"]]) == " "
    assert pv.token_sep([["1", "2"]]) == " "  # ascii single characters: keep spaces
