"""Memory over time: one sentence through the three trained ``memory`` models (nn.RNN,
nn.GRU, nn.LSTM, hidden size 8), what each answers after every word, how far back each
output step reaches (``connectivity``), how far a gradient travels (``gradient_flows``), and
what happens when a gate is forced (``intervene``).

The task (``lstm_viz.trained.tasks``): the first word names an animal, the models say which
one came first once the sentence ends. Trained on whole sentences of 1 … 61 words, each
model's head read at h_t is its answer if the sentence ended at word t, so one run shows
the answer after every word. A word the models never saw is read as ``<unk>``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache

import numpy as np
import torch

from lstm_viz import trained
from lstm_viz.core.build import RNNModule, build_module
from lstm_viz.core.connectivity import connectivity, gradient_flows
from lstm_viz.core.intervene import Clamp, intervene
from lstm_viz.core.trace import Trace, trace
from lstm_viz.i18n import t
from lstm_viz.trained.tasks import TASKS, encode, memory_sentence

MODELS = ("memory-rnn", "memory-gru", "memory-lstm")  # shown in this order: simplest first
MAX_WORDS = 64  # the page's own cap on the sentence (the classroom cap on L)
TASK = TASKS["memory"]
CLASSES = TASK.classes  # the animals: class k is CLASSES[k]
NAMES = {"LSTM": ("f", "i", "o", "g", "c", "h"), "GRU": ("z", "r", "n", "h"), "RNN": ("h",)}
SIGMOID = {"i", "f", "o", "r", "z"}  # gates on 0 … 1; the rest on −1 … 1


def cell_of(name: str) -> str:
    return trained.config(name).cell


def model_for(cell: str) -> str:
    return next(m for m in MODELS if cell_of(m) == cell)


def width(cell: str, name: str) -> int:
    """Units of gate or state ``name`` in the model of ``cell`` (H_out for h, else H_cell)."""
    cfg = trained.config(model_for(cell))
    return cfg.H_out if name == "h" else cfg.hidden_size


def words(text: str) -> tuple[list[str], int]:
    """The sentence's words as the models read them (at most MAX_WORDS), and how many
    words it had."""
    found = text.split()
    return found[:MAX_WORDS], len(found)


def truth(tokens: list[str]) -> str | None:
    """The animal the first word names, or None when it names none."""
    first = tokens[0].lower() if tokens else ""
    return first if first in CLASSES else None


def generate(distance: int, seed: int) -> str:
    """A sentence of the task with ``distance`` words after the first (seeded)."""
    tokens, _ = memory_sentence(random.Random(seed), max(0, min(distance, MAX_WORDS - 1)))
    return " ".join(tokens)


@cache
def module(name: str) -> RNNModule:
    """Model ``name``'s recurrent module with its trained weights (shared: read-only)."""
    built = build_module(trained.config(name))
    built.module.load_state_dict(trained.load(name).rnn)
    return built.module


def embed(name: str, tokens: list[str]) -> torch.Tensor:
    """The sentence through model ``name``'s own nn.Embedding: x (L, 1, E)."""
    ids = torch.tensor(encode(TASK, tokens), dtype=torch.int64)  # (L,), unknown → <unk>
    return trained.load(name).embedding[ids][:, None]


def probabilities(name: str, tr: Trace) -> np.ndarray:
    """(L, classes): the head on h_t, the answer if the sentence ended at word t."""
    h = tr.step_values(0, 0)["h"][0]  # (L, H_out)
    return trained.head_probabilities(name, h).numpy()


def answers(probs: np.ndarray) -> list[str]:
    """The animal each step's answer names."""
    return [CLASSES[k] for k in probs.argmax(-1)]


@dataclass
class ModelView:
    """One model on one sentence."""

    name: str
    cell: str
    trace: Trace  # the recurrent module on the embedded sentence (verified)
    probs: np.ndarray  # (L, classes)
    connectivity: np.ndarray  # (L, L): output step t × input step s
    flow: np.ndarray  # (L,): ‖∂h_T / ∂h_t‖
    flow_c: np.ndarray | None  # (L,): ‖∂c_T / ∂c_t‖ along an LSTM's cell state

    @property
    def answers(self) -> list[str]:
        return answers(self.probs)


def look(name: str, tokens: list[str]) -> ModelView:
    """Model ``name`` on ``tokens``: its trace, answers, connectivity and gradient flow."""
    x, rnn, cell = embed(name, tokens), module(name), cell_of(name)
    tr = trace(rnn, x)
    flows = gradient_flows(rnn, x, states=("h", "c") if cell == "LSTM" else ("h",))
    flow_c = flows["c"][0].numpy() if "c" in flows else None
    return ModelView(name, cell, tr, probabilities(name, tr), connectivity(rnn, x)[0].numpy(),
                     flows["h"][0].numpy(), flow_c)


def forced(name: str, tokens: list[str], gate: str, value: float, units: tuple[int, ...] | None,
           from_t: int) -> tuple[Trace, np.ndarray]:
    """Model ``name`` on ``tokens`` with ``gate`` (or state) of its one layer forced:
    (the changed run's Trace, its answers' probabilities (L, classes))."""
    tr = intervene(module(name), embed(name, tokens), clamp={
        (0, 0, gate): Clamp(value, units, from_t)})
    return tr, probabilities(name, tr)


def what_happened(name: str, tokens: list[str], gate: str, value: float,
                  units: tuple[int, ...] | None, from_t: int, before: np.ndarray,
                  after: np.ndarray, lang: str) -> str:
    """One sentence: what forcing ``gate`` did to the model's answers (before/after:
    (L, classes) probabilities)."""
    cell = cell_of(name)
    a, b = answers(before), answers(after)
    where = (t("memory.what.all_units", lang) if units is None else
             t("memory.what.units", lang, units=", ".join(map(str, units))))
    start = min(from_t, len(tokens) - 1)
    head = t("memory.what.head", lang, gate=t(f"memory.name.{gate}", lang), value=f"{value:g}",
             where=where, t=start, token=tokens[start], cell=cell)
    changed = [k for k in range(len(tokens)) if a[k] != b[k]]
    values = {"cell": cell, "before": a[-1], "after": b[-1], "truth": truth(tokens)}
    if not changed:
        dp = float(np.abs(after - before).max())
        return head + t("memory.what.same", lang, dp=f"{dp:.2f}", **values)
    first = {"first": changed[0], "first_token": tokens[changed[0]]}
    if a[-1] == b[-1]:
        return head + t("memory.what.recovered", lang, count=len(changed), **first, **values)
    lost = values["truth"] is not None and a[-1] == values["truth"] != b[-1]
    kind = ("never" if changed[0] == 0 else "lost") if lost else "changed"
    return head + t(f"memory.what.{kind}", lang, **first, **values)
