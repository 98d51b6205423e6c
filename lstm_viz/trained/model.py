"""The toy model: ``nn.Embedding(V, E, padding_idx=0)`` → ``nn.LSTM``/``GRU``/``RNN`` →
``nn.Linear`` head, and its (CPU, seeded) training loop.

Sentences enter as (N, L) ids, 0 = pad, packed with torch's ``pack_padded_sequence`` so
that ``h_n`` is the state after each sentence's last real token. The head reads ``h_n``
of the last layer (one label per sentence) or ``output`` at every step (one per token).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from lstm_viz.trained.tasks import Task, encode

HYPER = {  # per task: what scripts/train_toy.py trains with (seed 0)
    "sentiment": {"epochs": 12, "hidden_size": 8, "embedding_dim": 8, "unk_rate": 0.05},
    "brackets": {"epochs": 12, "hidden_size": 8, "embedding_dim": 4},
    "memory": {"epochs": 12, "hidden_size": 8, "embedding_dim": 8, "unk_rate": 0.05,
               "forget_bias": 1.0},
}


class ToyModel(nn.Module):
    """``embedding`` → ``rnn`` (PyTorch's (L, N, ·) layout) → ``head``."""

    def __init__(self, cell: str, vocab_size: int, embedding_dim: int, hidden_size: int,
                 classes: int, per_step: bool):
        super().__init__()
        self.per_step = per_step
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=0)
        self.rnn = getattr(nn, cell)(embedding_dim, hidden_size)
        self.head = nn.Linear(hidden_size, classes)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor):
        """ids (N, L) int64 → (logits, h_n): logits (N, C) or (N, L, C) when per_step;
        h_n (num_layers, N, H_out)."""
        x = self.embedding(ids).transpose(0, 1)  # (L, N, E)
        packed = pack_padded_sequence(x, lengths, enforce_sorted=False)
        out, hx = self.rnn(packed)
        h_n = hx[0] if isinstance(hx, tuple) else hx  # (num_layers, N, H_out)
        if not self.per_step:
            return self.head(h_n[-1]), h_n  # (N, C)
        out = pad_packed_sequence(out, total_length=ids.shape[1])[0]  # (L, N, H_out)
        return self.head(out).transpose(0, 1), h_n  # (N, L, C)


def batch_ids(task: Task, token_lists: list[list[str]]) -> tuple[torch.Tensor, torch.Tensor]:
    """(ids (N, L) int64 with 0 = pad, lengths (N,) int64)."""
    lengths = torch.tensor([len(t) for t in token_lists], dtype=torch.int64)
    ids = torch.zeros(len(token_lists), int(lengths.max()), dtype=torch.int64)  # (N, L)
    for n, tokens in enumerate(token_lists):
        ids[n, : len(tokens)] = torch.tensor(encode(task, tokens))
    return ids, lengths


def _targets(task: Task, labels: list, L: int) -> torch.Tensor:
    if not task.per_step:
        return torch.tensor(labels, dtype=torch.int64)  # (N,)
    y = torch.full((len(labels), L), -100, dtype=torch.int64)  # (N, L); -100 = ignored (pad)
    for n, seq in enumerate(labels):
        y[n, : len(seq)] = torch.tensor(seq)
    return y


def accuracy(model: ToyModel, task: Task, data: list) -> float:
    """Share of sentences (sentiment, memory) or of tokens (brackets) classified right."""
    ids, lengths = batch_ids(task, [tokens for tokens, _ in data])
    y = _targets(task, [label for _, label in data], ids.shape[1])
    with torch.no_grad():
        pred = model.eval()(ids, lengths)[0].argmax(-1)
    mask = y != -100
    return float((pred[mask] == y[mask]).double().mean())


def _drop_words(ids: torch.Tensor, rate: float, gen: torch.Generator) -> torch.Tensor:
    """Some tokens replaced by ``<unk>`` (id 1), so unknown words are read gracefully."""
    drop = (torch.rand(ids.shape, generator=gen) < rate) & (ids > 1)
    return torch.where(drop, torch.ones_like(ids), ids)


def train(task: Task, cell: str, train_data: list, *, seed: int = 0, epochs: int = 30,
          hidden_size: int = 8, embedding_dim: int = 8, lr: float = 0.02, batch: int = 32,
          unk_rate: float = 0.0, forget_bias: float = 0.0) -> ToyModel:
    """A ToyModel trained with Adam on ``train_data``; same seed → same model.

    ``forget_bias`` is added to an LSTM's b_if before training (Gers et al. 2000; Keras'
    ``unit_forget_bias``): the cell starts out keeping most of c_{t-1}. GRU and RNN: unused.
    """
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    model = ToyModel(cell, len(task.vocab), embedding_dim, hidden_size, len(task.classes),
                     task.per_step)
    if cell == "LSTM" and forget_bias:
        with torch.no_grad():  # gate order i, f, g, o: the second quarter of b_ih
            model.rnn.bias_ih_l0[hidden_size: 2 * hidden_size] += forget_bias
    ids, lengths = batch_ids(task, [tokens for tokens, _ in train_data])
    y = _targets(task, [label for _, label in train_data], ids.shape[1])
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss(ignore_index=-100)
    model.train()
    for _ in range(epochs):
        for idx in torch.randperm(len(train_data), generator=gen).split(batch):
            x = _drop_words(ids[idx], unk_rate, gen) if unk_rate else ids[idx]
            logits = model(x, lengths[idx])[0]
            loss = loss_fn(logits.reshape(-1, logits.shape[-1]), y[idx].reshape(-1))
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
    return model.eval()
