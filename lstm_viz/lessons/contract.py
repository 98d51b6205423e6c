"""What every question's answer must be, from the facts alone (no torch here).

Shapes come from ``lstm_viz.core.shapes`` (the shape contract) and are changed only where
a belief of ``Facts`` says so; numbers and identities follow PyTorch's documented rules.
The tests check that, for the true facts, every answer here equals what the real module
returned (``lstm_viz.lessons.truth``): a misconception's wrong answer is then this same
function under the misconception's beliefs.
"""

from __future__ import annotations

import re

from lstm_viz.core.shapes import GATE_COUNT, parameter_shapes, tensor_shapes
from lstm_viz.lessons.facts import Facts

PARAMETER = re.compile(r"(weight_ih|weight_hh|bias_ih|bias_hh|weight_hr)_l(\d)(_reverse)?")
STATES = ("h_0", "c_0", "h_n", "c_n")


def _tensor(facts: Facts, name: str) -> tuple[int, ...]:
    cfg, T = facts.config, facts.L
    total = facts.total_length if facts.packed else 0
    shapes = {e.name: e.shape for e in tensor_shapes(cfg, facts.N, T, total or None)}
    if name == "output" and facts.output_width:
        shapes["output"] = (*shapes["output"][:2], facts.output_width)
    if name in STATES:
        rows, N, width = shapes["h_0"]
        if name.startswith("c") and not facts.c_follows_proj:
            width = cfg.hidden_size
        return (N, rows, width) if facts.states_batch_first and cfg.batch_first else (
            rows, N, width)
    return shapes[name]


def _parameter(facts: Facts, name: str) -> tuple[int, ...]:
    cfg = facts.config
    shapes = {e.name: e.shape for e in parameter_shapes(cfg)}
    if name not in shapes:
        raise KeyError(f"{name} is not a parameter of {cfg}")
    shape = list(shapes[name])
    kind, layer = PARAMETER.fullmatch(name).group(1, 2)
    if facts.gates and kind != "weight_hr":
        shape[0] = shape[0] // GATE_COUNT[cfg.cell] * facts.gates
    if facts.layer_input_is_h_in and kind == "weight_ih" and int(layer) > 0:
        shape[1] = cfg.input_size
    return tuple(reversed(shape)) if facts.transposed else tuple(shape)


def shape(facts: Facts, target: str) -> tuple[int, ...]:
    """The shape of ``target`` ("input", "h_n", "weight_ih_l1", "packed_data", …)."""
    if PARAMETER.fullmatch(target):
        return _parameter(facts, target)
    if target == "packed_data":  # one row per real token, H_in wide
        return (sum(facts.lengths), facts.config.input_size)
    if target == "batch_sizes":  # one entry per time step (or, believed, per sentence)
        return (facts.N,) if facts.batch_sizes_are_lengths else (max(facts.lengths),)
    return _tensor(facts, target)


def tokens_at_step(facts: Facts, t: int) -> int:
    """Tokens the module reads at step t: every sentence unpacked, else ``batch_sizes[t]``."""
    if facts.batch_sizes_are_lengths:
        return facts.lengths[t] if t < facts.N else 0
    lengths = facts.lengths if facts.packed else facts.full_lengths
    return sum(1 for length in lengths if length > t)


def steps_read(facts: Facts, n: int) -> int:
    """Time steps the module runs for sentence n: its length when packed, else L."""
    return (facts.lengths if facts.packed else facts.full_lengths)[n]


def hn_row(facts: Facts, k: int, d: int) -> int:
    """The row of h_n holding layer k, direction d: ``k*D + d`` (``view(num_layers, D, …)``)."""
    cfg = facts.config
    return d * cfg.num_layers + k if facts.direction_major else k * cfg.D + d


def hn_equals_last_output(facts: Facts) -> str:
    """Is h_n[-1] the last H_out features of output's last step? Only when every sentence
    fills the batch (packed output is zero past a length) and, bidirectional, L == 1 (the
    backward pass ends at t = 0)."""
    full = not facts.packed or all(length == facts.L for length in facts.lengths)
    return "yes" if full and (facts.config.D == 1 or facts.L == 1) else "no"


def enforce_sorted(facts: Facts) -> str:
    """``pack_padded_sequence(enforce_sorted=True)`` packs only lengths in decreasing order."""
    ordered = all(a >= b for a, b in zip(facts.lengths, facts.lengths[1:], strict=False))
    return "packs" if ordered else "raises"


def answer(facts: Facts, target: str, params: dict):
    """The answer to ``target`` (with the step's ``params``: t, n, k, d) under ``facts``."""
    rules = {
        "batch_N": lambda: facts.N,
        "tokens_at_step": lambda: tokens_at_step(facts, params["t"]),
        "steps_read": lambda: steps_read(facts, params["n"]),
        "hn_row": lambda: hn_row(facts, params["k"], params["d"]),
        "hn_equals_last_output": lambda: hn_equals_last_output(facts),
        "enforce_sorted": lambda: enforce_sorted(facts),
    }
    return rules[target]() if target in rules else shape(facts, target)
