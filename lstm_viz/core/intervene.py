"""``intervene(module, input, hx, clamp=…)``: the module's own weights, run step by step with
some gate or state forced to a value, as a ``Trace`` of that changed run.

``clamp`` maps ``(layer, direction, name)`` to a value, or to a ``Clamp(value, units,
from_t)``. ``name`` is a gate (``"i" "f" "g" "o"`` LSTM, ``"r" "z" "n"`` GRU) or a state
(``"c"``, ``"h"``). Each forced value replaces its own equation and nothing else: the
equations after it (``lstm_viz.core.cells``) read the forced value. So with f = 1 and i = 0
an LSTM layer's c stays c_0; with f = 0, c_t = i_t ⊙ g_t; a forced c gives
h_t = o_t ⊙ tanh(c_t) of the forced c; a forced h is what the next step and the layer above
read. ``from_t`` counts processing steps: token t ≥ from_t going forward, the from_t-th token
from the end and earlier going backward. With ``clamp={}`` the run is ``trace``'s.

The Trace's ``max_abs_diff`` says whether this step-by-step run reproduces the real module
when nothing is forced (the same check as ``trace``'s badge); the forced run itself has
nothing to be compared with.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import torch
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence

from lstm_viz.core.build import RNNModule, config_of
from lstm_viz.core.cells import STEP_NAMES, gru_step, lstm_step, rnn_step
from lstm_viz.core.config import ConfigError, RNNConfig
from lstm_viz.core.stepwise import along_time, reverse_index, step_weights
from lstm_viz.core.trace import Trace
from lstm_viz.core.trace_input import TraceInput, prepare

Key = tuple[int, int, str]  # (layer, direction, name)


@dataclass(frozen=True)
class Clamp:
    """A forced value: ``value`` on ``units`` (None: every unit) from step ``from_t`` on."""

    value: float
    units: tuple[int, ...] | None = None
    from_t: int = 0


def _width(cfg: RNNConfig, name: str) -> int:
    return cfg.H_out if name == "h" else cfg.hidden_size


def _int(value, what: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or not (
            low <= value <= high):
        raise ConfigError("clamp", str(value)[:40], f"{what} must be a whole number in "
                          f"{low}..{high}")
    return int(value)


def _checked(cfg: RNNConfig, key, spec) -> tuple[Key, Clamp]:
    """One entry of ``clamp`` checked against the module: ConfigError names what is wrong."""
    if not isinstance(key, tuple) or len(key) != 3:
        raise ConfigError("clamp", str(key)[:40], "keys are (layer, direction, name)")
    layer = _int(key[0], "layer", 0, cfg.num_layers - 1)
    direction = _int(key[1], "direction", 0, cfg.D - 1)
    if key[2] not in STEP_NAMES[cfg.cell]:
        raise ConfigError("clamp", str(key[2])[:40], f"{cfg.cell} has "
                          f"{', '.join(STEP_NAMES[cfg.cell])}")
    if not isinstance(spec, Clamp):
        spec = Clamp(spec)
    if isinstance(spec.value, bool) or not isinstance(spec.value, int | float | np.number) or (
            not math.isfinite(spec.value)):
        raise ConfigError("clamp", str(spec.value)[:40], "value must be a finite number")
    width = _width(cfg, key[2])
    units = None if spec.units is None else tuple(
        _int(u, f"a unit of {key[2]}", 0, width - 1) for u in spec.units)
    if units == ():
        raise ConfigError("clamp", "units=()", "name at least one unit, or None for all")
    from_t = _int(spec.from_t, "from_t", 0, 2**31 - 1)
    return (layer, direction, key[2]), Clamp(float(spec.value), units, from_t)


def check_clamp(cfg: RNNConfig, clamp: Mapping) -> dict[Key, Clamp]:
    """``clamp`` with every value a ``Clamp``, checked (ConfigError otherwise)."""
    if not isinstance(clamp, Mapping):
        raise ConfigError("clamp", type(clamp).__name__, "a dict (layer, direction, name) → "
                          "value or Clamp")
    return dict(_checked(cfg, key, spec) for key, spec in clamp.items())


def _forcer(clamps: dict[Key, Clamp], layer: int, step: int):
    """``force(name, value)`` for processing step ``step`` of ``layer``; None if idle.
    value: (D, N, width); the forced entries are set in a copy."""
    active = {(d, name): c for (k, d, name), c in clamps.items()
              if k == layer and step >= c.from_t}
    if not active:
        return None

    def force(name: str, value: np.ndarray) -> np.ndarray:
        hits = [(d, c) for (d, n), c in active.items() if n == name]
        if not hits:
            return value
        value = np.array(value)  # a copy: never write into the step's own arrays
        for d, c in hits:
            value[d, :, slice(None) if c.units is None else list(c.units)] = c.value
        return value

    return force


def _step(cfg: RNNConfig, w: dict, gi_s, h, c, force):
    """One step of D directions with ``lstm_viz.core.cells``: (values, h_t, c_t or None)."""
    if cfg.cell == "LSTM":
        return lstm_step(gi_s, h, c, w["W_hh_T"], w.get("W_hr_T"), force)
    if cfg.cell == "GRU":
        return (*gru_step(gi_s, h, w["W_hh_T"], w["b_hn"], force), None)
    return (*rnn_step(gi_s, h, w["W_hh_T"], cfg.nonlinearity == "relu", force), None)


@dataclass
class _Run:
    values: dict  # (layer, d) → name → (N, L, size), token-aligned
    h_n: np.ndarray  # (num_layers*D, N, H_out)
    c_n: np.ndarray | None  # (num_layers*D, N, H_cell)
    layer_inputs: list  # per layer (N, L, ·)


def _run(module, cfg: RNNConfig, inp: TraceInput, clamps: dict[Key, Clamp], dtype) -> _Run:
    """Every layer, both directions advancing together on a leading D axis, step by step."""
    x = inp.x.detach().cpu().numpy().astype(dtype)  # (N, L, H_in)
    L, lengths = x.shape[1], inp.lengths.numpy()
    rev = reverse_index(lengths, L)  # (N, L): each sentence reversed within its length
    live = (np.arange(L)[:, None] < lengths[None, :])[:, None, :, None]  # (L, 1, N, 1)
    h0 = inp.h0.detach().cpu().numpy().astype(dtype)
    c0 = None if inp.c0 is None else inp.c0.detach().cpu().numpy().astype(dtype)
    run = _Run({}, np.empty_like(h0), None if c0 is None else np.empty_like(c0), [])
    for k in range(cfg.num_layers):
        run.layer_inputs.append(x)
        w, rows = step_weights(module, cfg, k, dtype), slice(k * cfg.D, (k + 1) * cfg.D)
        x_dir = np.stack([x, along_time(x, rev)][: cfg.D])  # (D, N, L, H_in)
        gi = np.einsum("dnli,dig->ldng", x_dir, w["W_ih_T"]) + w["b"][None]  # (L, D, N, G)
        h, c, steps = h0[rows], None if c0 is None else c0[rows], []
        for s in range(L):
            vals, h_new, c_new = _step(cfg, w, gi[s], h, c, _forcer(clamps, k, s))
            h = np.where(live[s], h_new, h)  # a finished sentence keeps its last state
            c = None if c is None else np.where(live[s], c_new, c)
            steps.append(vals)
        run.h_n[rows] = h
        if c is not None:
            run.c_n[rows] = c
        for d in range(cfg.D):
            per_name = [np.stack([v[d] for v in vs], axis=1) for vs in zip(*steps, strict=True)]
            run.values[(k, d)] = {name: v if d == 0 else along_time(v, rev)
                                  for name, v in zip(STEP_NAMES[cfg.cell], per_name,
                                                     strict=True)}
        x = np.concatenate([run.values[(k, d)]["h"] for d in range(cfg.D)], axis=-1)
    return run


def _output(cfg: RNNConfig, inp: TraceInput, input, run: _Run):
    """The run's last-layer h as the module would return ``output``: same layout, zeros
    past each length and the same ``sorted_indices`` for a PackedSequence."""
    last = cfg.num_layers - 1
    out = torch.from_numpy(np.concatenate(
        [run.values[(last, d)]["h"] for d in range(cfg.D)], axis=-1))  # (N, L, D*H_out)
    out[torch.arange(out.shape[1])[None, :] >= inp.lengths[:, None]] = 0
    if isinstance(input, PackedSequence):
        order, undo = (None if i is None else i.cpu()
                       for i in (input.sorted_indices, input.unsorted_indices))
        ordered = out if order is None else out[order]
        lengths = inp.lengths if order is None else inp.lengths[order]
        data = pack_padded_sequence(ordered, lengths, batch_first=True).data
        return PackedSequence(data, input.batch_sizes.cpu(), order, undo)
    if inp.unbatched:
        return out[0]
    return out if cfg.batch_first else out.transpose(0, 1)


def _diffs(cfg: RNNConfig, inp: TraceInput, module, input, hx, run: _Run) -> dict:
    """Max abs difference of the step-by-step run (nothing forced) from the module's."""
    with torch.no_grad():
        out, state = module(input, hx)
    h_n, c_n = state if cfg.cell == "LSTM" else (state, None)
    mine = _output(cfg, inp, input, run)
    if isinstance(out, PackedSequence):
        out, mine = out.data, mine.data
    got = {"output": (mine, out), "h_n": (run.h_n, inp.batched_state(h_n))}
    if c_n is not None:
        got["c_n"] = (run.c_n, inp.batched_state(c_n))
    return {key: float((torch.as_tensor(a).double() - b.detach().cpu().double()).abs().max())
            for key, (a, b) in got.items()}


