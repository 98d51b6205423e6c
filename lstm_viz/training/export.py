"""A trained cell taken out of a training: as a ``.safetensors`` file (the shipped models'
format: the whole ToyModel ``state_dict``), and as weights a session holds as its own, like
an upload (``trained.Weights`` named ``upload:<sha256>`` of that file: equal names, equal
weights, so every cache keyed by the name stays right).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import torch
from safetensors.torch import save

from lstm_viz.core.config import RNNConfig
from lstm_viz.trained import RNN_PREFIX, Weights
from lstm_viz.trained.tasks import Task
from lstm_viz.training.snapshot import Snapshot


def file_bytes(state_dict: dict[str, torch.Tensor]) -> bytes:
    """The ``state_dict`` as a ``.safetensors`` file (what ``trained.state_dict`` reads)."""
    return save({k: v.detach().contiguous() for k, v in state_dict.items()})


def weights_name(state_dict: dict[str, torch.Tensor]) -> str:
    return "upload:" + hashlib.sha256(file_bytes(state_dict)).hexdigest()


def as_weights(cell: str, state_dict: dict[str, torch.Tensor],
               task: Task) -> tuple[Weights, RNNConfig]:
    """(the session's own Weights: recurrent layer, embedding, the task's vocabulary; the
    recurrent layer's RNNConfig)."""
    rnn = {k.removeprefix(RNN_PREFIX): v for k, v in state_dict.items()
           if k.startswith(RNN_PREFIX)}
    config = RNNConfig(cell, rnn["weight_ih_l0"].shape[1], rnn["weight_hh_l0"].shape[1])
    name = weights_name(state_dict)
    return Weights(name, rnn, state_dict["embedding.weight"], task.vocab), config


def with_weights(snapshots: Sequence[Snapshot], at: int) -> int | None:
    """The latest snapshot at or before ``at`` that kept its weights (None: none did)."""
    return next((k for k in range(at, -1, -1) if snapshots[k].has_weights), None)
