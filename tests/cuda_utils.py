"""CUDA-only test helpers (the tests that use them skip where torch sees no GPU)."""

from __future__ import annotations

import contextlib

import torch


@contextlib.contextmanager
def cudnn_without_tf32():
    """cuDNN RNNs use TF32 on Ampere+ by default (~1e-3 error); switch that off for a test.

    Uses the legacy ``allow_tf32`` flag only: mixing it with the newer ``fp32_precision``
    properties makes torch raise when either is read.
    """
    old = torch.backends.cudnn.allow_tf32
    torch.backends.cudnn.allow_tf32 = False
    try:
        yield
    finally:
        torch.backends.cudnn.allow_tf32 = old

