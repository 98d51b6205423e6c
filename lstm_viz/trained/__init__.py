"""The shipped trained toy models: ``<name>.safetensors`` (weights) + ``<name>.json``.

Each model is ``nn.Embedding(V, E, padding_idx=0)`` → ``nn.LSTM``/``GRU``/``RNN`` →
``nn.Linear`` (``lstm_viz.trained.model.ToyModel``), trained by ``scripts/train_toy.py``.
The weights file holds the model's ``state_dict`` (``embedding.weight``, ``rnn.*``,
``head.*``); the JSON holds the config, the fixed vocabulary, the task, the accuracy, the
outputs recorded on the example sentences and the readable unit found in the data.

Names are looked up in ``MODELS`` only, never used as paths as given; the files are read
as package data (``pkgutil.get_data``), so they also load from an installed package.
"""

from __future__ import annotations

import json
import pkgutil
from functools import cache
from typing import NamedTuple

import torch

from lstm_viz.core.config import RNNConfig
from lstm_viz.trained.tasks import TASKS, UNK

CELLS = ("LSTM", "GRU", "RNN")
MODELS = tuple(f"{task}-{cell.lower()}" for task in TASKS for cell in CELLS)
RNN_PREFIX = "rnn."


class Weights(NamedTuple):
    """Weights to run in the app instead of seeded random ones."""

    name: str  # a name of MODELS, or "upload:<sha256>"
    rnn: dict[str, torch.Tensor]  # the recurrent module's own state_dict (weight_ih_l0, …)
    embedding: torch.Tensor | None = None  # (num_embeddings, embedding_dim), row 0 = pad
    vocab: tuple[str, ...] | None = None  # vocab[id]; "<pad>" = 0, "<unk>" = 1


def _data(name: str, ext: str) -> bytes:
    """The bytes of ``lstm_viz/trained/<name>.<ext>`` for a name of MODELS only."""
    if name not in MODELS:
        raise KeyError(f"unknown trained model {name!r}; one of {', '.join(MODELS)}")
    return pkgutil.get_data(__name__, f"{name}.{ext}")


@cache
def info(name: str) -> dict:
    """The JSON of model ``name`` (read once)."""
    return json.loads(_data(name, "json").decode("utf-8"))


def config(name: str) -> RNNConfig:
    return RNNConfig(**info(name)["config"])


@cache
def state_dict(name: str) -> dict[str, torch.Tensor]:
    """The whole ToyModel state_dict from ``<name>.safetensors`` (no pickle involved; read
    once, shared: callers copy, as ``load_state_dict`` does, and never change it)."""
    from safetensors.torch import load  # imported on first use

    return load(_data(name, "safetensors"))


@cache
def load(name: str) -> Weights:
    """Model ``name``'s weights, split into the RNN's, the embedding and the vocabulary."""
    sd = state_dict(name)
    rnn = {k.removeprefix(RNN_PREFIX): v for k, v in sd.items() if k.startswith(RNN_PREFIX)}
    return Weights(name, rnn, sd["embedding.weight"], tuple(info(name)["vocab"]))


def unknown_words(name: str, tokens: list[list[str]]) -> list[str]:
    """The distinct tokens that model ``name`` reads as ``<unk>`` (in order of appearance)."""
    vocab = set(info(name)["vocab"])
    seen = [tok for sentence in tokens for tok in sentence
            if (tok not in vocab and tok.lower() not in vocab) or tok == UNK]
    return list(dict.fromkeys(seen))


def task_of(weights: str) -> str | None:
    """The task of a shipped model ("sentiment", "brackets"); None for other weights."""
    return info(weights)["task"] if weights in MODELS else None


def examples(name: str) -> str:
    """Model ``name``'s example sentences, one per line (the text its presets start with)."""
    return "\n".join(info(name)["recorded"]["sentences"])


def head_probabilities(name: str, h: torch.Tensor) -> torch.Tensor:
    """softmax of model ``name``'s classifier head on h (..., H_out) → (..., classes)."""
    sd = state_dict(name)
    with torch.no_grad():
        return torch.softmax(h.float() @ sd["head.weight"].T + sd["head.bias"], dim=-1)
