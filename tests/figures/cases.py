"""Shared cases of the figure tests: how a case is run (a real trace of a real module, never
hard-coded numbers), the placeholder labels, and small readers of a figure's traces and axes.
The fixtures built from them are in conftest.py."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import torch

import lstm_viz.figures as F
from lstm_viz import InputSpec, RNNConfig, build_module, make_batch, trace
from lstm_viz.core.tokens import PAD

torch.set_num_threads(1)

HTML_TOKENS = "a <b>x</b> c &amp;\nd <script>\nf g h"  # lengths 4, 2, 3; V = 9
V = 9


def run(cfg: RNNConfig, spec: InputSpec):
    batch = make_batch(spec, cfg)
    module = build_module(cfg).module
    return module, batch, trace(module, batch.input, batch.hx)


def sentences(packed: bool, h0: str = "zeros") -> InputSpec:
    return InputSpec(mode="sentences", sentences=HTML_TOKENS, tokens="word", packed=packed,
                     h0=h0)


LABELS = {"title": "⟦title⟧", "x_title": "⟦x⟧", "y_title": "⟦y⟧"}


def assert_z(trace_z, expected) -> None:
    np.testing.assert_array_equal(np.asarray(trace_z, dtype=np.float32),
                                  np.asarray(expected, dtype=np.float32))


def axis_of(fig: go.Figure, trace: go.BaseTraceType, letter: str):
    ref = getattr(trace, f"{letter}axis") or letter
    return fig.layout[ref.replace(letter, f"{letter}axis")]


def ticks(tokens, L):
    words = [*tokens, *[PAD] * (L - len(tokens))]
    return [f"{t}: {F.plain(w)}" for t, w in enumerate(words)]


