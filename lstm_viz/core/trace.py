"""``trace(module, input, hx)``: every gate at every time step, checked against the module.

The module itself runs once (its ``output, h_n, c_n`` are returned untouched); then every
layer and direction is recomputed from the module's own weights with the equations in
``lstm_viz.core.cells`` (see ``lstm_viz.core.recompute`` for the layout), and compared with the
module's results (``Trace.max_abs_diff``). Values are token-aligned: index t is the
token's position in its sentence for both directions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from torch.nn.utils.rnn import PackedSequence

from lstm_viz.core.build import RNNModule, config_of
from lstm_viz.core.config import ConfigError, RNNConfig
from lstm_viz.core.recompute import Recomputed, recompute
from lstm_viz.core.trace_input import TraceInput, prepare

TOLERANCE = 1e-5


@dataclass
class Trace:
    """What ``module(input, hx)`` returned, and every intermediate value that produced it."""

    config: RNNConfig
    output: torch.Tensor | PackedSequence  # exactly what the module returned
    h_n: torch.Tensor  # (num_layers*D, N, H_out)
    c_n: torch.Tensor | None  # (num_layers*D, N, H_cell); None for GRU / RNN
    lengths: torch.Tensor  # (N,) int64: tokens the module read per sentence
    packed: bool  # input was a PackedSequence
    max_abs_diff: dict[str, float]  # "output", "h_n" (and "c_n"): recomputed vs module
    layer_inputs: list[torch.Tensor]  # per layer: (N, L, H_in) for k=0, (N, L, D*H_out) after
    initial: dict[tuple[int, int], dict[str, torch.Tensor]]  # (layer, d) → "h" (N, H_out), "c"
    values: dict[tuple[int, int], dict[str, torch.Tensor]] = field(repr=False)

    @property
    def verified(self) -> bool:
        """True when the recomputation reproduces the module to ``TOLERANCE`` (1e-5)."""
        return all(v <= TOLERANCE for v in self.max_abs_diff.values())

    @property
    def worst_diff(self) -> float:
        return max(self.max_abs_diff.values())

    @property
    def N(self) -> int:
        return int(self.lengths.numel())

    @property
    def L(self) -> int:
        return int(self.layer_inputs[0].shape[1])

    def step_values(self, layer: int, direction: int = 0) -> dict[str, torch.Tensor]:
        """Per-step values of one layer and direction, each (N, L, size), float32 on cpu.

        Keys: LSTM "i","f","g","o","c","h"; GRU "r","z","n","h"; RNN "h". t is the
        token's position for both directions. "h" is H_out wide, gates and "c" H_cell.
        For a PackedSequence input, positions at or beyond a sentence's length are NaN.
        """
        if not 0 <= layer < self.config.num_layers:
            raise IndexError(f"layer must be in 0..{self.config.num_layers - 1}, got {layer}")
        if not 0 <= direction < self.config.D:
            raise IndexError(f"direction must be in 0..{self.config.D - 1}, got {direction}")
        return self.values[(layer, direction)]

    def previous_state(self, layer: int, direction: int, n: int, t: int) -> dict[str, torch.Tensor]:
        """The state fed into step t of sentence n: h_{t-1} (and c_{t-1}); h_{t+1} backward."""
        length = int(self.lengths[n])
        prev = t - 1 if direction == 0 else t + 1
        if prev < 0 or prev >= length:
            return {k: v[n] for k, v in self.initial[(layer, direction)].items()}
        vals = self.values[(layer, direction)]
        return {k: vals[k][n, prev] for k in ("h", "c") if k in vals}


def _max_diff(a: np.ndarray, b: np.ndarray) -> float:
    diff = np.abs(a.astype(np.float64) - b.astype(np.float64))
    return float(diff.max()) if diff.size else 0.0


def _numpy(t: torch.Tensor, dtype) -> np.ndarray:
    return t.detach().cpu().numpy().astype(dtype, copy=False)


def _compare(cfg: RNNConfig, inp: TraceInput, out, h_n, c_n, rec: Recomputed, dtype):
    """Max abs difference of the recomputation against the module's own results."""
    last = cfg.num_layers - 1
    out_ref = np.concatenate([rec.values[(last, d)]["h"] for d in range(cfg.D)], axis=-1)
    out_mod = _numpy(inp.batch_major_output(out), dtype)  # (N, L, D*H_out)
    lengths = inp.lengths.numpy()
    valid = np.arange(out_ref.shape[1])[None, :] < lengths[:, None]  # (N, L)
    diffs = {"output": _max_diff(out_ref[valid], out_mod[valid]),
             "h_n": _max_diff(rec.h_n, _numpy(inp.batched_state(h_n), dtype))}
    if cfg.cell == "LSTM":
        diffs["c_n"] = _max_diff(rec.c_n, _numpy(inp.batched_state(c_n), dtype))
    return diffs


def _as_tensors(values, lengths: np.ndarray, packed: bool):
    """float32 cpu tensors; NaN at and beyond each sentence's length for packed input."""
    out = {}
    for key, vals in values.items():
        out[key] = {}
        for name, v in vals.items():
            v = np.array(v, dtype=np.float32)  # (N, L, size), a contiguous copy
            if packed:
                v[np.arange(v.shape[1])[None, :] >= lengths[:, None]] = np.nan
            out[key][name] = torch.from_numpy(v)
    return out


def _initial(cfg: RNNConfig, inp: TraceInput):
    initial = {}
    for k in range(cfg.num_layers):
        for d in range(cfg.D):
            row = k * cfg.D + d
            state = {"h": inp.h0[row].float().cpu()}  # (N, H_out)
            if inp.c0 is not None:
                state["c"] = inp.c0[row].float().cpu()  # (N, H_cell)
            initial[(k, d)] = state
    return initial


def trace(module: RNNModule, input, hx=None) -> Trace:
    """Run ``module(input, hx)`` and recompute every gate of every layer and direction.

    ``input`` and ``hx`` are exactly what ``module`` accepts: a tensor (L, N, H_in), or
    (N, L, H_in) when batch_first, or (L, H_in) unbatched, or a PackedSequence; ``hx`` is
    None, h_0 (num_layers*D, N, H_out), or for LSTM (h_0, c_0) with c_0
    (num_layers*D, N, H_cell). The module runs in eval mode (dropout off) under no_grad and
    is left in the mode it had.
    """
    cfg = config_of(module)
    was_training = module.training
    try:
        module.eval()
        with torch.no_grad():
            inp = prepare(module, cfg, input, hx)
            try:
                out, state = module(input, hx)
            except RuntimeError as err:
                raise ConfigError("input", type(input).__name__, f"torch says: {err}") from err
            h_n, c_n = state if cfg.cell == "LSTM" else (state, None)
    finally:
        module.train(was_training)
    dtype = np.float64 if inp.x.dtype == torch.float64 else np.float32
    c0 = None if inp.c0 is None else _numpy(inp.c0, dtype)
    rec = recompute(module, cfg, _numpy(inp.x, dtype), inp.lengths.numpy(),
                    _numpy(inp.h0, dtype), c0)
    lengths = inp.lengths.numpy()
    return Trace(
        config=cfg, output=out, h_n=h_n, c_n=c_n, lengths=inp.lengths.clone(),
        packed=inp.packed, max_abs_diff=_compare(cfg, inp, out, h_n, c_n, rec, dtype),
        layer_inputs=[torch.from_numpy(np.array(x, dtype=np.float32)) for x in rec.layer_inputs],
        initial=_initial(cfg, inp),
        values=_as_tensors(rec.values, lengths, inp.packed),
    )
