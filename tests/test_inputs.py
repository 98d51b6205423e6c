"""Sentences → tokens → ids → one-hot / embedding → (L, N, H_in) or (N, L, H_in), packed or not.

The references are torch's own ``one_hot``, ``nn.Embedding(padding_idx=0)`` and
``pack_padded_sequence``; nothing is compared with hand-written numbers.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence

from lstm_viz import (
    Caps,
    ConfigError,
    InputSpec,
    RNNConfig,
    build_module,
    make_batch,
    seeded_module,
    tokenise_batch,
)

PETS = "i like dog\ni love coffee\ni hate milk\ni like music\ni hate you"
UNEVEN = "i like dog\ni\nyou hate coffee milk"  # lengths 3, 1, 4: not sorted


# --- one-hot and embedding ------------------------------------------------------------------

@pytest.mark.parametrize(("text", "level"), [(PETS, "word"), ("我爱狗\n我爱你们\n狗", "char")])
@pytest.mark.parametrize("batch_first", [False, True])
def test_one_hot(text, level, batch_first):
    tok = tokenise_batch(text.splitlines(), level)
    V = tok.vocab_size
    config = RNNConfig("LSTM", V, 4, batch_first=batch_first)
    batch = make_batch(InputSpec(sentences=text, tokens=level), config)
    x = batch.padded if batch_first else batch.padded.transpose(0, 1)  # (N, L, V)
    assert x.shape == (*tok.ids.shape, V)
    assert x.dtype == torch.float32
    real = tok.ids != 0  # (N, L)
    assert (x[~real] == 0).all()  # pad rows are all-zero
    assert torch.equal(x[real], nn.functional.one_hot(tok.ids[real] - 1, V).float())
    assert batch.vocab == tok.vocab and torch.equal(batch.ids, tok.ids)
    assert batch.tokens == tok.tokens and torch.equal(batch.lengths, tok.lengths)
    assert tuple(tok.ids.shape) == (batch.N, batch.L)


def test_one_hot_width_must_match_input_size():
    V = tokenise_batch(PETS.splitlines(), "word").vocab_size
    with pytest.raises(ConfigError) as info:
        make_batch(InputSpec(sentences=PETS), RNNConfig("LSTM", V + 1, 4))
    assert info.value.arg == "input_size"
    assert f"Expected {V}, got {V + 1}" in str(info.value)


@pytest.mark.parametrize(("text", "tokens", "num"), [
    (PETS, "word", 0), ("我爱狗\n爱你", "char", 0), ("1 2 3\n6\n4 5", "ids", 20),
])
def test_embedding_pad_rows_are_zero(text, tokens, num):
    spec = InputSpec(sentences=text, tokens=tokens, encoding="embedding", embedding_dim=3,
                     num_embeddings=num)
    batch = make_batch(spec, RNNConfig("GRU", 3, 4, batch_first=True))
    emb = batch.embedding
    assert isinstance(emb, nn.Embedding) and emb.padding_idx == 0
    assert emb.num_embeddings == (num or len(batch.vocab))
    assert (emb.weight[0] == 0).all()
    assert batch.padded.shape == (*batch.ids.shape, 3)  # (N, L, embedding_dim)
    assert torch.equal(batch.padded, emb(batch.ids).detach())
    assert (batch.padded[batch.ids == 0] == 0).all()
    assert not (batch.padded[batch.ids != 0] == 0).all(dim=-1).any()


def test_unknown_encoding():
    with pytest.raises(ConfigError) as info:
        make_batch(InputSpec(sentences=PETS, encoding="bag"), RNNConfig("LSTM", 9, 3))
    assert info.value.arg == "encoding"


# --- layouts ---------------------------------------------------------------------------------

@pytest.mark.parametrize("spec", [InputSpec(sentences=UNEVEN),
                                  InputSpec(mode="randn", seq_len=4, batch=3)],
                         ids=["sentences", "randn"])
def test_batch_first_layouts(spec):
    H_in = 7 if spec.mode == "sentences" else 10
    seq = make_batch(spec, RNNConfig("LSTM", H_in, 3))
    bf = make_batch(spec, RNNConfig("LSTM", H_in, 3, batch_first=True))
    N, L = seq.N, seq.L
    assert seq.padded.shape == (L, N, H_in) and not seq.batch_first
    assert bf.padded.shape == (N, L, H_in) and bf.batch_first
    if spec.mode == "sentences":  # the same tokens, laid out two ways
        assert torch.equal(bf.padded, seq.padded.transpose(0, 1))
    else:  # drawn in the module's own layout, as the articles do: randn(L, N, H_in)
        for batch in (seq, bf):
            torch.manual_seed(spec.input_seed)
            assert torch.equal(batch.padded, torch.randn(*batch.padded.shape))
    assert seq.padded.is_contiguous() and bf.padded.is_contiguous()


@pytest.mark.parametrize("mode", ["randn", "rand", "zeros"])
def test_random_tensors(mode):
    batch = make_batch(InputSpec(mode=mode, seq_len=5, batch=3), RNNConfig("LSTM", 10, 20))
    assert batch.padded.shape == (5, 3, 10)  # (L, N, H_in)
    assert batch.tokens == [[f"x{t}" for t in range(5)]] * 3
    assert batch.lengths.tolist() == [5, 5, 5]
    assert batch.vocab is None and batch.ids is None and batch.embedding is None
    if mode == "zeros":
        assert (batch.padded == 0).all()
    if mode == "rand":
        assert ((batch.padded >= 0) & (batch.padded < 1)).all()
    if mode == "randn":
        assert (batch.padded < 0).any() and (batch.padded > 0).any()


@pytest.mark.parametrize(("changes", "arg"), [
    ({"mode": "normal"}, "mode"), ({"seq_len": 0}, "seq_len"), ({"batch": 0}, "batch"),
    ({"seq_len": Caps().max_seq_len + 1}, "seq_len"), ({"batch": Caps().max_batch + 1}, "batch"),
    ({"seq_len": True}, "seq_len"), ({"h0": "ones"}, "h0"),
])
def test_bad_tensor_specs(changes, arg):
    spec = replace(InputSpec(mode="randn", seq_len=2, batch=2, h0="randn"), **changes)
    with pytest.raises(ConfigError) as info:
        make_batch(spec, RNNConfig("LSTM", 3, 3))
    assert info.value.arg == arg


def test_sentence_caps():
    caps = Caps(max_batch=2, max_seq_len=2, max_vocab=3, max_text_chars=30)
    cases = [("a\nb\nc", "batch"), ("a b c", "seq_len"), ("a b\nc d", "vocabulary"),
             ("a " * 20, "sentences")]
    for text, arg in cases:
        spec = InputSpec(sentences=text, seq_len=1, batch=1)  # random-tensor sizes in caps
        with pytest.raises(ConfigError) as info:
            make_batch(spec, RNNConfig("LSTM", 4, 3), caps=caps)
        assert info.value.arg == arg, text
        assert info.value.cap == getattr(caps, {"batch": "max_batch", "seq_len": "max_seq_len",
                                                "vocabulary": "max_vocab",
                                                "sentences": "max_text_chars"}[arg])


# --- packing ---------------------------------------------------------------------------------

@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize(("text", "enforce_sorted"), [
    (UNEVEN, False), ("a b c\nd e\nf", True), ("a b c\nd e\nf", False), ("a b\nc d", True),
])
def test_packed_input_is_torchs(text, enforce_sorted, batch_first):
    spec = InputSpec(sentences=text, packed=True, enforce_sorted=enforce_sorted)
    V = tokenise_batch(text.splitlines(), "word").vocab_size
    batch = make_batch(spec, RNNConfig("LSTM", V, 3, batch_first=batch_first))
    ref = pack_padded_sequence(batch.padded, batch.lengths, batch_first=batch_first,
                               enforce_sorted=enforce_sorted)
    assert isinstance(batch.input, PackedSequence)
    assert torch.equal(batch.input.data, ref.data)
    assert torch.equal(batch.input.batch_sizes, ref.batch_sizes)
    for name in ("sorted_indices", "unsorted_indices"):
        got, want = getattr(batch.input, name), getattr(ref, name)
        assert (got is None and want is None) or torch.equal(got, want)


@pytest.mark.parametrize("batch_first", [False, True])
def test_unsorted_with_enforce_sorted_carries_torchs_message(batch_first):
    spec = InputSpec(sentences=UNEVEN, packed=True, enforce_sorted=True)
    config = RNNConfig("LSTM", 7, 3, batch_first=batch_first)
    with pytest.raises(ConfigError) as info:
        make_batch(spec, config)
    assert info.value.arg == "enforce_sorted" and info.value.value is True
    padded = make_batch(replace(spec, packed=False), config).padded
    with pytest.raises(RuntimeError) as torch_err:
        pack_padded_sequence(padded, torch.tensor([3, 1, 4]), batch_first=batch_first,
                             enforce_sorted=True)
    assert str(torch_err.value) in str(info.value)


@pytest.mark.parametrize("batch_first", [False, True])
def test_total_length_below_the_longest_sentence_is_refused(batch_first):
    spec = InputSpec(sentences=UNEVEN, packed=True, total_length=3)  # longest is 4
    with pytest.raises(ConfigError) as info:
        make_batch(spec, RNNConfig("LSTM", 7, 3, batch_first=batch_first))
    assert info.value.arg == "total_length"


def test_unpacked_input_is_the_padded_tensor():
    batch = make_batch(InputSpec(sentences=UNEVEN), RNNConfig("LSTM", 7, 3))
    assert batch.input is batch.padded


# --- seeds -----------------------------------------------------------------------------------

SEEDED = [
    (RNNConfig("LSTM", 10, 20, 2), InputSpec(mode="randn", seq_len=5, batch=3, h0="randn")),
    (RNNConfig("GRU", 3, 4, bidirectional=True),
     InputSpec(sentences="a b\nc", encoding="embedding", embedding_dim=3, h0="rand")),
]


def _state(batch):
    return [batch.padded] + ([] if batch.hx is None else
                             list(batch.hx) if isinstance(batch.hx, tuple) else [batch.hx])


@pytest.mark.parametrize(("config", "spec"), SEEDED)
def test_same_seed_same_everything(config, spec):
    a, b = make_batch(spec, config), make_batch(spec, config)
    assert all(torch.equal(x, y) for x, y in zip(_state(a), _state(b), strict=True))
    wa = dict(build_module(config, seed=spec.seed).module.named_parameters())
    wb = dict(build_module(config, seed=spec.seed).module.named_parameters())
    assert all(torch.equal(wa[k], wb[k]) for k in wa)


@pytest.mark.parametrize(("config", "spec"), SEEDED)
def test_other_seed_other_values(config, spec):
    other = replace(spec, seed=spec.seed + 5)
    a, b = make_batch(spec, config), make_batch(other, config)
    assert all(not torch.equal(x, y) for x, y in zip(_state(a), _state(b), strict=True))
    wa = dict(build_module(config, seed=spec.seed).module.named_parameters())
    wb = dict(build_module(config, seed=other.seed).module.named_parameters())
    assert all(not torch.equal(wa[k], wb[k]) for k in wa)


@pytest.mark.parametrize(("config", "spec"), SEEDED)
def test_global_rng_untouched(config, spec):
    torch.manual_seed(1234)
    expected = torch.rand(4)
    torch.manual_seed(1234)
    build_module(config, seed=spec.seed)
    make_batch(spec, config)
    assert torch.equal(torch.rand(4), expected)


def test_seeded_module_is_manual_seed_then_constructor():
    config = RNNConfig("LSTM", 10, 20, 2)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(7)
        ref = nn.LSTM(10, 20, 2)
    got = seeded_module(config, 7)
    for (name, p), (ref_name, q) in zip(got.named_parameters(), ref.named_parameters(),
                                        strict=True):
        assert name == ref_name and torch.equal(p, q)


# --- initial states --------------------------------------------------------------------------

@pytest.mark.parametrize("h0", ["randn", "rand"])
def test_initial_state_shapes(config, h0, forward):
    N = 3
    H_in = config.input_size
    batch = make_batch(InputSpec(mode="randn", seq_len=4, batch=N, h0=h0), config)
    rows = config.num_layers * config.D
    if config.cell == "LSTM":
        h_0, c_0 = batch.hx
        assert h_0.shape == (rows, N, config.H_out)
        assert c_0.shape == (rows, N, config.hidden_size)
    else:
        assert isinstance(batch.hx, torch.Tensor)
        assert batch.hx.shape == (rows, N, config.H_out)
    assert batch.padded.shape[-1] == H_in
    module = build_module(config).module
    forward(module, batch)  # the module accepts exactly these tensors


def test_zero_initial_state_is_none():
    batch = make_batch(InputSpec(mode="randn", h0="zeros"), RNNConfig("LSTM", 10, 20))
    assert batch.hx is None