def _tensors(values: dict, lengths: np.ndarray, packed: bool) -> dict:
    """float32 cpu tensors; NaN at and beyond a packed sentence's length."""
    out = {}
    for key, by_name in values.items():
        out[key] = {}
        for name, v in by_name.items():
            v = np.array(v, dtype=np.float32)  # (N, L, size)
            if packed:
                v[np.arange(v.shape[1])[None, :] >= lengths[:, None]] = np.nan
            out[key][name] = torch.from_numpy(v)
    return out


def intervene(module: RNNModule, input, hx=None, *, clamp: Mapping) -> Trace:
    """The Trace of ``module(input, hx)`` run step by step with ``clamp`` forced.

    ``input``/``hx`` as for ``trace``. ``clamp``: {(layer, direction, name): value or
    Clamp(value, units=None, from_t=0)}; ConfigError for a layer, direction, name, unit or
    value the module does not have. The module is not changed and runs in eval mode.
    """
    cfg = config_of(module)
    clamps = check_clamp(cfg, clamp)
    was_training = module.training
    try:
        module.eval()
        with torch.no_grad():
            inp = prepare(module, cfg, input, hx)
            dtype = np.float64 if inp.x.dtype == torch.float64 else np.float32
            run = _run(module, cfg, inp, clamps, dtype)
            plain = _run(module, cfg, inp, {}, dtype) if clamps else run
            diffs = _diffs(cfg, inp, module, input, hx, plain)
    finally:
        module.train(was_training)
    rows = cfg.num_layers * cfg.D
    h_n, c_n = torch.from_numpy(run.h_n), None if run.c_n is None else torch.from_numpy(run.c_n)
    if inp.unbatched:
        h_n, c_n = h_n[:, 0], None if c_n is None else c_n[:, 0]
    initial = {(r // cfg.D, r % cfg.D): {"h": inp.h0[r].float().cpu()} for r in range(rows)}
    if inp.c0 is not None:
        for r in range(rows):
            initial[(r // cfg.D, r % cfg.D)]["c"] = inp.c0[r].float().cpu()
    return Trace(config=cfg, output=_output(cfg, inp, input, run), h_n=h_n, c_n=c_n,
                 lengths=inp.lengths.clone(), packed=inp.packed, max_abs_diff=diffs,
                 layer_inputs=[torch.from_numpy(np.array(x, dtype=np.float32))
                               for x in run.layer_inputs],
                 initial=initial, values=_tensors(run.values, inp.lengths.numpy(), inp.packed))
