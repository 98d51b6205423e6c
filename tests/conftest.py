"""Shared fixtures for the engine tests.

The reference in every test is the real torch module (STYLE.md: "the reference in tests is
the real module"); nothing here mocks torch. Letters as in PyTorch's docs: N batch,
L sequence length, D directions, H_in, H_cell, H_out.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

import pytest
import torch
from threadpoolctl import threadpool_limits
from torch.nn.utils.rnn import PackedSequence, pad_packed_sequence

from lstm_viz import InputSpec, RNNConfig, build_module, make_batch

# 2-core CI machines: one compute thread (torch intra-op, and NumPy's BLAS, which the trace's
# recomputation uses) keeps small ops fast and leaves a core for the app server that the
# browser tests start. Spinning BLAS threads on a busy 2-core box cost 10x and more.
torch.set_num_threads(1)
threadpool_limits(1)

# Class mode's store (a SQLite file under LSTM_VIZ_DATA_DIR) lives in a temporary folder for
# the whole test session, AppTests and the servers the tests start alike: never the user's.
if not os.environ.get("LSTM_VIZ_DATA_DIR"):
    os.environ["LSTM_VIZ_DATA_DIR"] = tempfile.mkdtemp(prefix="lstm-viz-test-data-")
    atexit.register(shutil.rmtree, os.environ["LSTM_VIZ_DATA_DIR"], True)


def pytest_configure(config):
    # torch's own note that LSTM(proj_size>0) runs without oneDNN: expected, not a problem.
    config.addinivalue_line(
        "filterwarnings", "ignore:LSTM with projections is not supported with oneDNN:UserWarning")


def pytest_collection_modifyitems(config, items):
    """Tests marked ``cuda`` skip where torch sees no CUDA device."""
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="torch.cuda.is_available() is False")
    for item in items:
        if item.get_closest_marker("cuda") is not None:
            item.add_marker(skip)


# Configurations covering every cell and every constructor argument that changes a shape.
CONFIGS = {
    "lstm": RNNConfig("LSTM", 3, 4),
    "lstm-2l-bi": RNNConfig("LSTM", 3, 4, 2, bidirectional=True),
    "lstm-proj": RNNConfig("LSTM", 3, 5, proj_size=2),
    "lstm-proj-2l-bi-bf": RNNConfig("LSTM", 3, 5, 2, batch_first=True, bidirectional=True,
                                    proj_size=3),
    "lstm-nobias-bf": RNNConfig("LSTM", 2, 3, bias=False, batch_first=True),
    "lstm-3l": RNNConfig("LSTM", 4, 3, 3),
    "gru": RNNConfig("GRU", 3, 4),
    "gru-2l-bi-bf": RNNConfig("GRU", 3, 4, 2, batch_first=True, bidirectional=True),
    "gru-nobias": RNNConfig("GRU", 2, 3, bias=False),
    "rnn": RNNConfig("RNN", 3, 4),
    "rnn-relu-3l-bi": RNNConfig("RNN", 3, 4, 3, bidirectional=True, nonlinearity="relu"),
    "rnn-nobias-bf": RNNConfig("RNN", 2, 3, bias=False, batch_first=True),
}


@pytest.fixture(params=list(CONFIGS), ids=list(CONFIGS))
def config(request) -> RNNConfig:
    """Every configuration in ``CONFIGS``."""
    return CONFIGS[request.param]


@pytest.fixture
def build():
    """``build(config, spec)`` → (module, batch): the seeded module (eval, cpu) and its batch."""

    def _build(config: RNNConfig, spec: InputSpec):
        return build_module(config, seed=spec.seed).module, make_batch(spec, config)

    return _build


@pytest.fixture
def forward():
    """``forward(module, batch)`` → (output, h_n, c_n) of ``module(batch.input, batch.hx)``
    under no_grad; c_n is None for GRU / RNN."""

    def _forward(module, batch):
        with torch.no_grad():
            out, state = module(batch.input, batch.hx)
        h_n, c_n = state if isinstance(state, tuple) else (state, None)
        return out, h_n, c_n

    return _forward


@pytest.fixture
def as_tensor():
    """``as_tensor(output, batch_first, total_length=None)``: a PackedSequence output unpacked
    with torch's own pad_packed_sequence; a tensor returned as is."""

    def _as_tensor(out, batch_first: bool, total_length: int | None = None) -> torch.Tensor:
        if isinstance(out, PackedSequence):
            return pad_packed_sequence(out, batch_first=batch_first,
                                       total_length=total_length)[0]
        return out

    return _as_tensor
