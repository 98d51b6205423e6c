"""Find the recurrent layers in a state_dict and read their configuration off the shapes.

PyTorch names an RNN's parameters from one template (``torch/nn/modules/rnn.py``)::

    weight_ih_l{k}{suffix}  (G*H_cell, H_in)  for k = 0, else (G*H_cell, D*H_out)
    weight_hh_l{k}{suffix}  (G*H_cell, H_out)
    bias_ih_l{k}{suffix}    (G*H_cell,)        only if bias
    bias_hh_l{k}{suffix}    (G*H_cell,)        only if bias
    weight_hr_l{k}{suffix}  (proj_size, H_cell) only if proj_size > 0 (LSTM)

with suffix ``""`` or ``"_reverse"`` (bidirectional) and G the number of gate blocks: 4 for
LSTM (i, f, g, o), 3 for GRU (r, z, n), 1 for RNN. So the cell, H_in, H_cell, num_layers, D,
bias and proj_size can all be read from the names and shapes. ``nonlinearity`` (RNN tanh vs
relu), ``batch_first`` and ``dropout`` leave no trace in the weights: the caller supplies them.

The expected shapes of a configuration come from torch itself — the module is built on the
``meta`` device (no memory), and its ``named_parameters`` are the reference.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import torch
from torch import nn

from lstm_viz.core.caps import Caps
from lstm_viz.core.config import ConfigError, RNNConfig, validate
from lstm_viz.io.weights_file import WeightsError, shape_text

PARAM = re.compile(r"(?P<prefix>(?:.*\.)?)(?P<kind>weight_ih|weight_hh|bias_ih|bias_hh|weight_hr)"
                   r"_l(?P<layer>\d+)(?P<reverse>_reverse)?")
GATE_BLOCKS = {4: "LSTM", 3: "GRU", 1: "RNN"}


class Mismatch(NamedTuple):
    """One parameter that does not fit a configuration. ``expected``/``got`` are shapes;
    ``expected`` is None for a parameter the layer does not have, ``got`` None when missing."""

    name: str
    expected: tuple[int, ...] | None
    got: tuple[int, ...] | None

    @property
    def key(self) -> str:
        kind = ("shape" if self.expected is not None and self.got is not None
                else "missing" if self.expected is not None else "unexpected")
        return f"weights_file.{kind}"

    @property
    def values(self) -> dict[str, str]:
        return {"name": self.name, "expected": shape_text(self.expected or ()),
                "got": shape_text(self.got or ())}

    def error(self) -> WeightsError:
        return WeightsError(self.key.removeprefix("weights_file."), **self.values)


def rnn_prefixes(state_dict: dict) -> list[str]:
    """The prefixes of the recurrent submodules, sorted: ``""`` for a bare ``nn.LSTM``,
    ``"lstm."``, ``"encoder.rnn."`` … for modules inside a model. (Sorted, because a
    safetensors file keeps no order: ``safetensors.torch.load`` returns the names unordered.)"""
    return sorted({m["prefix"] for name in state_dict if (m := PARAM.fullmatch(name))})


def module_state(state_dict: dict, prefix: str) -> dict[str, torch.Tensor]:
    """The parameters under ``prefix``, prefix stripped: the names ``nn.LSTM`` & co. expect."""
    return {name[len(prefix):]: tensor for name, tensor in state_dict.items()
            if (m := PARAM.fullmatch(name)) and m["prefix"] == prefix}


def expected_shapes(config: RNNConfig) -> dict[str, tuple[int, ...]]:
    """Every parameter of ``config``'s module and its shape, as torch builds it."""
    kwargs = config.replace(dropout=0.0).kwargs()
    with torch.device("meta"):
        module = getattr(nn, config.cell)(**kwargs)
    return {name: tuple(p.shape) for name, p in module.named_parameters()}


def check_against(config: RNNConfig, state_dict: dict, prefix: str) -> list[Mismatch]:
    """Each parameter under ``prefix`` whose shape differs from what ``config`` builds,
    each one missing, then each one the configuration has no place for."""
    got = {name: tuple(t.shape) for name, t in module_state(state_dict, prefix).items()}
    wanted = expected_shapes(config)
    out = [Mismatch(prefix + name, shape, got.get(name)) for name, shape in wanted.items()
           if got.get(name) != shape]
    out += [Mismatch(prefix + name, None, shape) for name, shape in sorted(got.items())
            if name not in wanted]
    return out


def infer_config(state_dict: dict, prefix: str = "", nonlinearity: str = "tanh",
                 caps: Caps | None = None) -> RNNConfig:
    """The ``RNNConfig`` whose module has exactly the parameters under ``prefix``.

    The cell comes from the gate blocks G = rows of ``weight_ih_l0`` / H_cell (4 LSTM, 3 GRU,
    1 RNN); an RNN's ``nonlinearity`` is not in the weights and is taken from the argument.
    ``batch_first`` and ``dropout`` keep their defaults: the caller sets them. Raises
    ``WeightsError`` naming the parameter, the expected shape and the got shape for the first
    inconsistency, and ``weights_file.config`` when the classroom caps refuse the result.
    """
    params = module_state(state_dict, prefix)
    if not params:
        raise WeightsError("no_rnn", prefix=prefix or '""',
                           found=", ".join(repr(p) for p in rnn_prefixes(state_dict)) or "-")
    w_ih, w_hh = _required(params, prefix, "weight_ih_l0"), _required(params, prefix,
                                                                        "weight_hh_l0")
    w_hr = params.get("weight_hr_l0")
    for name, tensor in (("weight_ih_l0", w_ih), ("weight_hh_l0", w_hh), ("weight_hr_l0", w_hr)):
        if tensor is not None and (tensor.dim() != 2 or min(tensor.shape) < 1):
            raise WeightsError("not_matrix", name=prefix + name, got=shape_text(tensor.shape))
    hidden = int((w_hr if w_hr is not None else w_hh).shape[-1])
    blocks, rest = divmod(int(w_ih.shape[0]), hidden)
    if rest or blocks not in GATE_BLOCKS:
        raise WeightsError("gate_rows", name=prefix + "weight_ih_l0", got=shape_text(w_ih.shape),
                           hidden=hidden)
    layers = 0
    while f"weight_ih_l{layers}" in params:
        layers += 1
    beyond = sorted(name for name in params if int(PARAM.fullmatch(name)["layer"]) >= layers)
    if beyond:  # e.g. weight_ih_l2 without weight_ih_l1
        raise WeightsError("layer_gap", name=prefix + f"weight_ih_l{layers}",
                           found=prefix + beyond[0])
    config = RNNConfig(
        cell=GATE_BLOCKS[blocks], input_size=int(w_ih.shape[1]), hidden_size=hidden,
        num_layers=layers, bias="bias_ih_l0" in params,
        bidirectional="weight_ih_l0_reverse" in params,
        proj_size=int(w_hr.shape[0]) if w_hr is not None else 0,
        nonlinearity=nonlinearity)
    try:
        validate(config, caps)
    except ConfigError as err:
        if err.cap is not None:
            raise WeightsError("config_cap", arg=err.arg, value=err.value, cap=err.cap) from None
        raise WeightsError("config", arg=err.arg, value=str(err.value)[:40],
                           rule=err.rule) from None
    mismatches = check_against(config, state_dict, prefix)
    if mismatches:
        raise mismatches[0].error()
    return config


def _required(params: dict, prefix: str, name: str) -> torch.Tensor:
    if name not in params:
        raise WeightsError("missing_l0", name=prefix + name)
    return params[name]
