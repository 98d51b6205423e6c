"""Bring what the caller passes to ``module(input, hx)`` into one batch-major layout.

Checks shapes first and names expected vs got, since a malformed hidden state can crash
the process inside torch (pytorch #193823) instead of raising.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch.nn.utils.rnn import PackedSequence, pad_packed_sequence

from lstm_viz.core.config import ConfigError, RNNConfig


@dataclass
class TraceInput:
    x: torch.Tensor  # (N, L, H_in), on the module's device and dtype
    lengths: torch.Tensor  # (N,) int64 on cpu: tokens per sentence (all L unless packed)
    h0: torch.Tensor  # (num_layers*D, N, H_out)
    c0: torch.Tensor | None  # (num_layers*D, N, H_cell) for LSTM
    packed: bool
    unbatched: bool
    batch_first: bool

    def batch_major_output(self, out) -> torch.Tensor:
        """The module's ``output`` as (N, L, D*H_out), zero-padded for packed input."""
        if self.packed:
            return pad_packed_sequence(out, batch_first=True)[0]
        if self.unbatched:
            return out[None]
        return out if self.batch_first else out.transpose(0, 1)

    def batched_state(self, state: torch.Tensor) -> torch.Tensor:
        """h_n / c_n as (num_layers*D, N, ·) also for unbatched input."""
        return state[:, None] if self.unbatched else state


def _expect(arg: str, got: torch.Size, expected: tuple[int, ...]) -> None:
    if tuple(got) != expected:
        raise ConfigError(arg, tuple(got), f"Expected shape {expected}, got {tuple(got)}")


def _states(cfg: RNNConfig, hx, N: int, unbatched: bool, like: torch.Tensor):
    rows = cfg.num_layers * cfg.D
    h_shape, c_shape = (rows, N, cfg.H_out), (rows, N, cfg.hidden_size)
    if hx is None:
        h0 = like.new_zeros(h_shape)
        return h0, like.new_zeros(c_shape) if cfg.cell == "LSTM" else None
    if cfg.cell == "LSTM":
        if not isinstance(hx, tuple | list) or len(hx) != 2:
            raise ConfigError("hx", type(hx).__name__, "LSTM expects hx = (h_0, c_0)")
        h0, c0 = hx
    else:
        if not isinstance(hx, torch.Tensor):
            raise ConfigError("hx", type(hx).__name__, f"{cfg.cell} expects hx = h_0, a tensor")
        h0, c0 = hx, None
    if unbatched:
        h0, c0 = h0[:, None], (c0[:, None] if c0 is not None else None)
    _expect("h_0", h0.shape, h_shape)
    if c0 is not None:
        _expect("c_0", c0.shape, c_shape)
    return h0.to(like), (c0.to(like) if c0 is not None else None)


def prepare(module, cfg: RNNConfig, input, hx) -> TraceInput:
    """Validate ``input``/``hx`` against ``module`` and lay them out batch-major."""
    param = next(module.parameters())
    if isinstance(input, PackedSequence):
        x, lengths = pad_packed_sequence(input, batch_first=True)  # (N, L, H_in), caller order
        packed, unbatched = True, False
    elif isinstance(input, torch.Tensor) and input.dim() in (2, 3):
        unbatched = input.dim() == 2
        x = input[None] if unbatched else (input if cfg.batch_first else input.transpose(0, 1))
        lengths = torch.full((x.shape[0],), x.shape[1], dtype=torch.int64)
        packed = False
    else:
        got = tuple(input.shape) if isinstance(input, torch.Tensor) else type(input).__name__
        raise ConfigError("input", got, "must be a 2-D or 3-D tensor or a PackedSequence")
    if x.shape[-1] != cfg.input_size:
        raise ConfigError("input", tuple(x.shape), "input.size(-1) must be equal to input_size. "
                          f"Expected {cfg.input_size}, got {x.shape[-1]}")
    if x.shape[1] == 0 or x.shape[0] == 0:
        raise ConfigError("input", tuple(x.shape), "needs at least one sentence and one step")
    x = x.to(param)
    h0, c0 = _states(cfg, hx, x.shape[0], unbatched, x)
    return TraceInput(x, lengths.cpu(), h0, c0, packed, unbatched, cfg.batch_first)
