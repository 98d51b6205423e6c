"""A question a training answers: which cell is still at chance after N epochs?

The step's ``params["train"]`` changes ``TrainSettings`` (the memory race: an nn.RNN, an
nn.GRU and an nn.LSTM on the same batches); the answer is read off a real training, the Train
page's (``lstm_viz.training``): one run per settings in the process, shared by every student
and kept once finished, so the class trains it once (the server's warm-up does it at start).
A cell is at chance when its held-out accuracy is within ``MARGIN`` of guessing (1 in 4);
a step whose run leaves not exactly one cell there cannot be asked (ValueError).
"""

from __future__ import annotations

import time
from dataclasses import replace

from lstm_viz import training
from lstm_viz.state.page_spec import to_query
from lstm_viz.state.train_keys import TRAIN, values_of
from lstm_viz.trained.tasks import TASKS
from lstm_viz.training import Run, TrainSettings

TARGETS = ("still_at_chance",)
MARGIN = 0.1  # "at chance": held-out accuracy ≤ 1 / classes + MARGIN
WAIT_S = 120.0  # the longest a page waits for the run (it takes seconds)
WATCHER = "lesson"


def settings_of(params: dict) -> TrainSettings:
    """The step's training: the defaults with ``params["train"]`` changed, repaired."""
    return training.repair(replace(TrainSettings(), **params.get("train", {})))[0]


def finished(params: dict, wait: float = WAIT_S) -> Run:
    """The step's training, finished: the kept run (pinned: never dropped), or one trained
    now (single-flight: a class arriving together trains it once). ValueError when it cannot
    be: training is off here, or it did not end well within ``wait`` seconds."""
    registry, s = training.shared(), settings_of(params)
    if registry.size == 0 and registry.find(s) is None:
        raise ValueError("training is off on this server (LSTM_VIZ_MAX_TRAININGS=0)")
    run, end = registry.start(s, WATCHER, pin=True), time.monotonic() + wait
    while not run.ended.wait(1.0):
        registry.watch(run, WATCHER)  # waiting is watching: the grace period never ends it
        if time.monotonic() > end:
            raise ValueError(f"the lesson's training did not finish in {wait:.0f} s")
    if run.status != "finished":
        raise ValueError(f"the lesson's training {run.status}")
    return run


def chance(run: Run) -> float:
    return 1 / len(TASKS[run.settings.task].classes)


def at_chance(run: Run) -> list[str]:
    """The cells whose held-out accuracy at the end is within MARGIN of guessing."""
    last = run.snapshots[-1].cells
    return [cell for cell, state in last.items() if state.test_accuracy <= chance(run) + MARGIN]


def answer(params: dict) -> str:
    """The one cell still at chance after the step's epochs."""
    found = at_chance(finished(params))
    if len(found) != 1:
        raise ValueError(f"cells at chance: {found}; the step needs exactly one")
    return found[0]


def evidence(params: dict) -> str:
    """The run's held-out accuracy of each cell at the end, as Python-like lines."""
    run = finished(params)
    last, s = run.snapshots[-1], run.settings
    lines = [f"# the Train page's run: {s.epochs} epochs, clue–answer distances ≤ "
             f"{s.max_distance}, seed {s.seed}; chance = {chance(run):.2f}"]
    lines += [f"test_accuracy[{cell!r}]  # {state.test_accuracy:.2f}"
              for cell, state in last.cells.items()]
    return "\n".join(lines)


def link(params: dict) -> dict[str, str]:
    """The Train page's URL keys of the step's training (the same run, to watch again)."""
    return to_query(values_of(settings_of(params)), TRAIN)


def values(params: dict) -> dict:
    """The placeholders of the step's texts: epochs, the longest distance, the cells, and the
    recipe the caption names (the training is the Train page's, not the sidebar's module)."""
    s = settings_of(params)
    return {"epochs": s.epochs, "distance": s.max_distance, "cells": ", ".join(s.cells),
            "hidden": s.hidden_size, "optimizer": s.optimizer, "lr": f"{s.lr:g}",
            "batch_size": s.batch_size, "seed": s.seed}
