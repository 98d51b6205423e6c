"""Seeded draws from torch's global generator, one thread at a time.

``nn.LSTM(...)`` initialises its weights from torch's process-wide generator, so a seeded
build must seed that generator. Streamlit runs each session's script on its own thread:
without a lock, two sessions seeding and drawing at once get each other's numbers (seen:
28 of 60 concurrent builds had wrong weights), and the caches then keep them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import torch

_LOCK = threading.Lock()


@contextmanager
def seeded(seed: int) -> Iterator[None]:
    """``torch.manual_seed(seed)`` for the block, under a process-wide lock, leaving the
    global generator as it was (``torch.random.fork_rng``).

    Only the CPU generator is seeded: every draw here is on the CPU (weights are built there,
    then moved), so the numbers are ``torch.manual_seed``'s. ``torch.manual_seed`` would also
    queue a lazy CUDA seeding that formats the caller's whole stack on every call (~5 % of a
    classroom server's time in py-spy) and would change the CUDA generator for good."""
    with _LOCK, torch.random.fork_rng(devices=[]):
        torch.random.default_generator.manual_seed(seed)
        yield
