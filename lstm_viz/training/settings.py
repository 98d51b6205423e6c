"""A training as plain data: ``TrainSettings`` (what to train, how), its caps, and ``repair``.

The defaults are the recipe of the shipped ``memory-*`` models (``lstm_viz.trained.model.HYPER``,
``python scripts/train_toy.py``): the three cells side by side on the memory task, so that
the defaults reproduce the shipped files bit for bit. A student's or a link's values go
through ``repair`` first: a value outside its range is moved to the nearest bound, a value of
the wrong kind (NaN, text) back to the default, each change a ``Notice`` — never an error.
The caps keep one training on a shared classroom server within a few minutes of one core.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

from lstm_viz.core.notice import Notice, short
from lstm_viz.trained.model import HYPER
from lstm_viz.trained.tasks import MAX_DISTANCE, TASKS

CELLS = ("RNN", "GRU", "LSTM")  # the order they are shown in: simplest first
OPTIMIZERS = ("Adam", "SGD")


@dataclass(frozen=True)
class TrainSettings:
    """One training: every cell of ``cells`` trained on the same batches from the same seed."""

    task: str = "memory"  # a task of lstm_viz.trained.tasks.TASKS: memory, sentiment, brackets
    cells: tuple[str, ...] = CELLS  # which of nn.RNN, nn.GRU, nn.LSTM, trained side by side
    hidden_size: int = 8  # H_cell (= H_out) of every cell
    embedding_dim: int = 8  # E: nn.Embedding(V, E, padding_idx=0), the cells' H_in
    optimizer: str = "Adam"  # torch.optim.Adam or torch.optim.SGD (no momentum)
    lr: float = 0.02  # learning rate
    batch_size: int = 32  # sentences per optimisation step
    epochs: int = 12  # passes over the training sentences
    clip: float = 5.0  # clip_grad_norm_ to this total norm before each step; 0: no clipping
    forget_bias: float = 1.0  # added to an LSTM's b_if before training (Gers et al. 2000)
    max_distance: int = MAX_DISTANCE  # memory: the longest clue–answer distance (words)
    unk_rate: float = 0.05  # share of known words read as <unk> while training
    seed: int = 0  # the data, the initial weights and the batches' order

    @classmethod
    def shipped(cls, task: str, cells: tuple[str, ...] = CELLS) -> TrainSettings:
        """The recipe ``scripts/train_toy.py`` trains ``task``'s shipped models with."""
        hyper = HYPER[task]
        return cls(task=task, cells=cells, hidden_size=hyper["hidden_size"],
                   embedding_dim=hyper["embedding_dim"], epochs=hyper["epochs"],
                   unk_rate=hyper.get("unk_rate", 0.0),
                   forget_bias=hyper.get("forget_bias", 0.0))


@dataclass(frozen=True)
class Range:
    """The values a number may take; ``integer``: whole numbers only."""

    low: float
    high: float
    integer: bool = True


LIMITS = {  # the caps: what one training may ask of a shared server
    "hidden_size": Range(1, 32),
    "embedding_dim": Range(1, 32),
    "lr": Range(1e-5, 1.0, integer=False),
    "batch_size": Range(8, 256),
    "epochs": Range(1, 40),
    "clip": Range(0.0, 100.0, integer=False),
    "forget_bias": Range(-5.0, 5.0, integer=False),
    "max_distance": Range(0, MAX_DISTANCE),  # sentences of up to 61 words: under the L cap 64
    "unk_rate": Range(0.0, 0.5, integer=False),
    "seed": Range(0, 2**31 - 1),
}
CHOICES = {"task": tuple(TASKS), "optimizer": OPTIMIZERS}
DEFAULT = TrainSettings()


def _number(name: str, value, default, notices: list[Notice]):
    """``value`` within ``LIMITS[name]``: the nearest bound when out of range, ``default``
    when it is no finite number."""
    limit = LIMITS[name]
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok or not math.isfinite(value):
        notices.append(Notice(name, short(value), "expected a finite number", short(default)))
        return default
    if limit.integer and value != int(value):
        notices.append(Notice(name, short(value), "expected a whole number", str(round(value))))
        value = round(value)
    bounded = min(max(value, limit.low), limit.high)
    if bounded != value:
        notices.append(Notice(name, short(value), f"expected {limit.low:g} … {limit.high:g}",
                              f"{bounded:g}"))
    return int(bounded) if limit.integer else float(bounded)


def _cells(value, notices: list[Notice]) -> tuple[str, ...]:
    """Known cells, each once, in CELLS' order; all three when none is left."""
    given = value if isinstance(value, tuple | list) else ()
    known = tuple(c for c in CELLS if c in given)
    if not known or len(known) != len(given):
        used = known or CELLS
        notices.append(Notice("cells", short(",".join(map(str, given)) or "(none)"),
                              f"any of {', '.join(CELLS)}, each once", ",".join(used)))
        return used
    return known


def repair(settings: TrainSettings) -> tuple[TrainSettings, list[Notice]]:
    """``settings`` with every value made valid, and a Notice for each change."""
    notices: list[Notice] = []
    values = {}
    for f in fields(TrainSettings):
        value, default = getattr(settings, f.name), getattr(DEFAULT, f.name)
        if f.name in CHOICES:
            if value not in CHOICES[f.name]:
                notices.append(Notice(f.name, short(value),
                                      f"one of {', '.join(CHOICES[f.name])}", default))
                value = default
        elif f.name == "cells":
            value = _cells(value, notices)
        else:
            value = _number(f.name, value, default, notices)
        values[f.name] = value
    return replace(settings, **values), notices


def describe(settings: TrainSettings) -> str:
    """One line naming the training, for logs and the page: task, cells, the recipe."""
    s = settings
    return (f"{s.task}: {'/'.join(s.cells)} H={s.hidden_size} E={s.embedding_dim} "
            f"{s.optimizer}(lr={s.lr:g}) batch={s.batch_size} epochs={s.epochs} "
            f"clip={s.clip:g} forget_bias={s.forget_bias:g} distance≤{s.max_distance} "
            f"unk={s.unk_rate:g} seed={s.seed}")
