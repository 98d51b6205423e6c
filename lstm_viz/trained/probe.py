"""What the training script records, and what the tests recompute from the shipped file:
the readable units on the probe (test) set and the outputs on the example sentences."""

from __future__ import annotations

import random

import numpy as np
import torch
from torch.nn.utils.rnn import pack_padded_sequence

from lstm_viz.core.trace import Trace, trace
from lstm_viz.trained import readable
from lstm_viz.trained.model import ToyModel, accuracy, batch_ids
from lstm_viz.trained.tasks import MAX_DISTANCE, Task, memory_sentence

DISTANCE_BUCKETS = ((0, 0), (1, 5), (6, 10), (11, 20), (21, 40), (41, MAX_DISTANCE))


def probe_trace(model: ToyModel, task: Task, token_lists: list[list[str]]) -> Trace:
    """``trace`` of ``model.rnn`` on the embedded, packed sentences (as the model runs)."""
    ids, lengths = batch_ids(task, token_lists)
    with torch.no_grad():
        x = model.embedding(ids).transpose(0, 1)  # (L, N, E)
    return trace(model.rnn, pack_padded_sequence(x, lengths, enforce_sorted=False), None)


def find_readable(model: ToyModel, task: Task, data: list) -> dict[str, readable.Finding]:
    """{"state": a unit of h/c, "gate": a gate unit (h for RNN)} found on ``data``."""
    tokens = [tok for tok, _ in data]
    tr = probe_trace(model, task, tokens)
    values = {k: v.numpy() for k, v in tr.step_values(0, 0).items()}  # (N, L, units)
    if task.per_step:
        depth = np.full(values["h"].shape[:2], np.nan)  # (N, L)
        for n, (_, seq) in enumerate(data):
            depth[n, : len(seq)] = seq
        state = readable.depth_finding(values, depth)
    elif task.name == "memory":
        state = readable.first_finding(values, tr.lengths.numpy(),
                                       np.array([label for _, label in data]), task.classes)
    else:
        state = readable.label_finding(values, tr.lengths.numpy(),
                                       np.array([label for _, label in data]))
    gate = readable.trigger_finding(values, tokens, task.triggers,
                                    readable.GATES[tr.config.cell])
    return {"state": state, "gate": gate}


def accuracy_by_distance(model: ToyModel, task: Task, seed: int, per_distance: int = 20,
                         buckets=DISTANCE_BUCKETS) -> dict[str, float]:
    """Memory: the share of right answers for clue–answer distances in each bucket
    ("1-5": distances 1 … 5), on ``per_distance`` new sentences per distance."""
    rng = random.Random(seed)
    out = {}
    for lo, hi in buckets:
        data = [memory_sentence(rng, d) for d in range(lo, hi + 1) for _ in range(per_distance)]
        out[f"{lo}-{hi}"] = accuracy(model, task, data)
    return out


def record(model: ToyModel, task: Task) -> dict:
    """h_n and the head's output on ``task.examples`` (rounded lists for the JSON)."""
    tokens = [list(s) if task.tokens == "char" else s.split() for s in task.examples]
    ids, lengths = batch_ids(task, tokens)
    with torch.no_grad():
        logits, h_n = model.eval()(ids, lengths)
    return {"sentences": list(task.examples), "h_n": h_n.tolist(), "head": logits.tolist()}
