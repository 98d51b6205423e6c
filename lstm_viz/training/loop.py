"""The one training loop: the shipped models (``scripts/train_toy.py``) and the Train page both
come from it.

Every cell of ``TrainSettings.cells`` gets its own ``ToyModel``, optimiser and
``torch.Generator``; the cells take their steps in turn (interleaved, one step each), on the
same batches in the same order. Each model is initialised as after ``torch.manual_seed(seed)``,
under ``lstm_viz.core.rng.seeded`` (the global generator forked and locked: a session's
thread building a module at that moment cannot take its numbers), and every random draw
afterwards (the batches' order, the words read as ``<unk>``) comes from the cell's own
generator: nothing global is touched, and each cell's weights are, byte for byte, those of
a training of that cell alone (CPU, the same thread count). A loss that is NaN or infinite
stops the training (``Diverged``); the snapshots made so far stay.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, replace

import torch
from torch import nn

from lstm_viz.core.rng import seeded
from lstm_viz.trained.model import ToyModel
from lstm_viz.training.data import TaskData
from lstm_viz.training.settings import TrainSettings
from lstm_viz.training.snapshot import Snapshot, measure

SNAPSHOTS_PER_EPOCH = 3  # a snapshot every ceil(steps per epoch / 3) steps, and at its end


@dataclass(frozen=True)
class Diverged:
    """Why a training stopped early: ``cell``'s loss was ``loss`` (NaN or ±inf) at ``step``."""

    cell: str
    step: int
    loss: float


def _drop_words(ids: torch.Tensor, rate: float, gen: torch.Generator) -> torch.Tensor:
    """Some tokens replaced by ``<unk>`` (id 1), so unknown words are read gracefully."""
    drop = (torch.rand(ids.shape, generator=gen) < rate) & (ids > 1)
    return torch.where(drop, torch.ones_like(ids), ids)


class CellTraining:
    """One cell's model, optimiser, generator and the losses since the last snapshot."""

    def __init__(self, cell: str, settings: TrainSettings, data: TaskData):
        task, s = data.task, settings
        with seeded(s.seed):  # one thread at a time; the global RNG is restored afterwards
            self.model = ToyModel(cell, len(task.vocab), s.embedding_dim, s.hidden_size,
                                  len(task.classes), task.per_step)
        if cell == "LSTM" and s.forget_bias:
            with torch.no_grad():  # gate order i, f, g, o: the second quarter of b_ih
                self.model.rnn.bias_ih_l0[s.hidden_size: 2 * s.hidden_size] += s.forget_bias
        self.cell, self.settings = cell, s
        self.gen = torch.Generator().manual_seed(s.seed)
        params = self.model.parameters()
        self.opt = (torch.optim.Adam(params, lr=s.lr) if s.optimizer == "Adam"
                    else torch.optim.SGD(params, lr=s.lr))
        self.order: tuple[torch.Tensor, ...] = ()
        self.losses: list[float] = []
        self.model.train()

    def step(self, data: TaskData, k: int) -> float:
        """Step ``k`` of the epoch (k = 0 draws the epoch's order): the batch's loss."""
        s, train = self.settings, data.train
        if k == 0:
            self.order = torch.randperm(len(train), generator=self.gen).split(s.batch_size)
        idx = self.order[k]
        ids = _drop_words(train.ids[idx], s.unk_rate, self.gen) if s.unk_rate else train.ids[idx]
        logits = self.model(ids, train.lengths[idx])[0]  # (B, C) or (B, L, C)
        loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                                           train.labels[idx].reshape(-1), ignore_index=-100)
        self.opt.zero_grad()
        loss.backward()
        if s.clip:
            nn.utils.clip_grad_norm_(self.model.parameters(), s.clip)
        self.opt.step()
        value = loss.item()
        self.losses.append(value)
        return value

    def mean_loss(self) -> float:
        """The mean loss since the last call (NaN before the first step)."""
        value = sum(self.losses) / len(self.losses) if self.losses else math.nan
        self.losses = []
        return value


class Trainer:
    """A training in progress: ``advance()`` one step at a time, or iterate ``run()``."""

    def __init__(self, settings: TrainSettings, data: TaskData | None = None, *,
                 every: int | None = None, snapshots: bool = True):
        self.settings = settings
        self.data = data or TaskData.of(settings)
        self.cells = {cell: CellTraining(cell, settings, self.data) for cell in settings.cells}
        self.steps_per_epoch = math.ceil(len(self.data.train) / settings.batch_size)
        self.total_steps = settings.epochs * self.steps_per_epoch
        self.every = (every or max(1, math.ceil(self.steps_per_epoch / SNAPSHOTS_PER_EPOCH))
                      ) if snapshots else 0
        self.step = 0
        self.diverged: Diverged | None = None

    @property
    def done(self) -> bool:
        return self.step >= self.total_steps or self.diverged is not None

    def snapshot(self) -> Snapshot:
        """Every cell measured now (``lstm_viz.training.snapshot.measure``)."""
        cells = {name: measure(c.model, self.data, name, c.mean_loss())
                 for name, c in self.cells.items()}
        return Snapshot(self.step, self.step / self.steps_per_epoch, cells)

    def advance(self) -> Snapshot | None:
        """One optimisation step of every cell, in turn; the snapshot if one is due now.
        Stops (``diverged``) at the first loss that is not finite."""
        if self.done:
            return None
        k = self.step % self.steps_per_epoch
        for name, cell in self.cells.items():
            loss = cell.step(self.data, k)
            if not math.isfinite(loss):
                self.diverged = Diverged(name, self.step + 1, loss)
                return None
        self.step += 1
        if self.every and ((k + 1) % self.every == 0 or k + 1 == self.steps_per_epoch):
            return self.snapshot()
        return None

    def run(self) -> Iterator[Snapshot]:
        """The snapshot before the first step, then each one as it is due, to the end."""
        if self.every:
            yield self.snapshot()
        while not self.done:
            found = self.advance()
            if found is not None:
                yield found

    def models(self) -> dict[str, ToyModel]:
        """Each cell's model as it is now (in eval mode: the caller's to read, not train)."""
        return {name: c.model.eval() for name, c in self.cells.items()}


def train_cell(settings: TrainSettings, cell: str) -> ToyModel:
    """``cell`` alone trained to the end with ``settings``, without snapshots (the shipped
    models' way: ``scripts/train_toy.py``)."""
    trainer = Trainer(replace(settings, cells=(cell,)), snapshots=False)
    for _ in trainer.run():
        pass
    if trainer.diverged:
        raise FloatingPointError(f"{cell}: loss {trainer.diverged.loss} at step "
                                 f"{trainer.diverged.step}")
    return trainer.models()[cell]
