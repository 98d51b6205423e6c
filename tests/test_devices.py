"""Device choice: cpu always works; an absent device falls back to cpu with a reason."""

from __future__ import annotations

import pytest
import torch

from lstm_viz import InputSpec, RNNConfig, available_devices, build_module, make_batch, trace
from lstm_viz.core.devices import resolve_device
from tests.cuda_utils import cudnn_without_tf32

CONFIG = RNNConfig("LSTM", 3, 4, 2, bidirectional=True)
NO_CUDA = not torch.cuda.is_available()
_mps = getattr(torch.backends, "mps", None)
NO_MPS = _mps is None or not _mps.is_available()


def test_available_devices_start_with_cpu():
    names = available_devices()
    assert names[0] == "cpu"
    assert len(names) == len(set(names))
    for name in names:
        torch.zeros(1, device=name)  # torch really can use each one
    assert any(n.startswith("cuda") for n in names) == torch.cuda.is_available()


@pytest.mark.parametrize("name", [None, "", "cpu", "CPU", " cpu "])
def test_cpu_is_used_as_asked(name):
    choice = resolve_device(name)
    assert choice.device == torch.device("cpu")
    assert choice.fallback_reason is None


@pytest.mark.skipif(not NO_CUDA, reason="torch sees a CUDA device here")
def test_cuda_falls_back_with_a_message_when_absent():
    assert torch.cuda.is_available() is False
    choice = resolve_device("cuda")
    assert choice.device == torch.device("cpu")
    assert "'cuda'" in choice.fallback_reason and "cpu" in choice.fallback_reason


@pytest.mark.parametrize("name", [
    "cuda:7", "xpu", "tpu", "foo", "cuda:x",
    pytest.param("mps", marks=pytest.mark.skipif(not NO_MPS, reason="mps is available")),
    pytest.param("cuda", marks=pytest.mark.skipif(not NO_CUDA, reason="cuda is available")),
])
def test_absent_devices_fall_back(name):
    choice = resolve_device(name)
    assert choice.device == torch.device("cpu")
    assert repr(name) in choice.fallback_reason
    assert all(seen in choice.fallback_reason for seen in available_devices())


@pytest.mark.parametrize("name", [
    "cuda:7", "xpu",
    pytest.param("cuda", marks=pytest.mark.skipif(not NO_CUDA, reason="cuda is available")),
])
def test_build_module_on_absent_device_falls_back(name):
    built = build_module(CONFIG, device=name)
    assert built.device == torch.device("cpu")
    assert built.fallback_reason and repr(name) in built.fallback_reason
    assert all(p.device.type == "cpu" for p in built.module.parameters())
    assert not built.module.training


def test_build_module_on_cpu_has_no_fallback():
    built = build_module(CONFIG, device="cpu")
    assert built.device == torch.device("cpu") and built.fallback_reason is None




@pytest.mark.cuda
@pytest.mark.skipif(NO_CUDA, reason="torch.cuda.is_available() is False")
@pytest.mark.parametrize("packed", [False, True])
def test_cuda_build_and_trace(packed):
    cfg = RNNConfig("LSTM", 7, 4, 2, bidirectional=True, batch_first=True)
    built = build_module(cfg, device="cuda")
    assert built.device.type == "cuda" and built.fallback_reason is None
    assert all(p.device.type == "cuda" for p in built.module.parameters())
    spec = InputSpec(sentences="i like dog\ni\nyou hate coffee milk", packed=packed, h0="randn")
    batch = make_batch(spec, cfg, device=built.device)
    assert batch.padded.device.type == "cuda"
    with cudnn_without_tf32():
        tr = trace(built.module, batch.input, batch.hx)
    assert tr.verified, tr.max_abs_diff
    assert tr.h_n.device.type == "cuda"
    values = tr.step_values(1, 1)
    assert all(v.device.type == "cpu" and v.dtype == torch.float32 for v in values.values())
