"""``trace(module, input, hx)``: every gate at every time step, checked against the module.

The module itself runs once (its ``output, h_n, c_n`` are returned untouched); then every
layer and direction is recomputed from the module's own weights with the equations in
``lstm_viz.cells``, and compared with the module's results (``Trace.max_abs_diff``).

Layout of the recomputation, in PyTorch's letters: the input is brought to batch-major
(N, L, H_in); both directions advance together on a leading D axis; the backward direction
reads each sentence reversed within its own length, so for a PackedSequence it starts at
the sentence's last real token, exactly as the module does. Values are stored token-aligned:
index t is the token's position in its sentence for both directions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch.nn.utils.rnn import PackedSequence

from lstm_viz.build import RNNModule, config_of
from lstm_viz.cells import STEP_NAMES, gru_step, lstm_step, rnn_step
from lstm_viz.config import ConfigError, RNNConfig
from lstm_viz.trace_input import TraceInput, prepare

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


def _layer_weights(module: RNNModule, cfg: RNNConfig, k: int) -> dict[str, torch.Tensor]:
    """Layer k's parameters stacked over directions and transposed for ``bmm``."""
    suffixes = ("", "_reverse")[: cfg.D]

    def stacked(name: str) -> torch.Tensor:
        return torch.stack([getattr(module, f"{name}_l{k}{s}") for s in suffixes])

    W_ih = stacked("weight_ih")  # (D, G·H_cell, H_in)
    W_hh = stacked("weight_hh")  # (D, G·H_cell, H_out)
    G = W_ih.shape[1]
    zeros = W_ih.new_zeros(cfg.D, G)
    b_ih, b_hh = (stacked("bias_ih"), stacked("bias_hh")) if cfg.bias else (zeros, zeros)
    w = {"W_ih_T": W_ih.transpose(1, 2), "W_hh_T": W_hh.transpose(1, 2)}
    if cfg.cell == "GRU":
        H = cfg.hidden_size
        w["b_hn"] = b_hh[:, None, 2 * H:]  # (D, 1, H): stays inside r ⊙ (W_hn h + b_hn)
        b_hh = torch.cat([b_hh[:, : 2 * H], torch.zeros_like(b_hh[:, 2 * H:])], dim=1)
    w["b"] = (b_ih + b_hh)[:, None, :]  # (D, 1, G·H_cell)
    if cfg.proj_size:
        w["W_hr_T"] = stacked("weight_hr").transpose(1, 2)  # (D, H_cell, proj_size)
    return w


def _reverse_index(lengths: torch.Tensor, L: int) -> torch.Tensor:
    """(N, L) index that reverses each sentence within its length; identity beyond it."""
    t = torch.arange(L, device=lengths.device)[None, :]  # (1, L)
    n = lengths[:, None]  # (N, 1)
    return torch.where(t < n, n - 1 - t, t)


def _along_time(x: torch.Tensor, index: torch.Tensor | None) -> torch.Tensor:
    """x (N, L, H) reordered along L by index (N, L); index None means a plain flip."""
    if index is None:
        return x.flip(1)
    return x.gather(1, index[:, :, None].expand_as(x))


def _run_layer(cfg, w, x_dir, h, c, mask):
    """Run D directions of one layer over processing order s = 0..L-1.

    x_dir (D, N, L, H_in); h (D, N, H_out); c (D, N, H_cell) or None; mask (L, N, 1) bool or
    None when every sentence has length L. Returns per-step tuples and the final h, c.
    """
    D, N, L, H_in = x_dir.shape
    x_seq = x_dir.transpose(1, 2).reshape(D, L * N, H_in)  # (D, L*N, H_in), time-major rows
    gi = torch.baddbmm(w["b"], x_seq, w["W_ih_T"])  # (D, L*N, G): W_i* x_t + b for every t
    gi = gi.view(D, L, N, -1).transpose(0, 1).contiguous()  # (L, D, N, G)
    steps = []
    for s in range(gi.shape[0]):
        if cfg.cell == "LSTM":
            vals, h_new, c_new = lstm_step(gi[s], h, c, w["W_hh_T"], w.get("W_hr_T"))
        elif cfg.cell == "GRU":
            vals, h_new = gru_step(gi[s], h, w["W_hh_T"], w["b_hn"])
        else:
            vals, h_new = rnn_step(gi[s], h, w["W_hh_T"], cfg.nonlinearity == "relu")
        if mask is None:
            h, c = h_new, c_new if cfg.cell == "LSTM" else None
        else:  # a finished sentence keeps its last state, as the packed module does
            h = torch.where(mask[s], h_new, h)
            c = torch.where(mask[s], c_new, c) if cfg.cell == "LSTM" else None
        steps.append(vals)
    return steps, h, c


