"""Lines of the "reproduce in PyTorch" script (``lstm_viz.io.snippet``) for trained weights.

A shipped model's numbers are written into the script literally (a few hundred floats,
``repr`` so that float32 round-trips exactly): the script still needs only torch. An
uploaded file is not in the script; it says where to load it.
"""

from __future__ import annotations

import torch

from lstm_viz import trained
from lstm_viz.core.tokens import split_sentences, tokenise


def _literal(x: torch.Tensor) -> str:
    return f"torch.tensor({x.tolist()!r})"


def load_lines(weights: str) -> list[str]:
    """After ``rnn = nn.LSTM(...)``: replace its random weights by the trained ones."""
    if weights == "random":
        return []
    if weights not in trained.MODELS:
        return ["# The app ran on the weights file you uploaded; load it the same way:",
                "# rnn.load_state_dict(safetensors.torch.load_file(path)), or for a .pt file",
                "# torch's weights_only loader, with the recurrent layer's prefix removed."]
    state = trained.load(weights).rnn
    return [f"# the trained weights of {weights} (lstm_viz/trained/{weights}.safetensors)",
            "state = {", *(f"    {name!r}: {_literal(t)}," for name, t in state.items()), "}",
            "rnn.load_state_dict(state)"]


def sentence_lines(weights: str, sentences_text: str) -> list[str] | None:
    """The batch of a shipped model: its fixed vocabulary (unknown → ``<unk>``) and its
    trained ``nn.Embedding``; None for other weights."""
    if weights not in trained.MODELS:
        return None
    meta, w = trained.info(weights), trained.load(weights)
    sentences = split_sentences(sentences_text)
    tokens = [tokenise(s, meta["tokens"]) for s in sentences]
    return [f"sentences = {sentences!r}",
            f"tokens = {tokens!r}",
            f"vocab = {list(w.vocab)!r}  # the model's: <pad> = 0, <unk> = 1",
            "index = {tok: k for k, tok in enumerate(vocab)}",
            "tokens = [[t if t in index else t.lower() if t.lower() in index else '<unk>' "
            "for t in s] for s in tokens]",
            "lengths = torch.tensor([len(s) for s in tokens])  # (N,)",
            "ids = torch.zeros(len(tokens), int(lengths.max()), dtype=torch.int64)  # (N, L)",
            "for n, sentence in enumerate(tokens):",
            "    ids[n, : len(sentence)] = torch.tensor([index[t] for t in sentence])",
            f"embedding = nn.Embedding.from_pretrained({_literal(w.embedding)}, padding_idx=0)",
            "with torch.no_grad():",
            "    x = embedding(ids)  # (N, L, embedding_dim)"]
