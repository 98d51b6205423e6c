"""The figure tests' fixtures: real traces of real modules (tests/figures/cases.py)."""

from __future__ import annotations

import pytest

from lstm_viz import RNNConfig
from lstm_viz.core.packing import packing_layout
from tests.figures.cases import V, run, sentences


@pytest.fixture(scope="module")
def lstm_packed():
    return run(RNNConfig("LSTM", V, 5, 2, bidirectional=True), sentences(packed=True))


@pytest.fixture(scope="module")
def lstm_padded():
    return run(RNNConfig("LSTM", V, 5, 2, bidirectional=True), sentences(packed=False))


@pytest.fixture(scope="module", params=[
    RNNConfig("LSTM", V, 4, 1), RNNConfig("LSTM", V, 6, 1, proj_size=3),
    RNNConfig("GRU", V, 4, 2, bidirectional=True), RNNConfig("RNN", V, 4, 1),
    RNNConfig("RNN", V, 4, 1, nonlinearity="relu")], ids=lambda c: f"{c.cell}-{c.proj_size}")
def any_cell(request):
    return run(request.param, sentences(packed=True, h0="randn"))


@pytest.fixture(scope="module")
def layout(lstm_padded):
    _, batch, _ = lstm_padded
    return batch, packing_layout(batch.padded, batch.lengths, batch.tokens, batch.batch_first)
