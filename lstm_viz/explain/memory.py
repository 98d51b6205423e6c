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
from lstm_viz.core.build import RNNModule, build_module, config_of
from lstm_viz.core.config import RNNConfig
from lstm_viz.core.connectivity import connectivity, gradient_flows
from lstm_viz.core.intervene import Clamp, intervene
from lstm_viz.core.trace import Trace, trace
from lstm_viz.i18n import t
from lstm_viz.trained.tasks import TASKS, encode, memory_sentence

MODELS = ("memory-rnn", "memory-gru", "memory-lstm")  # shown in this order: simplest first
# A session may hold models of its own (a training's, lstm_viz.training): every function
# takes a ``Model`` or a shipped model's name.
MAX_WORDS = 64  # the page's own cap on the sentence (the classroom cap on L)
TASK = TASKS["memory"]
CLASSES = TASK.classes  # the animals: class k is CLASSES[k]
NAMES = {"LSTM": ("f", "i", "o", "g", "c", "h"), "GRU": ("z", "r", "n", "h"), "RNN": ("h",)}
SIGMOID = {"i", "f", "o", "r", "z"}  # gates on 0 … 1; the rest on −1 … 1


@dataclass(frozen=True, eq=False)
class Model:
    """A model of the memory task: ``embedding`` → ``module`` → the head (W, b) on h_t."""

    name: str  # a shipped model's name, or "upload:<sha256>" (a session's own weights)
    cell: str
    module: RNNModule  # in eval mode; shared: read-only
    embedding: torch.Tensor  # (V, E), V = len(TASK.vocab), row 0 the pad
    head: tuple[torch.Tensor, torch.Tensor]  # weight (classes, H_out), bias (classes,)

    @classmethod
    def of(cls, name: str, cell: str, state_dict: dict[str, torch.Tensor]) -> Model:
        """From a ToyModel ``state_dict`` (``embedding.weight``, ``rnn.*``, ``head.*``)."""
        rnn = {k.removeprefix("rnn."): v for k, v in state_dict.items() if k.startswith("rnn.")}
        H_in, H = rnn["weight_ih_l0"].shape[1], rnn["weight_hh_l0"].shape[1]
        built = build_module(RNNConfig(cell, H_in, H))
        built.module.load_state_dict(rnn)  # strict: every name and shape
        return cls(name, cell, built.module.eval(), state_dict["embedding.weight"],
                   (state_dict["head.weight"], state_dict["head.bias"]))


@cache
def shipped(name: str) -> Model:
    """Shipped model ``name`` (one of MODELS), read once."""
    return Model.of(name, trained.config(name).cell, trained.state_dict(name))


def _model(model: Model | str) -> Model:
    return shipped(model) if isinstance(model, str) else model


def cell_of(name: str) -> str:
    return _model(name).cell


def model_for(cell: str, models: tuple[Model, ...] | None = None) -> str:
    """The name of the model of ``cell`` among ``models`` (default: the shipped ones)."""
    return next(m.name for m in (models or tuple(map(shipped, MODELS))) if m.cell == cell)


def width(cell: str, name: str, models: tuple[Model, ...] | None = None) -> int:
    """Units of gate or state ``name`` in the model of ``cell`` (H_out for h, else H_cell)."""
    found = next(m for m in (models or tuple(map(shipped, MODELS))) if m.cell == cell)
    cfg = config_of(found.module)
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


def module(name: Model | str) -> RNNModule:
    """The model's recurrent module with its trained weights (shared: read-only)."""
    return _model(name).module


def embed(name: Model | str, tokens: list[str]) -> torch.Tensor:
    """The sentence through the model's own nn.Embedding: x (L, 1, E)."""
    ids = torch.tensor(encode(TASK, tokens), dtype=torch.int64)  # (L,), unknown → <unk>
    return _model(name).embedding[ids][:, None]


def probabilities(name: Model | str, tr: Trace) -> np.ndarray:
    """(L, classes): the head on h_t, the answer if the sentence ended at word t."""
    h = tr.step_values(0, 0)["h"][0]  # (L, H_out)
    weight, bias = _model(name).head
    with torch.no_grad():
        return torch.softmax(h.float() @ weight.T + bias, dim=-1).numpy()


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


def look(name: Model | str, tokens: list[str]) -> ModelView:
    """The model on ``tokens``: its trace, answers, connectivity and gradient flow."""
    model = _model(name)
    x, rnn, cell = embed(model, tokens), model.module, model.cell
    tr = trace(rnn, x)
    flows = gradient_flows(rnn, x, states=("h", "c") if cell == "LSTM" else ("h",))
    flow_c = flows["c"][0].numpy() if "c" in flows else None
    return ModelView(model.name, cell, tr, probabilities(model, tr),
                     connectivity(rnn, x)[0].numpy(), flows["h"][0].numpy(), flow_c)


def forced(name: Model | str, tokens: list[str], gate: str, value: float,
           units: tuple[int, ...] | None, from_t: int) -> tuple[Trace, np.ndarray]:
    """The model on ``tokens`` with ``gate`` (or state) of its one layer forced:
    (the changed run's Trace, its answers' probabilities (L, classes))."""
    tr = intervene(module(name), embed(name, tokens), clamp={
        (0, 0, gate): Clamp(value, units, from_t)})
    return tr, probabilities(name, tr)


def what_happened(name: Model | str, tokens: list[str], gate: str, value: float,
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
