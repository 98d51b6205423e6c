"""The shape contract of a recurrent layer, with PyTorch's dimension letters.

    N = batch size, L = sequence length, D = 2 if bidirectional else 1,
    H_in = input_size, H_cell = hidden_size, H_out = proj_size or hidden_size.

``batch_first`` swaps N and L in input and output only; h_0/c_0/h_n/c_n are always
(num_layers*D, N, ·).
"""

from __future__ import annotations

from dataclasses import dataclass

from lstm_viz.core.config import RNNConfig

GATE_COUNT = {"LSTM": 4, "GRU": 3, "RNN": 1}


@dataclass(frozen=True)
class ShapeEntry:
    name: str  # "input", "h_0", "weight_ih_l0_reverse", …
    shape: tuple[int, ...]
    dims: tuple[str, ...]  # one symbolic name per axis, e.g. ("L", "N", "H_in")
    kind: str  # "input", "state", "output" or "parameter"


def _seq(cfg: RNNConfig, N: int, L: int, width: int, width_name: str):
    if cfg.batch_first:
        return (N, L, width), ("N", "L", width_name)
    return (L, N, width), ("L", "N", width_name)


def tensor_shapes(cfg: RNNConfig, N: int, L: int,
                  total_length: int | None = None) -> list[ShapeEntry]:
    """input, h_0, (c_0), output, h_n, (c_n) for a batch of N sentences of L steps.

    For packed input ``output`` is shown as ``pad_packed_sequence(output,
    total_length=total_length)`` returns it: L steps, or total_length when given.
    """
    T = max(L, total_length or 0)
    rows = cfg.num_layers * cfg.D
    state_dims = ("num_layers*D", "N")
    entries = [ShapeEntry("input", *_seq(cfg, N, L, cfg.input_size, "H_in"), "input"),
               ShapeEntry("h_0", (rows, N, cfg.H_out), (*state_dims, "H_out"), "state")]
    if cfg.cell == "LSTM":
        entries.append(ShapeEntry("c_0", (rows, N, cfg.hidden_size), (*state_dims, "H_cell"),
                                  "state"))
    entries.append(ShapeEntry("output", *_seq(cfg, N, T, cfg.D * cfg.H_out, "D*H_out"), "output"))
    entries.append(ShapeEntry("h_n", (rows, N, cfg.H_out), (*state_dims, "H_out"), "output"))
    if cfg.cell == "LSTM":
        entries.append(ShapeEntry("c_n", (rows, N, cfg.hidden_size), (*state_dims, "H_cell"),
                                  "output"))
    return entries


def parameter_shapes(cfg: RNNConfig) -> list[ShapeEntry]:
    """Every parameter, named as in ``module.named_parameters()``, in the same order."""
    g = GATE_COUNT[cfg.cell]
    gates = f"{g}*H_cell" if g > 1 else "H_cell"
    entries = []
    for k in range(cfg.num_layers):
        in_size, in_name = (cfg.input_size, "H_in") if k == 0 else (cfg.D * cfg.H_out, "D*H_out")
        for suffix in ("", "_reverse")[: cfg.D]:
            def add(name, shape, dims, suffix=suffix, k=k):
                entries.append(ShapeEntry(f"{name}_l{k}{suffix}", shape, dims, "parameter"))
            add("weight_ih", (g * cfg.hidden_size, in_size), (gates, in_name))
            add("weight_hh", (g * cfg.hidden_size, cfg.H_out), (gates, "H_out"))
            if cfg.bias:
                add("bias_ih", (g * cfg.hidden_size,), (gates,))
                add("bias_hh", (g * cfg.hidden_size,), (gates,))
            if cfg.proj_size:
                add("weight_hr", (cfg.proj_size, cfg.hidden_size), ("H_out", "H_cell"))
    return entries


def shape_contract(cfg: RNNConfig, N: int, L: int,
                   total_length: int | None = None) -> list[ShapeEntry]:
    """Tensors then parameters: the whole contract for (N, L)."""
    return tensor_shapes(cfg, N, L, total_length) + parameter_shapes(cfg)
