"""The toy model: ``nn.Embedding(V, E, padding_idx=0)`` → ``nn.LSTM``/``GRU``/``RNN`` →
``nn.Linear`` head, the recipe the shipped ones were trained with (``HYPER``), and accuracy.
The training loop is ``lstm_viz.training`` (``train_cell``, ``Trainer``).

Sentences enter as (N, L) ids, 0 = pad, packed with torch's ``pack_padded_sequence`` so
that ``h_n`` is the state after each sentence's last real token. The head reads ``h_n``
of the last layer (one label per sentence) or ``output`` at every step (one per token).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from lstm_viz.trained.tasks import Task, encode

HYPER = {  # per task: what scripts/train_toy.py trains with (seed 0; Adam, lr 0.02, batch 32,
    #         gradient clipping 5: lstm_viz.training.TrainSettings.shipped)
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


def targets(task: Task, labels: list, L: int) -> torch.Tensor:
    """Labels as (N,) int64, or (N, L) for a label per token (-100 past a length: ignored)."""
    if not task.per_step:
        return torch.tensor(labels, dtype=torch.int64)  # (N,)
    y = torch.full((len(labels), L), -100, dtype=torch.int64)  # (N, L); -100 = ignored (pad)
    for n, seq in enumerate(labels):
        y[n, : len(seq)] = torch.tensor(seq)
    return y


def accuracy(model: ToyModel, task: Task, data: list) -> float:
    """Share of sentences (sentiment, memory) or of tokens (brackets) classified right."""
    ids, lengths = batch_ids(task, [tokens for tokens, _ in data])
    y = targets(task, [label for _, label in data], ids.shape[1])
    with torch.no_grad():
        pred = model.eval()(ids, lengths)[0].argmax(-1)
    mask = y != -100
    return float((pred[mask] == y[mask]).double().mean())
