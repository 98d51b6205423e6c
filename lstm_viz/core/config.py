"""The recurrent layer's configuration, mirroring PyTorch's constructors.

``RNNConfig`` holds exactly the arguments of ``nn.LSTM`` / ``nn.GRU`` / ``nn.RNN``.
``validate`` applies PyTorch's own rules and then the classroom caps (``Caps``), and
raises ``ConfigError`` naming the argument, the value and the rule, so a student never
sees a bare torch exception.

Letters as in PyTorch's docs: N batch, L sequence length, D = 2 if bidirectional else 1,
H_in input_size, H_cell hidden_size, H_out = proj_size if proj_size > 0 else hidden_size.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace

from lstm_viz.core.caps import Caps

CELLS = ("LSTM", "GRU", "RNN")
NONLINEARITIES = ("tanh", "relu")
GATES = {"LSTM": ("i", "f", "g", "o"), "GRU": ("r", "z", "n"), "RNN": ()}
"""Gate order inside ``weight_ih_l{k}`` rows, written once (PyTorch's W_ii|W_if|W_ig|W_io)."""


class ConfigError(ValueError):
    """A configuration value breaks a rule. ``arg``, ``value`` and ``rule`` say which;
    ``cap`` is the classroom cap when that is the rule broken."""

    def __init__(self, arg: str, value: object, rule: str, cap: int | None = None):
        self.arg, self.value, self.rule, self.cap = arg, value, rule, cap
        super().__init__(f"{arg}={value!r}: {rule}")


@dataclass(frozen=True)
class RNNConfig:
    """Constructor arguments of the recurrent layer, with PyTorch's defaults."""

    cell: str = "LSTM"  # "LSTM", "GRU" or "RNN"
    input_size: int = 10  # H_in: features per time step
    hidden_size: int = 20  # H_cell: units per layer and direction
    num_layers: int = 1  # stacked layers; layer k>0 reads layer k-1's output
    bias: bool = True  # add b_ih and b_hh
    batch_first: bool = False  # input/output (N, L, ·) instead of (L, N, ·); h_n unchanged
    dropout: float = 0.0  # dropout on outputs of every layer but the last (training only)
    bidirectional: bool = False  # D = 2: a second pass runs from the last token back
    proj_size: int = 0  # LSTM only: h_t = W_hr (o_t * tanh(c_t)), H_out = proj_size
    nonlinearity: str = "tanh"  # RNN only: "tanh" or "relu"

    @property
    def D(self) -> int:
        """Number of directions: 2 if bidirectional else 1."""
        return 2 if self.bidirectional else 1

    @property
    def H_out(self) -> int:
        """Width of h: proj_size if proj_size > 0 else hidden_size."""
        return self.proj_size if self.proj_size > 0 else self.hidden_size

    @property
    def gates(self) -> tuple[str, ...]:
        """Gate names in PyTorch's row order of ``weight_ih``."""
        return GATES[self.cell]

    def kwargs(self) -> dict:
        """Keyword arguments for the torch constructor (only the ones that cell accepts)."""
        skip = ("cell", "proj_size", "nonlinearity")
        kw = {k: v for k, v in asdict(self).items() if k not in skip}
        if self.cell == "LSTM":
            kw["proj_size"] = self.proj_size
        if self.cell == "RNN":
            kw["nonlinearity"] = self.nonlinearity
        return kw

    def replace(self, **changes) -> RNNConfig:
        return replace(self, **changes)


def _positive_int(arg: str, value: object, minimum: int = 1) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(arg, value, "must be an integer")
    if value < minimum:
        raise ConfigError(arg, value, f"must be >= {minimum}")


def _at_most(arg: str, value: int, cap: int) -> None:
    if value > cap:
        raise ConfigError(arg, value, f"must be <= {cap} (classroom cap)", cap=cap)


def validate(config: RNNConfig, caps: Caps | None = None) -> RNNConfig:
    """Check ``config`` against PyTorch's rules, then ``caps``; return it unchanged.

    Raises ``ConfigError`` for the first broken rule.
    """
    caps = caps or Caps()
    if config.cell not in CELLS:
        raise ConfigError("cell", config.cell, f"must be one of {', '.join(CELLS)}")
    _positive_int("input_size", config.input_size)
    _positive_int("hidden_size", config.hidden_size)
    _positive_int("num_layers", config.num_layers)
    _positive_int("proj_size", config.proj_size, minimum=0)
    for arg in ("bias", "batch_first", "bidirectional"):
        if not isinstance(getattr(config, arg), bool):
            raise ConfigError(arg, getattr(config, arg), "must be True or False")
    dropout = config.dropout
    if isinstance(dropout, bool) or not isinstance(dropout, int | float) or math.isnan(dropout):
        raise ConfigError("dropout", dropout, "must be a number")
    if not 0 <= dropout < 1:
        raise ConfigError("dropout", dropout, "must satisfy 0 <= dropout < 1")
    if config.proj_size and config.cell != "LSTM":
        raise ConfigError("proj_size", config.proj_size, "proj_size is only supported for LSTM")
    if config.proj_size >= config.hidden_size and config.proj_size:
        raise ConfigError("proj_size", config.proj_size,
                          f"must be smaller than hidden_size ({config.hidden_size})")
    if config.nonlinearity not in NONLINEARITIES:
        raise ConfigError("nonlinearity", config.nonlinearity, "must be 'tanh' or 'relu'")
    _at_most("input_size", config.input_size, caps.max_input_size)
    _at_most("hidden_size", config.hidden_size, caps.max_hidden_size)
    _at_most("num_layers", config.num_layers, caps.max_layers)
    return config


def constructor_call(config: RNNConfig) -> str:
    """``nn.LSTM(10, 20, num_layers=2)``: the two sizes, then the keywords that differ from
    PyTorch's defaults (``repr`` values, so a float dropout is written exactly)."""
    given, default = config.kwargs(), RNNConfig(cell=config.cell).kwargs()
    extra = [f"{k}={v!r}" for k, v in given.items()
             if k not in ("input_size", "hidden_size") and v != default[k]]
    args = [str(config.input_size), str(config.hidden_size), *extra]
    return f"nn.{config.cell}({', '.join(args)})"
