"""What one training reads: its task's sentences as tensors, and the fixed probes its
snapshots measure on.

- ``train``: every training sentence, (N, L) ids with 0 = pad, lengths (N,), labels;
- ``test``: the held-out sentences (none of them in ``train``), with each memory sentence's
  clue–answer distance (its length − 1), grouped into ``buckets`` for accuracy by distance;
- ``seen``: the first ``SEEN`` training sentences (train accuracy on a fixed set:
  comparable across snapshots, recomputable from the weights, cheap to measure);
- ``probe``: one sentence whose gradient flow ‖∂h_T/∂h_t‖ every snapshot draws (memory: a
  sentence of the task at the longest distance), and ``gate_probe``: the sentences whose
  gates' means every snapshot takes (the first test sentences).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import torch

from lstm_viz.trained.model import batch_ids, targets
from lstm_viz.trained.tasks import TASKS, Task, make_data, memory_sentence
from lstm_viz.training.settings import TrainSettings

BUCKET = 5  # distances per column of the accuracy-by-distance heatmap
GATE_PROBE = 32  # sentences the gates' means are taken on
SEEN = 256  # training sentences the train accuracy is measured on


@dataclass(frozen=True)
class Sentences:
    """Sentences as one padded batch."""

    tokens: list[list[str]]
    ids: torch.Tensor  # (N, L) int64, 0 = pad
    lengths: torch.Tensor  # (N,) int64
    labels: torch.Tensor  # (N,), or (N, L) with -100 past each length (brackets)

    @classmethod
    def of(cls, task: Task, data: list) -> Sentences:
        tokens = [tok for tok, _ in data]
        ids, lengths = batch_ids(task, tokens)
        return cls(tokens, ids, lengths, targets(task, [label for _, label in data],
                                                 ids.shape[1]))

    def __len__(self) -> int:
        return len(self.tokens)


def buckets(max_distance: int) -> tuple[tuple[int, int], ...]:
    """(lowest, highest) distance of each heatmap column: 0–5, 6–10, 11–15, … up to
    ``max_distance`` (the first takes 0: only four one-word sentences exist)."""
    edges = [(0, min(BUCKET, max_distance))]
    edges += [(lo, min(lo + BUCKET - 1, max_distance))
              for lo in range(BUCKET + 1, max_distance + 1, BUCKET)]
    return tuple(edges)


def bucket_label(bucket: tuple[int, int]) -> str:
    lo, hi = bucket
    return str(lo) if lo == hi else f"{lo}–{hi}"


@dataclass(frozen=True)
class TaskData:
    task: Task
    train: Sentences
    test: Sentences
    seen: Sentences
    distances: torch.Tensor | None  # (N_test,) memory: words between clue and answer
    buckets: tuple[tuple[int, int], ...]  # memory's distance columns; () for other tasks
    probe: list[str]  # the gradient-flow sentence
    gate_probe: list[list[str]]

    @classmethod
    def of(cls, settings: TrainSettings) -> TaskData:
        """The data of ``settings`` (its task, seed and, for memory, longest distance)."""
        task = TASKS[settings.task]
        train, test = make_data(task, settings.seed, max_distance=settings.max_distance)
        memory = task.name == "memory"
        distances = torch.tensor([len(tok) - 1 for tok, _ in test]) if memory else None
        if memory:  # the longest distance, new words: the clue as far back as it gets
            probe = memory_sentence(random.Random(settings.seed + 3), settings.max_distance)[0]
        else:
            probe = max((tok for tok, _ in test), key=len)
        return cls(task, Sentences.of(task, train), Sentences.of(task, test),
                   Sentences.of(task, train[:SEEN]), distances,
                   buckets(settings.max_distance) if memory else (), probe,
                   [tok for tok, _ in test[:GATE_PROBE]])
