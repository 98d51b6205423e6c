"""What a training shows at one moment: a ``Snapshot`` of every cell, measured on fixed probes.

Per cell: the training loss (mean over the steps since the previous snapshot), the loss and
accuracy on the held-out sentences, the accuracy on as many fixed training sentences, the
accuracy by clue–answer distance (memory), the mean of each gate on the probe sentences
(``trace`` of the real module, verified), the gradient flow ‖∂h_T/∂h_t‖ on one probe
sentence (``gradient_flows``), and the weights (the whole ToyModel ``state_dict``; a
training keeps them for a bounded number of snapshots, ``keeps_weights``). Everything is a
plain float, tuple or tensor copy: a snapshot never changes once made, so sessions share it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import torch
from torch import nn

from lstm_viz.core.connectivity import gradient_flows
from lstm_viz.trained.model import ToyModel, batch_ids
from lstm_viz.trained.probe import probe_trace
from lstm_viz.training.data import Sentences, TaskData

GATES = {"LSTM": ("i", "f", "g", "o"), "GRU": ("r", "z", "n"), "RNN": ()}  # PyTorch's order


@dataclass(frozen=True)
class CellState:
    """One cell at one snapshot."""

    loss: float  # training loss, mean over the steps since the last snapshot (NaN at step 0)
    test_loss: float  # cross-entropy on the held-out sentences
    train_accuracy: float  # on TaskData.seen (fixed training sentences)
    test_accuracy: float  # on the held-out sentences
    by_distance: tuple[float, ...]  # memory: accuracy per TaskData.buckets column; () else
    gates: dict[str, tuple[float, ...]]  # gate → its mean per unit (H_cell,) on the probe
    flow: tuple[float, ...]  # ‖∂h_T/∂h_t‖ for t = 0 … T on TaskData.probe
    weights: dict[str, torch.Tensor] | None  # the ToyModel's state_dict (a copy), if kept


@dataclass(frozen=True)
class Snapshot:
    step: int  # optimisation steps done (every cell the same)
    epoch: float  # step / steps per epoch
    cells: dict[str, CellState]  # by cell name ("RNN", "GRU", "LSTM")

    @property
    def has_weights(self) -> bool:
        return all(c.weights is not None for c in self.cells.values())

    def without_weights(self) -> Snapshot:
        cells = {k: replace(c, weights=None) for k, c in self.cells.items()}
        return Snapshot(self.step, self.epoch, cells)


def keeps_weights(step: int, steps_per_epoch: int) -> bool:
    """Weights stay with the snapshots at step 0 and at every epoch's end (the newest
    snapshot holds its own until a newer one comes): at most epochs + 2 sets."""
    return step % steps_per_epoch == 0


def _scores(model: ToyModel, data: Sentences) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(loss, right, mask) of ``model`` on ``data``: right and mask (N,) or (N, L)."""
    logits = model(data.ids, data.lengths)[0]
    loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                                       data.labels.reshape(-1), ignore_index=-100)
    return loss, logits.argmax(-1) == data.labels, data.labels != -100


def accuracy_of(right: torch.Tensor, mask: torch.Tensor) -> float:
    """The share of labelled positions classified right (as ``trained.model.accuracy``)."""
    return float(right[mask].double().mean())


def by_distance(right: torch.Tensor, distances: torch.Tensor,
                buckets: tuple[tuple[int, int], ...]) -> tuple[float, ...]:
    """Accuracy of the sentences in each (lowest, highest) distance bucket (NaN if none)."""
    out = []
    for lo, hi in buckets:
        inside = (distances >= lo) & (distances <= hi)
        out.append(float(right[inside].double().mean()) if inside.any() else math.nan)
    return tuple(out)


def gate_means(model: ToyModel, data: TaskData, cell: str) -> dict[str, tuple[float, ...]]:
    """Each gate's mean per unit over the real tokens of the gate probe (layer 0)."""
    if not GATES[cell]:
        return {}
    values = probe_trace(model, data.task, data.gate_probe).step_values(0, 0)
    return {g: tuple(torch.nanmean(values[g].reshape(-1, values[g].shape[-1]), 0).tolist())
            for g in GATES[cell]}


def flow(model: ToyModel, data: TaskData) -> tuple[float, ...]:
    """‖∂h_T/∂h_t‖ on the probe sentence, t = 0 … T."""
    ids, _ = batch_ids(data.task, [data.probe])
    with torch.no_grad():
        x = model.embedding(ids[0])[:, None]  # (L, 1, E)
    return tuple(gradient_flows(model.rnn, x)["h"][0].tolist())


def measure(model: ToyModel, data: TaskData, cell: str, loss: float) -> CellState:
    """``model`` now (left in train mode): every number of a CellState, and its weights."""
    model.eval()
    try:
        with torch.no_grad():
            test_loss, right, mask = _scores(model, data.test)
            _, seen_right, seen_mask = _scores(model, data.seen)
        gates, flows = gate_means(model, data, cell), flow(model, data)
    finally:
        model.train()
    weights = {k: v.detach().clone() for k, v in model.state_dict().items()}
    distance = (by_distance(right, data.distances, data.buckets)
                if data.distances is not None else ())
    return CellState(loss, float(test_loss), accuracy_of(seen_right, seen_mask),
                     accuracy_of(right, mask), distance, gates, flows, weights)
