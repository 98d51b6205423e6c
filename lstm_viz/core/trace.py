"""``trace(module, input, hx)``: every gate at every time step, checked against the module.

The module itself runs once (its ``output, h_n, c_n`` are returned untouched). Its layers
below the last are run one at a time on its own parameters (``lstm_viz.core.layers``: on
the CPU, bit for bit the states the module computes inside), so the module's own h is known
at every step of every layer; given those states, every gate of every step is one batched
matrix product per layer (``lstm_viz.core.recompute``, the equations of
``lstm_viz.core.cells``), only c's elementwise recurrence running step by step. The
recomputed h of every step is compared with the module's, and h_n, c_n with what it
returned (``Trace.max_abs_diff``). Values are token-aligned: index t is the token's
position in its sentence for both directions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from torch.nn.utils.rnn import PackedSequence

from lstm_viz.core.build import RNNModule, config_of
from lstm_viz.core.config import ConfigError, RNNConfig
from lstm_viz.core.layers import layer_outputs
from lstm_viz.core.recompute import Recomputed, module_weights, recompute_layer
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
    # recomputed vs module: "output" (h at every step of every layer: the last layer's is
    # the module's output), "h_n" (and "c_n")
    max_abs_diff: dict[str, float]
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


def _max_diff(a: np.ndarray, b: np.ndarray, valid: np.ndarray | None = None) -> float:
    """max |a - b|, over the real tokens ``valid`` (N, L) of (D, N, L, ·) values if given."""
    diff = np.abs(a - b)
    if valid is not None:
        diff = diff[:, valid]
    return float(diff.max()) if diff.size else 0.0


def _numpy(t: torch.Tensor, dtype) -> np.ndarray:
    return t.detach().cpu().numpy().astype(dtype, copy=False)


def _by_direction(out: torch.Tensor, cfg: RNNConfig, dtype) -> np.ndarray:
    """A layer's output (N, L, D*H_out) as (D, N, L, H_out) on the CPU."""
    N, L, _ = out.shape
    return _numpy(out, dtype).reshape(N, L, cfg.D, cfg.H_out).transpose(2, 0, 1, 3)


@dataclass
class _Layers:
    """Every layer recomputed from the module's per-layer states, and how far off it is."""

    results: list[Recomputed]
    diffs: dict[str, float]

    @property
    def verified(self) -> bool:
        return all(v <= TOLERANCE for v in self.diffs.values())


def _recompute(module, cfg: RNNConfig, inp: TraceInput, xs: list[np.ndarray],
               states: list[np.ndarray], module_out: np.ndarray, h_n, c_n, dtype) -> _Layers:
    """Layer k's gates from its input xs[k] (N, L, ·) and the module's states[k]
    (D, N, L, H_out); h at every step checked against the module's states (the last
    layer's: ``module_out``, its output), h_n and c_n against the module's."""
    lengths, D, L = inp.lengths.numpy(), cfg.D, xs[0].shape[1]
    valid = None if (lengths == L).all() else np.arange(L)[None, :] < lengths[:, None]  # (N, L)
    h0 = _numpy(inp.h0, dtype)  # (num_layers*D, N, H_out)
    c0 = None if inp.c0 is None else _numpy(inp.c0, dtype)
    results, step_diff = [], 0.0
    weights = module_weights(module, cfg, dtype)
    for k, (x, h, w) in enumerate(zip(xs, states, weights, strict=True)):
        rows = slice(k * D, (k + 1) * D)
        r = recompute_layer(cfg, w, x, h, lengths, h0[rows], None if c0 is None else c0[rows])
        want = module_out if k == cfg.num_layers - 1 else h
        step_diff = max(step_diff, _max_diff(r.h, want, valid))
        results.append(r)
    diffs = {"output": step_diff,
             "h_n": _max_diff(np.concatenate([r.h_last for r in results]),
                              _numpy(inp.batched_state(h_n), dtype))}
    if cfg.cell == "LSTM":
        diffs["c_n"] = _max_diff(np.concatenate([r.c_last for r in results]),
                                 _numpy(inp.batched_state(c_n), dtype))
    return _Layers(results, diffs)


