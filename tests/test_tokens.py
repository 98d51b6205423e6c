"""Sentences → tokens → ids: words, grapheme clusters, ids; the vocabulary with ``<pad>`` = 0
and its caps (the batch built from them: test_inputs.py)."""

from __future__ import annotations

import pytest
import torch

from lstm_viz import (
    PAD,
    Caps,
    ConfigError,
    InputSpec,
    RNNConfig,
    make_batch,
    tokenise,
    tokenise_batch,
)

PETS = "i like dog\ni love coffee\ni hate milk\ni like music\ni hate you"


@pytest.mark.parametrize(("sentence", "level", "tokens"), [
    ("i like dog", "word", ["i", "like", "dog"]),
    ("  i   like\tdog ", "word", ["i", "like", "dog"]),
    ("我爱狗", "char", ["我", "爱", "狗"]),
    ("我 爱狗", "char", ["我", "爱", "狗"]),
    ("dog", "char", ["d", "o", "g"]),
    ("1 2 3", "ids", ["1", "2", "3"]),
])
def test_tokenise(sentence, level, tokens):
    assert tokenise(sentence, level) == tokens


def test_tokenise_unknown_level():
    with pytest.raises(ConfigError) as info:
        tokenise("i like dog", "bpe")
    assert info.value.arg == "tokens" and "'bpe'" in str(info.value)


@pytest.mark.parametrize(("sentences", "level"), [
    (PETS.splitlines(), "word"), (["我爱狗", "我爱你们", "狗"], "char"), (["dog", "cat"], "char"),
])
def test_vocab_and_ids(sentences, level):
    tok = tokenise_batch(sentences, level)
    assert tok.vocab[0] == PAD
    assert len(set(tok.vocab)) == len(tok.vocab)
    assert tok.vocab_size == len(tok.vocab) - 1
    flat = [t for s in tok.tokens for t in s]
    assert tok.vocab[1:] == list(dict.fromkeys(flat))  # order of first appearance
    N, L = tok.ids.shape
    assert (len(sentences), max(len(s) for s in tok.tokens)) == (N, L)
    assert tok.ids.dtype == torch.int64
    assert tok.lengths.tolist() == [len(s) for s in tok.tokens]
    for n, sentence in enumerate(tok.tokens):
        assert [tok.vocab[i] for i in tok.ids[n, : len(sentence)].tolist()] == sentence
        assert (tok.ids[n, len(sentence):] == 0).all()
    assert (tok.ids[tok.ids != 0] > 0).all()


def test_ids_tokens_keep_their_ids():
    tok = tokenise_batch(["1 2 3", "6", "4 5"], "ids", num_embeddings=20)
    assert tok.vocab[0] == PAD and len(tok.vocab) == 20
    expected = torch.zeros(3, 3, dtype=torch.int64)
    for n, s in enumerate(["1 2 3", "6", "4 5"]):
        ids = [int(t) for t in s.split()]
        expected[n, : len(ids)] = torch.tensor(ids)
    assert torch.equal(tok.ids, expected)


@pytest.mark.parametrize("bad", ["0", "20", "21", "-1", "a", "1.5", "1 0 2", "³", "١"])
def test_bad_ids_are_refused(bad):
    with pytest.raises(ConfigError) as info:
        tokenise_batch(["1 2", bad], "ids", num_embeddings=20)
    assert info.value.arg == "sentences"
    assert info.value.value in bad.split()


def test_ids_without_num_embeddings_take_max_id_plus_one():
    tok = tokenise_batch(["1 2", "7"], "ids")
    assert len(tok.vocab) == 8 and tok.vocab[0] == PAD and tok.vocab_size == 7


def test_embedding_rows_must_exceed_the_vocabulary():
    spec = InputSpec(sentences="1 2 3\n6\n4 5", tokens="ids", encoding="embedding",
                     embedding_dim=2, num_embeddings=6)  # id 6 needs 7 rows
    with pytest.raises(ConfigError) as info:
        make_batch(spec, RNNConfig("LSTM", 2, 3))
    assert info.value.arg in ("num_embeddings", "sentences")


def test_num_embeddings_cap():
    spec = InputSpec(sentences="1 2", tokens="ids", num_embeddings=Caps().max_vocab + 1)
    with pytest.raises(ConfigError) as info:
        make_batch(spec, RNNConfig("LSTM", 2, 3))
    assert info.value.arg == "num_embeddings"


@pytest.mark.parametrize("text", ["", "\n \n\t"])
def test_no_sentences(text):
    with pytest.raises(ConfigError, match="sentence"):
        make_batch(InputSpec(sentences=text), RNNConfig("LSTM", 3, 3))
