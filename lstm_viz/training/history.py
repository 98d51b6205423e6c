"""A training's snapshots as arrays over time, what its figures draw (S snapshots, B distance
buckets, T + 1 words of the probe sentence).

``History.of(snapshots)``: ``epoch`` (S,), and per cell ``loss``, ``test_loss``,
``train_accuracy``, ``test_accuracy`` (S,), ``by_distance`` (S, B), ``gates`` {gate: (S, H)}
(each unit's mean over the probe's words), ``flow`` (S, T + 1). float32, NaN where a value
is missing (the loss before the first step, a bucket with no sentence).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lstm_viz.training.snapshot import Snapshot

SIGMOID = ("i", "f", "o", "r", "z")  # the gates (0 … 1); g and n are candidate values


@dataclass(frozen=True)
class CellHistory:
    loss: np.ndarray  # (S,)
    test_loss: np.ndarray  # (S,)
    train_accuracy: np.ndarray  # (S,)
    test_accuracy: np.ndarray  # (S,)
    by_distance: np.ndarray  # (S, B); B = 0 for tasks without distances
    gates: dict[str, np.ndarray]  # σ gate → (S, H_cell) each unit's mean over probe tokens
    flow: np.ndarray  # (S, T + 1)


@dataclass(frozen=True)
class History:
    epoch: np.ndarray  # (S,)
    step: np.ndarray  # (S,) int
    cells: dict[str, CellHistory]

    @classmethod
    def of(cls, snapshots: Sequence[Snapshot]) -> History:
        if not snapshots:
            raise ValueError("snapshots: expected at least one, got none")
        names = list(snapshots[0].cells)
        return cls(np.array([s.epoch for s in snapshots], dtype=np.float32),
                   np.array([s.step for s in snapshots], dtype=np.int64),
                   {name: _cell([s.cells[name] for s in snapshots]) for name in names})


def _series(values) -> np.ndarray:
    return np.array(values, dtype=np.float32)


def _cell(states) -> CellHistory:
    gates = {g: _series([s.gates[g] for s in states]) for g in states[0].gates if g in SIGMOID}
    buckets = len(states[0].by_distance)
    return CellHistory(_series([s.loss for s in states]), _series([s.test_loss for s in states]),
                       _series([s.train_accuracy for s in states]),
                       _series([s.test_accuracy for s in states]),
                       _series([s.by_distance for s in states]).reshape(len(states), buckets),
                       gates, _series([s.flow for s in states]))


def first_learned(snapshots: Sequence[Snapshot], cell: str, level: float = 0.95) -> Snapshot | None:
    """The first snapshot at which ``cell`` is right on at least ``level`` of the test
    sentences at every distance (memory; other tasks: of all of them), or None."""
    for snap in snapshots:
        state = snap.cells[cell]
        scores = [v for v in state.by_distance if not np.isnan(v)] or [state.test_accuracy]
        if min(scores) >= level:
            return snap
    return None
