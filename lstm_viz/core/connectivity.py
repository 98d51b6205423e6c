"""How much each output step depends on each input step, and how far a gradient travels.

``connectivity(module, input, hx)`` (Madsen, "Visualizing memorization in RNNs", Distill
2019): ``conn[n, t, s] = ‖∂ output[n, t, :] / ∂ x[n, s, :]‖_F``, the Frobenius norm of the
(D*H_out × H_in) Jacobian block of output step t with respect to input step s.

``gradient_flow(module, input, hx)``: ``flow[n, t] = ‖∂ h_T / ∂ h_t‖_F`` for the last layer's
hidden state, T the sentence's last step: a vanishing gradient is a curve falling to 0.

Both are autograd on the real module, by replication: the batch is repeated once per output
unit asked about, each copy's backward pass reads one output number, so one backward pass of
a K-times larger batch gives K rows of the Jacobian (sentences never mix, so copies don't
either). ``scripts/memory_bench.py`` measured it against ``torch.func.jacrev`` (which loops
over nn.LSTM's backward: ~100× slower) and against one backward pass per output step.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from lstm_viz.core.build import RNNModule, config_of
from lstm_viz.core.config import ConfigError, RNNConfig
from lstm_viz.core.trace_input import TraceInput, prepare

BUDGET = 2**22  # numbers a replicated batch's gate activations may hold (≈16 MB float32)


def _chunks(total: int, per_copy: int, budget: int) -> Iterator[range]:
    """Ranges of copies to run at once, so that copies × ``per_copy`` stays within budget."""
    size = max(1, budget // max(1, per_copy))
    for start in range(0, total, size):
        yield range(start, min(total, start + size))


def _activations(cfg: RNNConfig, N: int, L: int) -> int:
    """Numbers one copy of an (N, L) batch keeps for the backward pass (roughly)."""
    gates = {"LSTM": 4, "GRU": 3, "RNN": 1}[cfg.cell]
    return N * L * cfg.num_layers * cfg.D * (gates + 1) * cfg.hidden_size


def _run(module: RNNModule, cfg: RNNConfig, x: torch.Tensor, lengths: torch.Tensor,
         packed: bool, hx):
    """``module`` on batch-major x (B, L, H_in) in the caller's layout; returns (output as
    (B, L, D*H_out) batch-major, zero past each length when packed; h_n or (h_n, c_n))."""
    L = x.shape[1]
    seq = x if cfg.batch_first else x.transpose(0, 1)
    if packed:
        seq = pack_padded_sequence(seq, lengths, batch_first=cfg.batch_first,
                                   enforce_sorted=False)
    out, state = module(seq, hx)
    if packed:
        out = pad_packed_sequence(out, batch_first=True, total_length=L)[0]
    elif not cfg.batch_first:
        out = out.transpose(0, 1)
    return out, state


def _repeat_state(inp: TraceInput, copies: int, h0: torch.Tensor | None = None):
    """hx for ``copies`` copies of the batch, along the batch axis (num_layers*D, B, ·)."""
    h = (inp.h0 if h0 is None else h0).repeat(1, copies, 1)
    return (h, inp.c0.repeat(1, copies, 1)) if inp.c0 is not None else h


def _eval(module: RNNModule):
    """(module in eval mode, its previous mode): dropout off while gradients are taken."""
    was_training = module.training
    module.eval()
    return was_training


def connectivity(module: RNNModule, input, hx=None) -> torch.Tensor:
    """``conn[n, t, s] = ‖∂ output[n, t, :] / ∂ x[n, s, :]‖_F`` as (N, L, L) float32 on cpu.

    ``input``/``hx`` as ``module`` takes them (see ``trace``); ``output`` holds both
    directions of a bidirectional module; ``hx`` is held fixed. Sentences are batch-major
    in the caller's order. For a PackedSequence, entries with t or s at or beyond the
    sentence's length are NaN. A forward-only module gives exactly 0 for s > t.
    Cost: L·D·H_out rows of the Jacobian, in as few backward passes as ``BUDGET`` allows.
    """
    cfg = config_of(module)
    inp = prepare(module, cfg, input, hx)
    N, L, H_in = inp.x.shape
    width = cfg.D * cfg.H_out
    squares = torch.zeros(N, L, L, dtype=torch.float64, device=inp.x.device)  # (N, t, s)
    was_training = _eval(module)
    try:
        for rows in _chunks(L * width, _activations(cfg, N, L), BUDGET):
            B = len(rows)
            index = torch.arange(rows.start, rows.stop, device=inp.x.device)
            t, j = index // width, index % width  # copy b reads output[:, t[b], j[b]]
            x = inp.x.detach().repeat(B, 1, 1).requires_grad_(True)  # (B*N, L, H_in)
            with torch.enable_grad():
                out, _ = _run(module, cfg, x, inp.lengths.repeat(B), inp.packed,
                              _repeat_state(inp, B))
                picked = out.view(B, N, L, width)[torch.arange(B), :, t, j]  # (B, N)
                (grad,) = torch.autograd.grad(picked.sum(), x)
            per_copy = grad.view(B, N, L, H_in).double().square().sum(-1)  # (B, N, s)
            squares.index_add_(1, t, per_copy.transpose(0, 1))
    finally:
        module.train(was_training)
    conn = squares.sqrt().float().cpu()
    if inp.packed:
        steps = torch.arange(L)
        outside = steps[None, :] >= inp.lengths[:, None]  # (N, L)
        conn[outside[:, :, None] | outside[:, None, :]] = math.nan
    return conn


def _states_over_time(module: RNNModule, cfg: RNNConfig, inp: TraceInput) -> list:
    """The module's state after every step t, run one step at a time: L entries of
    (h (num_layers, N, H_out), c (num_layers, N, H_cell) or None)."""
    states, hx = [], (inp.h0, inp.c0) if inp.c0 is not None else inp.h0
    ones = torch.ones(inp.x.shape[0], dtype=torch.int64)
    with torch.no_grad():
        for step in range(inp.x.shape[1]):
            _, hx = _run(module, cfg, inp.x[:, step: step + 1], ones, False, hx)
            states.append(hx if isinstance(hx, tuple) else (hx, None))
    return states


def _suffixes(x: torch.Tensor, n: torch.Tensor, start: torch.Tensor) -> torch.Tensor:
    """x[n[b], start[b]:] for every b, left-aligned: (B, L-1, H_in); the tail past the end
    repeats the last step (packing never reads it)."""
    L = x.shape[1]
    steps = (start[:, None] + torch.arange(L - 1)[None, :]).clamp(max=L - 1)  # (B, L-1)
    return x[n[:, None], steps]


def gradient_flow(module: RNNModule, input, hx=None) -> torch.Tensor:
    """``flow[n, t] = ‖∂ h_T / ∂ h_t‖_F`` as (N, L) float32 on cpu.

    h is the last layer's hidden state (H_out wide), T = length_n - 1 the sentence's last
    step, the derivative taken through every later step of the real module (for an LSTM,
    through c as well; h_t's own c_t is held, it does not depend on h_t). flow[n, T] is
    ‖I‖_F = √H_out; NaN past a packed sentence's length. Each h_t is the module's own state
    after step t (run one step at a time); each suffix x[t+1 … T] is then run from it, packed.
    A bidirectional module has no single "later": ConfigError.
    """
    cfg = config_of(module)
    if cfg.D == 2:
        raise ConfigError("bidirectional", True, "gradient_flow follows h forward in time; "
                          "it needs a module with one direction")
    inp = prepare(module, cfg, input, hx)
    N, L, _ = inp.x.shape
    H, last, lengths = cfg.H_out, cfg.num_layers - 1, inp.lengths
    squares = torch.zeros(N, L, dtype=torch.float64)
    was_training = _eval(module)
    try:
        states = _states_over_time(module, cfg, inp)
        jobs = torch.tensor([(n, t) for n in range(N) for t in range(int(lengths[n]) - 1)],
                            dtype=torch.int64).view(-1, 2)  # (jobs, 2): sentence n, step t
        for rows in _chunks(len(jobs) * H, _activations(cfg, 1, L), BUDGET):
            index = torch.arange(rows.start, rows.stop)
            (n, t), j = jobs[index // H].T, index % H  # copy b: ∂ h_T[j[b]] / ∂ h_t
            h0 = torch.stack([states[s][0][:, m] for m, s in zip(n, t, strict=True)], 1)
            h0 = h0.detach().requires_grad_(True)  # (num_layers, B, H_out)
            c0 = (torch.stack([states[s][1][:, m] for m, s in zip(n, t, strict=True)], 1)
                  if cfg.cell == "LSTM" else None)
            x = _suffixes(inp.x.detach(), n.to(inp.x.device), (t + 1).to(inp.x.device))
            with torch.enable_grad():
                _, state = _run(module, cfg, x, lengths[n] - 1 - t, True,
                                (h0, c0) if c0 is not None else h0)
                h_T = state[0] if isinstance(state, tuple) else state  # (num_layers, B, H)
                (grad,) = torch.autograd.grad(h_T[last, torch.arange(len(j)), j].sum(), h0)
            squares.index_put_((n, t), grad[last].double().square().sum(-1).cpu(),
                               accumulate=True)
    finally:
        module.train(was_training)
    flow = squares.sqrt().float()
    flow[torch.arange(N), lengths - 1] = math.sqrt(H)
    flow[torch.arange(L)[None, :] >= lengths[:, None]] = math.nan
    return flow