def _recompute(module: RNNModule, cfg: RNNConfig, inp: TraceInput):
    """All layers and directions; returns (values, final h list, final c list, layer inputs)."""
    L = inp.x.shape[1]
    varlen = bool((inp.lengths != L).any())
    lengths = inp.lengths.to(inp.x.device)
    rev = _reverse_index(lengths, L) if varlen else None  # (N, L); None: every length is L
    mask = (torch.arange(L, device=lengths.device)[:, None] < lengths[None, :])[..., None]
    values, h_fin, c_fin, layer_inputs = {}, [], [], []
    x = inp.x  # (N, L, H_in)
    for k in range(cfg.num_layers):
        layer_inputs.append(x)
        x_dir = torch.stack([x, _along_time(x, rev)][: cfg.D])  # (D, N, L, H_in)
        rows = slice(k * cfg.D, (k + 1) * cfg.D)
        c0 = inp.c0[rows] if inp.c0 is not None else None
        w = _layer_weights(module, cfg, k)
        steps, h, c = _run_layer(cfg, w, x_dir, inp.h0[rows], c0, mask if varlen else None)
        h_fin.append(h)
        c_fin.append(c)
        per_name = [torch.stack(vs, dim=2) for vs in zip(*steps, strict=True)]  # (D, N, L, ·)
        for d in range(cfg.D):
            vals = [v[d] if d == 0 else _along_time(v[d], rev) for v in per_name]
            values[(k, d)] = dict(zip(STEP_NAMES[cfg.cell], vals, strict=True))
        x = torch.cat([values[(k, d)]["h"] for d in range(cfg.D)], dim=-1)  # (N, L, D*H_out)
    return values, h_fin, c_fin, layer_inputs


def _max_diff(a: torch.Tensor, b: torch.Tensor, valid: torch.Tensor | None = None) -> float:
    diff = (a.double() - b.double()).abs()
    if valid is not None:
        diff = diff[valid]
    return float(diff.max()) if diff.numel() else 0.0


def _compare(cfg, inp: TraceInput, out, h_n, c_n, values, h_fin, c_fin) -> dict[str, float]:
    """Max abs difference of the recomputation against the module's own results."""
    last = cfg.num_layers - 1
    out_ref = torch.cat([values[(last, d)]["h"] for d in range(cfg.D)], dim=-1)  # (N, L, D*H_out)
    out_mod = inp.batch_major_output(out)  # (N, L, D*H_out)
    L = out_ref.shape[1]
    lengths = inp.lengths.to(out_ref.device)
    valid = torch.arange(L, device=out_ref.device)[None, :] < lengths[:, None]  # (N, L)
    diffs = {"output": _max_diff(out_ref, out_mod, valid),
             "h_n": _max_diff(torch.cat(h_fin), inp.batched_state(h_n))}
    if cfg.cell == "LSTM":
        diffs["c_n"] = _max_diff(torch.cat(c_fin), inp.batched_state(c_n))
    return diffs


def _to_cpu(values, lengths: torch.Tensor, packed: bool):
    """float32 cpu copies; NaN at and beyond each sentence's length for packed input."""
    out = {}
    for key, vals in values.items():
        out[key] = {}
        for name, v in vals.items():
            v = v.detach().float().cpu()  # (N, L, size)
            if packed:
                pad = torch.arange(v.shape[1])[None, :] >= lengths[:, None]  # (N, L)
                v = v.masked_fill(pad[..., None], float("nan"))
            out[key][name] = v
    return out


def _initial_cpu(cfg: RNNConfig, inp: TraceInput):
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
            values, h_fin, c_fin, layer_inputs = _recompute(module, cfg, inp)
            diffs = _compare(cfg, inp, out, h_n, c_n, values, h_fin, c_fin)
    finally:
        module.train(was_training)
    return Trace(
        config=cfg, output=out, h_n=h_n, c_n=c_n, lengths=inp.lengths.cpu(), packed=inp.packed,
        max_abs_diff=diffs,
        layer_inputs=[x.float().cpu() for x in layer_inputs],
        initial=_initial_cpu(cfg, inp),
        values=_to_cpu(values, inp.lengths.cpu(), inp.packed),
    )
