"""How much each output step depends on each input step, and how far a gradient travels.

``connectivity(module, input, hx)`` (Madsen, "Visualizing memorization in RNNs", Distill
2019): ``conn[n, t, s] = ‖∂ output[n, t, :] / ∂ x[n, s, :]‖_F``, the Frobenius norm of the
(D*H_out × H_in) Jacobian block of output step t with respect to input step s.

``gradient_flow(module, input, hx)``: ``flow[n, t] = ‖∂ h_T / ∂ h_t‖_F`` for the last layer's
hidden state, T the sentence's last step: a vanishing gradient is a curve falling to 0.

Both are autograd on the real module, by replication: the batch is repeated once per output
unit asked about, each copy's backward pass reads one output number, so one backward pass of
a K-times larger batch gives K rows of the Jacobian (sentences never mix, so copies don't
either). ``measure/memory_bench.py`` measures it against ``torch.func.jacrev`` and against
one backward pass per output step.
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


def _chunks(total: int, per_copy: int, size: int | None = None) -> Iterator[range]:
    """Ranges of copies to run at once: ``size`` each, or as many as keep copies ×
    ``per_copy`` within BUDGET."""
    size = size or max(1, BUDGET // max(1, per_copy))
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


def _repeat_state(inp: TraceInput, copies: int):
    """hx for ``copies`` copies of the batch, along the batch axis (num_layers*D, B, ·)."""
    h = inp.h0.repeat(1, copies, 1)
    return (h, inp.c0.repeat(1, copies, 1)) if inp.c0 is not None else h


def _eval(module: RNNModule):
    """(module in eval mode, its previous mode): dropout off while gradients are taken."""
    was_training = module.training
    module.eval()
    return was_training


def connectivity(module: RNNModule, input, hx=None, *,
                 rows_per_pass: int | None = None) -> torch.Tensor:
    """``conn[n, t, s] = ‖∂ output[n, t, :] / ∂ x[n, s, :]‖_F`` as (N, L, L) float32 on cpu.

    ``input``/``hx`` as ``module`` takes them (see ``trace``); ``output`` holds both
    directions of a bidirectional module; ``hx`` is held fixed. Sentences are batch-major
    in the caller's order. For a PackedSequence, entries with t or s at or beyond the
    sentence's length are NaN. A forward-only module gives exactly 0 for s > t.
    Cost: L·D·H_out rows of the Jacobian, in as few backward passes as ``BUDGET`` allows
    (a copy for output step t still runs all L steps: packing them shorter was slower).
    ``rows_per_pass`` fixes how many rows one pass takes (D*H_out: one pass per output
    step), for measuring.
    """
    cfg = config_of(module)
    inp = prepare(module, cfg, input, hx)
    N, L, H_in = inp.x.shape
    width = cfg.D * cfg.H_out
    squares = torch.zeros(N, L, L, dtype=torch.float64, device=inp.x.device)  # (N, t, s)
    was_training = _eval(module)
    try:
        for rows in _chunks(L * width, _activations(cfg, N, L), rows_per_pass):
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


def gradient_flow(module: RNNModule, input, hx=None, *, state: str = "h") -> torch.Tensor:
    """``flow[n, t] = ‖∂ h_T / ∂ h_t‖_F`` as (N, L) float32 on cpu (``state="c"``, LSTM
    only: ``‖∂ c_T / ∂ c_t‖_F``, along the cell state).

    h (c) is the last layer's state, H_out (H_cell) wide; T = length_n - 1 the sentence's
    last step; the derivative runs through every later step of the real module (for h of
    an LSTM through c as well: c_t itself does not depend on h_t). flow[n, T] = ‖I‖_F =
    √width; NaN past a packed sentence's length. The module runs one step at a time (its
    own ``hx`` in and out) on ``width`` copies of the batch, copy j asking about h_T[j]. A
    bidirectional module has no single "later": ConfigError.
    """
    return gradient_flows(module, input, hx, states=(state,))[state]


def gradient_flows(module: RNNModule, input, hx=None, *,
                   states: tuple[str, ...] = ("h",)) -> dict[str, torch.Tensor]:
    """``gradient_flow`` of each of ``states`` ("h", and "c" for an LSTM) from one run of
    the module: the copies asking about h and those asking about c share the steps (for an
    LSTM both flows cost about one)."""
    cfg = config_of(module)
    if cfg.D == 2:
        raise ConfigError("bidirectional", True, "gradient_flow follows h forward in time; "
                          "it needs a module with one direction")
    for state in states:
        if state not in ("h", "c") or (state == "c" and cfg.cell != "LSTM"):
            raise ConfigError("state", state,
                              f"one of {'h, c' if cfg.cell == 'LSTM' else 'h'}")
    inp = prepare(module, cfg, input, hx)
    (N, L, _), lengths = inp.x.shape, inp.lengths
    widths = {"h": cfg.H_out, "c": cfg.hidden_size}
    asks = [(state, j) for state in dict.fromkeys(states) for j in range(widths[state])]
    squares = {state: torch.zeros(N, L, dtype=torch.float64) for state in states}
    was_training = _eval(module)
    try:
        for chunk in _chunks(len(asks), _activations(cfg, N, L)):
            _add_flow_squares(squares, module, cfg, inp, [asks[k] for k in chunk])
    finally:
        module.train(was_training)
    flows = {}
    for state, sq in squares.items():
        flows[state] = sq.sqrt().float()
        flows[state][torch.arange(L)[None, :] >= lengths[:, None]] = math.nan
    return flows


def _add_flow_squares(squares: dict, module: RNNModule, cfg: RNNConfig, inp: TraceInput,
                      asks: list[tuple[str, int]]) -> None:
    """Add Σ_j ‖∂ s_T[j] / ∂ s_t‖² (N, L) to ``squares[s]`` for each (s, j) in ``asks``: one
    copy of the batch per ask, the module run one step at a time, its states (h, and c for an
    LSTM) kept as nodes of the graph. Copies never mix, so copy b's row of the gradient with
    respect to its own state's nodes is its ask's derivative."""
    N, L, _ = inp.x.shape
    x = inp.x.detach().repeat(len(asks), 1, 1)  # (B, L, H_in), B = len(asks) * N
    ones = torch.ones(x.shape[0], dtype=torch.int64)
    index = {"h": 0, "c": 1}
    with torch.enable_grad():
        hx, nodes = _repeat_state(inp, len(asks)), ([], [])  # nodes[h or c][t]: (layers, B, ·)
        for step in range(L):
            _, hx = _run(module, cfg, x[:, step: step + 1], ones, False, hx)
            for k, node in enumerate(hx if isinstance(hx, tuple) else (hx,)):
                nodes[k].append(node)
        last_step = (inp.lengths - 1).repeat(len(asks)).tolist()
        picked = torch.stack([nodes[index[asks[b // N][0]]][T][-1, b, asks[b // N][1]]
                              for b, T in enumerate(last_step)])
        wanted = list(dict.fromkeys(state for state, _ in asks))  # the states this pass asks
        grads = torch.autograd.grad(picked.sum(), [n for s in wanted for n in nodes[index[s]]],
                                    allow_unused=True)
    for k, state in enumerate(wanted):
        flow = torch.stack([torch.zeros_like(nodes[index[state]][0][-1]) if g is None else g[-1]
                            for g in grads[k * L: (k + 1) * L]], 1)  # (B, L, width)
        rows = [b for b, (s, _) in enumerate(asks) if s == state]  # copies asking about it
        squares[state] += flow.double().square().sum(-1).view(len(asks), N, L)[rows].sum(0).cpu()
