"""The input batch: what is passed as ``module(input, hx)``.

Two kinds of batch:
- sentences → tokens → one-hot vectors (H_in = vocabulary size V, the pad token a zero
  vector) or ``nn.Embedding(num_embeddings, embedding_dim, padding_idx=0)``;
- a seeded random tensor (``randn``, ``rand`` or ``zeros``) of shape (L, N, H_in), as in
  the reference articles.

Either is laid out (L, N, H_in), or (N, L, H_in) when batch_first, and optionally packed
with torch's own ``pack_padded_sequence``. Initial states are zeros (hx=None) or seeded
``randn``/``rand`` of shape (num_layers*D, N, H_out) (and c_0 (num_layers*D, N, H_cell)).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence

from lstm_viz.core.caps import Caps
from lstm_viz.core.config import ConfigError, RNNConfig
from lstm_viz.core.rng import seeded
from lstm_viz.core.tokens import PAD, TOKENISATIONS, Tokenised, split_sentences, tokenise_batch

MODES = ("sentences", "randn", "rand", "zeros")
ENCODINGS = ("onehot", "embedding")
INITIAL_STATES = ("zeros", "randn", "rand")


@dataclass(frozen=True)
class InputSpec:
    """How to make the input batch and the initial state."""

    mode: str = "sentences"  # "sentences", or a random tensor: "randn", "rand", "zeros"
    sentences: str = "i like dog\ni love coffee\ni hate milk"  # one per line
    tokens: str = "word"  # "word", "char" or "ids"
    encoding: str = "onehot"  # "onehot" (H_in = V) or "embedding" (H_in = embedding_dim)
    embedding_dim: int = 4
    num_embeddings: int = 0  # 0: V + 1 (the pad row); tokens="ids" needs it > max id
    seq_len: int = 5  # L for random tensors
    batch: int = 3  # N for random tensors
    packed: bool = False  # pass a PackedSequence instead of the padded tensor
    enforce_sorted: bool = False  # pack_padded_sequence(enforce_sorted=...)
    total_length: int = 0  # pad_packed_sequence(total_length=...); 0 means None
    h0: str = "zeros"  # initial state: "zeros" (hx=None), "randn" or "rand"
    seed: int = 0  # module weights use seed; the batch and h_0/c_0 use seed + 1

    @property
    def input_seed(self) -> int:
        return self.seed + 1


@dataclass
class Batch:
    """One input batch, ready for ``module(batch.input, batch.hx)``."""

    spec: InputSpec
    tokens: list[list[str]]  # N token lists (for random tensors: "x0", "x1", …)
    lengths: torch.Tensor  # (N,) int64
    padded: torch.Tensor  # (L, N, H_in), or (N, L, H_in) if batch_first
    input: torch.Tensor | PackedSequence  # padded, or packed when spec.packed
    hx: torch.Tensor | tuple[torch.Tensor, torch.Tensor] | None
    batch_first: bool
    vocab: list[str] | None = None  # vocab[id]; vocab[0] is "<pad>"; None for random tensors
    ids: torch.Tensor | None = None  # (N, L) int64 token ids, 0 = pad
    embedding: nn.Embedding | None = None

    @property
    def N(self) -> int:
        return len(self.tokens)

    @property
    def L(self) -> int:
        return int(self.lengths.max())


def input_size_for(spec: InputSpec, tokenised: Tokenised | None, config: RNNConfig) -> int:
    """H_in that this input produces (one-hot: V; embedding: embedding_dim; tensor: free)."""
    if spec.mode != "sentences":
        return config.input_size
    return spec.embedding_dim if spec.encoding == "embedding" else tokenised.vocab_size


def tokenise_spec(spec: InputSpec, caps: Caps) -> Tokenised:
    """Tokenise ``spec.sentences`` within the caps (text length, N, L, vocabulary)."""
    if len(spec.sentences) > caps.max_text_chars:
        raise ConfigError("sentences", f"{len(spec.sentences)} characters",
                          f"must be at most {caps.max_text_chars} characters",
                          cap=caps.max_text_chars)
    tok = tokenise_batch(split_sentences(spec.sentences), spec.tokens, spec.num_embeddings,
                         caps.max_vocab)
    checks = (("batch", len(tok.tokens), caps.max_batch, "sentences"),
              ("seq_len", int(tok.lengths.max()), caps.max_seq_len, "tokens in a sentence"),
              ("vocabulary", tok.vocab_size, caps.max_vocab, "distinct tokens"))
    for arg, value, cap, what in checks:
        if value > cap:
            raise ConfigError(arg, value, f"at most {cap} {what} (classroom cap)", cap=cap)
    return tok


UNK = "<unk>"


def with_vocab(tok: Tokenised, vocab: tuple[str, ...]) -> Tokenised:
    """``tok`` re-read with a model's fixed vocabulary (``vocab[0]`` = pad, and ``<unk>``):
    a token the model never saw (also after lower-casing) becomes ``<unk>``."""
    index = {t: k for k, t in enumerate(vocab) if k > 0}
    tokens = [[t if t in index else t.lower() if t.lower() in index else UNK for t in s]
              for s in tok.tokens]
    ids = torch.zeros_like(tok.ids)  # (N, L), 0 = pad
    for n, sentence in enumerate(tokens):
        ids[n, : len(sentence)] = torch.tensor([index[t] for t in sentence], dtype=torch.int64)
    return Tokenised(tokens, [PAD, *vocab[1:]], ids, tok.lengths)


def _embed(spec: InputSpec, tok: Tokenised,
           weight: torch.Tensor | None = None) -> tuple[torch.Tensor, nn.Embedding | None]:
    if weight is not None:  # a trained embedding (num_embeddings, embedding_dim)
        emb = nn.Embedding.from_pretrained(weight, freeze=True, padding_idx=0)
        with torch.no_grad():
            return emb(tok.ids), emb  # (N, L, embedding_dim)
    if spec.encoding == "onehot":
        x = nn.functional.one_hot(tok.ids, tok.vocab_size + 1)[..., 1:]  # (N, L, V); pad → 0
        return x.float(), None
    if spec.encoding != "embedding":
        raise ConfigError("encoding", spec.encoding, "must be 'onehot' or 'embedding'")
    num = spec.num_embeddings or tok.vocab_size + 1  # 0: V + the pad row
    emb = nn.Embedding(num, spec.embedding_dim, padding_idx=0)
    with torch.no_grad():
        return emb(tok.ids), emb  # (N, L, embedding_dim)


def _random(kind: str, *shape: int) -> torch.Tensor:
    return {"randn": torch.randn, "rand": torch.rand, "zeros": torch.zeros}[kind](*shape)


def _initial_state(spec: InputSpec, config: RNNConfig, N: int):
    if spec.h0 == "zeros":
        return None
    if spec.h0 not in INITIAL_STATES:
        raise ConfigError("h0", spec.h0, f"must be one of {', '.join(INITIAL_STATES)}")
    h0 = _random(spec.h0, config.num_layers * config.D, N, config.H_out)  # (num_layers*D, N, H_out)
    if config.cell != "LSTM":
        return h0
    c0 = _random(spec.h0, config.num_layers * config.D, N, config.hidden_size)  # (.., H_cell)
    return h0, c0


def _int_in(arg: str, value: object, low: int, cap: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(arg, value, "must be an integer")
    if value < low:
        raise ConfigError(arg, value, f"must be >= {low}")
    if value > cap:
        raise ConfigError(arg, value, f"must be <= {cap} (classroom cap)", cap=cap)


def check_spec(spec: InputSpec, caps: Caps) -> None:
    """Check the scalar fields of ``spec`` (sentences are checked when tokenised)."""
    choices = (("mode", MODES), ("tokens", TOKENISATIONS), ("encoding", ENCODINGS),
               ("h0", INITIAL_STATES))
    for arg, allowed in choices:
        if getattr(spec, arg) not in allowed:
            raise ConfigError(arg, getattr(spec, arg), f"must be one of {', '.join(allowed)}")
    for arg in ("packed", "enforce_sorted"):
        if not isinstance(getattr(spec, arg), bool):
            raise ConfigError(arg, getattr(spec, arg), "must be True or False")
    if spec.mode != "sentences":  # the random tensor's (L, N); sentences set their own
        _int_in("seq_len", spec.seq_len, 1, caps.max_seq_len)
        _int_in("batch", spec.batch, 1, caps.max_batch)
    _int_in("embedding_dim", spec.embedding_dim, 1, caps.max_embedding_dim)
    _int_in("num_embeddings", spec.num_embeddings, 0, caps.max_vocab)
    _int_in("total_length", spec.total_length, 0, caps.max_seq_len)
    _int_in("seed", spec.seed, 0, caps.max_seed - 1)


def check_against_batch(spec: InputSpec, tok: Tokenised | None, L: int) -> None:
    if tok is not None and spec.encoding == "embedding" and spec.num_embeddings and (
            spec.num_embeddings <= tok.vocab_size):
        raise ConfigError("num_embeddings", spec.num_embeddings,
                          f"must exceed the vocabulary size ({tok.vocab_size}) for the pad row")
    if spec.total_length and spec.total_length < L:
        raise ConfigError("total_length", spec.total_length,
                          f"must be 0 (none) or at least the longest sentence ({L})")


def make_batch(spec: InputSpec, config: RNNConfig, device: torch.device | str = "cpu",
               caps: Caps | None = None, vocab: tuple[str, ...] | None = None,
               embedding: torch.Tensor | None = None) -> Batch:
    """Build the batch for ``config`` (whose input_size must match the batch's H_in).

    Random tensors and h_0/c_0 come from ``torch.manual_seed(spec.input_seed)`` in the order
    embedding, input, h_0, c_0 (the global RNG is left untouched). A trained model passes
    its fixed ``vocab`` and its ``embedding`` weight (num_embeddings, embedding_dim).
    """
    caps = caps or Caps()
    check_spec(spec, caps)
    tok = tokenise_spec(spec, caps) if spec.mode == "sentences" else None
    if tok is not None and vocab is not None:
        tok = with_vocab(tok, vocab)
    check_against_batch(spec, tok, int(tok.lengths.max()) if tok else spec.seq_len)
    h_in = input_size_for(spec, tok, config)
    if h_in != config.input_size:
        raise ConfigError("input_size", config.input_size,
                          f"must equal the input's feature size H_in. Expected {h_in}, "
                          f"got {config.input_size}")
    with seeded(spec.input_seed):
        if tok is not None:
            x, emb = _embed(spec, tok, embedding)  # (N, L, H_in)
            tokens, lengths = tok.tokens, tok.lengths
        else:
            layout = (spec.batch, spec.seq_len) if config.batch_first else (spec.seq_len,
                                                                             spec.batch)
            x = _random(spec.mode, *layout, h_in)  # drawn as the module takes it, like
            x, emb = (x if config.batch_first else x.transpose(0, 1)), None  # randn(L, N, H_in)
            tokens = [[f"x{t}" for t in range(spec.seq_len)] for _ in range(spec.batch)]
            lengths = torch.full((spec.batch,), spec.seq_len, dtype=torch.int64)
        hx = _initial_state(spec, config, len(tokens))
    padded = (x if config.batch_first else x.transpose(0, 1)).contiguous().to(device)
    hx = _to(hx, device)
    batch_input = padded
    if spec.packed:
        batch_input = pack(padded, lengths, config.batch_first, spec.enforce_sorted)
    return Batch(spec, tokens, lengths, padded, batch_input, hx, config.batch_first,
                 vocab=tok.vocab if tok else None, ids=tok.ids if tok else None, embedding=emb)


def pack(padded: torch.Tensor, lengths: torch.Tensor, batch_first: bool,
         enforce_sorted: bool) -> PackedSequence:
    """torch's ``pack_padded_sequence``; its error for an unsorted batch becomes a ConfigError."""
    try:
        return pack_padded_sequence(padded, lengths, batch_first=batch_first,
                                    enforce_sorted=enforce_sorted)
    except RuntimeError as err:
        raise ConfigError("enforce_sorted", enforce_sorted, f"torch says: {err}") from err


def _to(hx, device):
    if hx is None:
        return None
    if isinstance(hx, tuple):
        return tuple(h.to(device) for h in hx)
    return hx.to(device)