def _float32(v: np.ndarray, pad: np.ndarray | None, copy: bool = True) -> torch.Tensor:
    """A contiguous float32 cpu tensor of v (N, L, size), NaN where ``pad`` (N, L): a copy,
    or with ``copy=False`` v's own memory when it already is one (the recomputation's own
    arrays: nothing else holds them)."""
    out = np.array(v, dtype=np.float32) if copy else np.ascontiguousarray(v, np.float32)
    if pad is not None:
        out[pad] = np.nan
    return torch.from_numpy(out)


def _values(results: list[Recomputed], inp: TraceInput):
    pad = None
    if inp.packed:
        lengths = inp.lengths.numpy()
        pad = np.arange(inp.x.shape[1])[None, :] >= lengths[:, None]  # (N, L)
    return {(k, d): {name: _float32(v, pad, copy=False) for name, v in vals.items()}
            for k, r in enumerate(results) for d, vals in enumerate(r.values)}


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


def _run(module: RNNModule, cfg: RNNConfig, input, hx):
    """``module(input, hx)`` once in eval mode under no_grad, and its layers below the last
    one at a time (``layer_outputs``); the module is left in the mode it had."""
    was_training = module.training
    try:
        module.eval()
        with torch.no_grad():
            inp = prepare(module, cfg, input, hx)
            try:
                out, state = module(input, hx)
            except RuntimeError as err:
                raise ConfigError("input", type(input).__name__, f"torch says: {err}") from err
            below = layer_outputs(module, cfg, input, inp, cfg.num_layers - 1)
    finally:
        module.train(was_training)
    h_n, c_n = state if cfg.cell == "LSTM" else (state, None)
    return inp, out, h_n, c_n, below


def trace(module: RNNModule, input, hx=None) -> Trace:
    """Run ``module(input, hx)`` and recompute every gate of every layer and direction.

    ``input`` and ``hx`` are exactly what ``module`` accepts: a tensor (L, N, H_in), or
    (N, L, H_in) when batch_first, or (L, H_in) unbatched, or a PackedSequence; ``hx`` is
    None, h_0 (num_layers*D, N, H_out), or for LSTM (h_0, c_0) with c_0
    (num_layers*D, N, H_cell). The module runs in eval mode (dropout off) under no_grad and
    is left in the mode it had.

    The layers below the last are run one at a time on the module's own parameters
    (``lstm_viz.core.layers``: bit for bit the module's own states on the CPU); every gate
    is recomputed from those states and the last layer's ``output``
    (``lstm_viz.core.recompute``), and the recomputed h of every step is checked against
    the module's. Should the module's output disagree with its own equations (not
    verified), the last layer is run on its own too and recomputed from that, so that the
    differences reported are the module's against the equations of its weights.
    """
    cfg = config_of(module)
    inp, out, h_n, c_n, below = _run(module, cfg, input, hx)
    dtype = np.float64 if inp.x.dtype == torch.float64 else np.float32
    out_bm = inp.batch_major_output(out)  # (N, L, D*H_out)
    xs = [np.ascontiguousarray(_numpy(x, dtype)) for x in (inp.x, *below)]
    states = [_by_direction(o, cfg, dtype) for o in below]
    module_out = _by_direction(out_bm, cfg, dtype)
    layers = _recompute(module, cfg, inp, xs, [*states, module_out], module_out, h_n, c_n,
                        dtype)
    if not layers.verified:  # the module's output is not what its weights make of its input
        last = layer_outputs(module, cfg, input, inp, cfg.num_layers)[-1]
        layers = _recompute(module, cfg, inp, xs, [*states, _by_direction(last, cfg, dtype)],
                            module_out, h_n, c_n, dtype)
    return Trace(
        config=cfg, output=out, h_n=h_n, c_n=c_n, lengths=inp.lengths.clone(),
        packed=inp.packed, max_abs_diff=layers.diffs,
        layer_inputs=[_float32(x, None) for x in xs],
        initial=_initial(cfg, inp), values=_values(layers.results, inp),
    )
