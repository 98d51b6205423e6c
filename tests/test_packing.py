"""``packing_layout`` explains torch's own PackedSequence, row by row.

Reference: ``pack_padded_sequence`` / ``pad_packed_sequence`` called directly, and the
module's packed output. PyTorch's docstring example (``abc`` + ``x`` → ``axbc``,
batch_sizes [2, 1, 1]) and the article's two batches (002) are the worked cases.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from lstm_viz import InputSpec, RNNConfig, build_module, make_batch, tokenise_batch
from lstm_viz.core.packing import enforce_sorted_error, packing_layout

CASES = {  # id → (sentences, tokens, encoding)
    "words-unsorted": ("i like dog\ni\nyou hate coffee milk\ni love", "word", "onehot"),
    "torch-docstring": ("abc\nx", "char", "onehot"),
    "chinese": ("我爱狗\n狗\n我爱你们", "char", "embedding"),
    "article-batch": ("1 2 3\n6\n4 5", "ids", "embedding"),
    "equal-lengths": ("a b\nc d\ne f", "word", "onehot"),
}


def _batch(case: str, batch_first: bool):
    text, tokens, encoding = CASES[case]
    num = 20 if tokens == "ids" else 0
    spec = InputSpec(sentences=text, tokens=tokens, encoding=encoding, embedding_dim=3,
                     num_embeddings=num)
    H_in = 3 if encoding == "embedding" else tokenise_batch(text.splitlines(), tokens,
                                                            num).vocab_size
    return make_batch(spec, RNNConfig("LSTM", H_in, 2, batch_first=batch_first))


def _batch_major(batch) -> torch.Tensor:
    return batch.padded if batch.batch_first else batch.padded.transpose(0, 1)  # (N, L, H_in)


@pytest.fixture(params=list(CASES))
def case(request):
    return request.param


@pytest.mark.parametrize("batch_first", [False, True])
def test_rows_match_packed_data(case, batch_first):
    batch = _batch(case, batch_first)
    layout = packing_layout(batch.padded, batch.lengths, batch.tokens, batch_first)
    x = _batch_major(batch)
    assert len(layout.rows) == int(batch.lengths.sum()) == layout.data.shape[0]
    for r, row in enumerate(layout.rows):
        assert row.row == r
        assert layout.sorted_indices[row.slot] == row.sentence
        assert row.t < int(batch.lengths[row.sentence])
        assert row.token == batch.tokens[row.sentence][row.t]
        assert torch.equal(layout.data[r], x[row.sentence, row.t])
    # every real token appears exactly once
    assert sorted((r.sentence, r.t) for r in layout.rows) == sorted(
        (n, t) for n in range(batch.N) for t in range(int(batch.lengths[n])))


@pytest.mark.parametrize("batch_first", [False, True])
def test_indices_are_torchs(case, batch_first):
    batch = _batch(case, batch_first)
    layout = packing_layout(batch.padded, batch.lengths, batch.tokens, batch_first)
    ref = pack_padded_sequence(batch.padded, batch.lengths, batch_first=batch_first,
                               enforce_sorted=False)
    assert torch.equal(layout.data, ref.data)
    assert layout.batch_sizes == ref.batch_sizes.tolist()
    assert layout.sorted_indices == ref.sorted_indices.tolist()
    assert layout.unsorted_indices == ref.unsorted_indices.tolist()
    assert layout.lengths == batch.lengths.tolist()
    assert sum(layout.batch_sizes) == len(layout.rows)


def test_torch_docstring_example():
    batch = _batch("torch-docstring", False)
    layout = packing_layout(batch.padded, batch.lengths, batch.tokens, False)
    ref = pack_padded_sequence(batch.padded, batch.lengths, enforce_sorted=False)
    assert "".join(r.token for r in layout.rows) == "axbc"
    assert layout.batch_sizes == ref.batch_sizes.tolist()


@pytest.mark.parametrize("batch_first", [False, True])
def test_round_trip(case, batch_first):
    batch = _batch(case, batch_first)
    layout = packing_layout(batch.padded, batch.lengths, batch.tokens, batch_first)
    x = _batch_major(batch)
    assert layout.total_length is None
    assert layout.roundtrip.shape == x.shape  # longest sentence == L here
    assert layout.roundtrip_lengths == batch.lengths.tolist()
    assert layout.roundtrip_matches
    real = torch.arange(x.shape[1])[None, :] < batch.lengths[:, None]  # (N, L)
    assert torch.equal(layout.roundtrip[real], x[real])
    assert (layout.roundtrip[~real] == 0).all()


@pytest.mark.parametrize("total", [5, 7])
def test_total_length_pads_further(total):
    batch = _batch("words-unsorted", True)  # longest sentence: 4
    layout = packing_layout(batch.padded, batch.lengths, batch.tokens, True, total_length=total)
    ref, _ = pad_packed_sequence(
        pack_padded_sequence(batch.padded, batch.lengths, batch_first=True, enforce_sorted=False),
        batch_first=True, total_length=total)
    assert layout.total_length == total
    assert layout.roundtrip.shape == (batch.N, total, batch.padded.shape[-1])
    assert torch.equal(layout.roundtrip, ref)
    assert layout.roundtrip_matches


def test_total_length_shorter_than_longest_is_torchs_error():
    batch = _batch("words-unsorted", True)
    with pytest.raises(ValueError, match="total_length"):
        packing_layout(batch.padded, batch.lengths, batch.tokens, True, total_length=3)


def test_article_second_batch_needs_total_length_3():
    """002: b = [[7,8,0],[9,0,0],[10,0,0]] is padded to the data set's max_length 3, but its
    longest sentence has 2 tokens, so the round trip is 2 wide unless total_length=3."""
    ids = torch.tensor([[7, 8, 0], [9, 0, 0], [10, 0, 0]])  # (N, max_length)
    lengths = (ids != 0).sum(dim=1)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        emb = nn.Embedding(20, 2, padding_idx=0)
    with torch.no_grad():
        padded = emb(ids)  # (N, 3, 2), batch_first; pad rows zero
    tokens = [[str(i) for i in row if i] for row in ids.tolist()]

    short = packing_layout(padded, lengths, tokens, batch_first=True)
    assert short.roundtrip.shape[1] == int(lengths.max()) == 2
    assert short.roundtrip.shape[1] != padded.shape[1]

    full = packing_layout(padded, lengths, tokens, batch_first=True, total_length=3)
    assert full.roundtrip.shape == padded.shape
    assert torch.equal(full.roundtrip, padded)
    assert full.roundtrip_matches


def test_packed_module_output_follows_the_same_rows():
    """The module's packed output uses the same row order: output.data[row] is the
    output at (sentence, t) of that row."""
    batch = _batch("words-unsorted", True)
    config = RNNConfig("GRU", batch.padded.shape[-1], 3, batch_first=True)
    module = build_module(config).module
    packed = pack_padded_sequence(batch.padded, batch.lengths, batch_first=True,
                                  enforce_sorted=False)
    with torch.no_grad():
        out, _ = module(packed)
    out_padded, _ = pad_packed_sequence(out, batch_first=True)  # (N, L, H_out)
    layout = packing_layout(batch.padded, batch.lengths, batch.tokens, True)
    for row in layout.rows:
        assert torch.equal(out.data[row.row], out_padded[row.sentence, row.t])


@pytest.mark.parametrize("batch_first", [False, True])
def test_enforce_sorted_error(batch_first):
    unsorted = _batch("words-unsorted", batch_first)
    err = enforce_sorted_error(unsorted.padded, unsorted.lengths, batch_first)
    with pytest.raises(RuntimeError) as torch_err:
        pack_padded_sequence(unsorted.padded, unsorted.lengths, batch_first=batch_first,
                             enforce_sorted=True)
    assert err == str(torch_err.value)
    ordered = _batch("equal-lengths", batch_first)
    assert enforce_sorted_error(ordered.padded, ordered.lengths, batch_first) is None
