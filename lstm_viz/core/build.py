"""Build the real ``nn.LSTM`` / ``nn.GRU`` / ``nn.RNN`` for a configuration."""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

from lstm_viz.core.caps import Caps
from lstm_viz.core.config import RNNConfig, validate
from lstm_viz.core.devices import resolve_device
from lstm_viz.core.rng import seeded

RNNModule = nn.LSTM | nn.GRU | nn.RNN


class Built(NamedTuple):
    module: RNNModule
    device: torch.device
    fallback_reason: str | None  # why the requested device was not used, else None


def seeded_module(config: RNNConfig, seed: int) -> RNNModule:
    """``torch.manual_seed(seed); nn.<cell>(**config)`` on cpu, without touching the global RNG.

    Same seed → same weights, and the same weights a user gets by running those two lines.
    """
    with seeded(seed):
        return getattr(nn, config.cell)(**config.kwargs())


def build_module(config: RNNConfig, seed: int = 0, device: str = "cpu",
                 caps: Caps | None = None) -> Built:
    """Validate ``config``, build it with ``seed`` and move it to ``device`` in eval mode.

    An unavailable device falls back to cpu; ``Built.fallback_reason`` says why.
    """
    validate(config, caps)
    choice = resolve_device(device)
    module = seeded_module(config, seed).to(choice.device).eval()
    return Built(module, choice.device, choice.fallback_reason)


def config_of(module: RNNModule) -> RNNConfig:
    """The ``RNNConfig`` that describes an existing module."""
    cell = type(module).__name__
    if cell not in ("LSTM", "GRU", "RNN"):
        raise TypeError(f"expected nn.LSTM, nn.GRU or nn.RNN, got {cell}")
    return RNNConfig(
        cell=cell, input_size=module.input_size, hidden_size=module.hidden_size,
        num_layers=module.num_layers, bias=module.bias, batch_first=module.batch_first,
        dropout=float(module.dropout), bidirectional=module.bidirectional,
        proj_size=getattr(module, "proj_size", 0),
        nonlinearity=getattr(module, "nonlinearity", "tanh"),
    )
