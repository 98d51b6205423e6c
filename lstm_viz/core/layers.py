"""Every layer's own states: the module's layers run one at a time on its own parameters.

``nn.LSTM(num_layers=K)`` returns the h of its last layer only. ``layer_outputs`` runs
layers 0, 1, … one at a time with the very call the module makes (``torch._VF.lstm`` /
``gru`` / ``rnn_tanh`` / ``rnn_relu``, eval mode: no dropout), each on its own parameters
(``module.all_weights``) and the previous layer's output, from the same h_0 (c_0) rows.
On the CPU this composition is bit for bit the multi-layer module's own computation
(tests/test_layers.py checks ``output``, ``h_n`` and ``c_n`` with ``torch.equal``), so the
outputs are the module's per-layer states, which ``lstm_viz.core.recompute`` checks step by
step.
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager

import torch
from torch import _VF
from torch.nn.utils.rnn import PackedSequence, pad_packed_sequence

from lstm_viz.core.build import RNNModule
from lstm_viz.core.config import RNNConfig
from lstm_viz.core.trace_input import TraceInput


def _call(cfg: RNNConfig):
    if cfg.cell == "RNN":
        return _VF.rnn_relu if cfg.nonlinearity == "relu" else _VF.rnn_tanh
    return _VF.lstm if cfg.cell == "LSTM" else _VF.gru


def _weights(module: RNNModule, cfg: RNNConfig, k: int) -> list[torch.Tensor]:
    """Layer k's parameters in the module's flat order: per direction w_ih, w_hh (, b_ih,
    b_hh) (, w_hr)."""
    return [p for d in range(cfg.D) for p in module.all_weights[k * cfg.D + d]]


def _hx(cfg: RNNConfig, h0: torch.Tensor, c0: torch.Tensor | None, k: int):
    """Layer k's rows of h_0 (num_layers*D, N, H_out) (and c_0), as the module's call takes them."""
    rows = slice(k * cfg.D, (k + 1) * cfg.D)
    return (h0[rows], c0[rows]) if cfg.cell == "LSTM" else h0[rows]


@contextmanager
def _quiet(device: torch.device):
    """cuDNN warns that one layer's weights are not the module's single contiguous chunk.
    Not touched on the CPU: ``catch_warnings`` swaps a process-wide list, and the app's
    sessions run in threads of one process."""
    if device.type == "cpu":
        yield
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        yield


def layer_outputs(module: RNNModule, cfg: RNNConfig, input, inp: TraceInput,
                  layers: int) -> list[torch.Tensor]:
    """The outputs of layers 0..``layers``-1, each batch-major (N, L, D*H_out) in the
    caller's sentence order, zero past a sentence's length for packed input.

    ``input`` is what the module was called with (tensor or PackedSequence), ``inp`` its
    prepared form (``trace_input.prepare``: h_0, c_0 in the caller's order). Runs under
    ``torch.no_grad()`` on the module's device.
    """
    call, outs = _call(cfg), []
    packed = isinstance(input, PackedSequence)
    h0, c0 = inp.h0, inp.c0
    if packed:
        x, batch_sizes, sorted_indices, unsorted_indices = input
        if sorted_indices is not None:  # the module permutes hx into the sorted order too
            h0 = h0.index_select(1, sorted_indices)
            c0 = None if c0 is None else c0.index_select(1, sorted_indices)
    else:
        x = input.unsqueeze(0 if cfg.batch_first else 1) if inp.unbatched else input
    with torch.no_grad(), _quiet(x.device):
        for k in range(layers):
            args = (_hx(cfg, h0, c0, k), _weights(module, cfg, k), cfg.bias, 1, 0.0, False,
                    cfg.bidirectional)
            if packed:
                x = call(x, batch_sizes, *args)[0]  # packed data (sum of lengths, D*H_out)
                seq = PackedSequence(x, batch_sizes, sorted_indices, unsorted_indices)
                outs.append(pad_packed_sequence(seq, batch_first=True)[0])
            else:
                x = call(x, *args, cfg.batch_first)[0]  # the module's own layout
                outs.append(x if cfg.batch_first else x.transpose(0, 1))
    return outs
