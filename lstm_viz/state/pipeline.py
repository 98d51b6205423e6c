"""config → input batch → module → trace: one run of everything the pages show.

Kept free of Streamlit so that the app caches it (``st.cache_resource`` for the module and
the ``Run``, both shared read-only) and tests call it directly.
"""

from __future__ import annotations

import functools
import json
import os
import threading
from dataclasses import asdict, dataclass

import torch
from threadpoolctl import ThreadpoolController

from lstm_viz import trained
from lstm_viz.core.build import Built, RNNModule, build_module
from lstm_viz.core.caps import Caps
from lstm_viz.core.config import ConfigError
from lstm_viz.core.inputs import Batch, make_batch
from lstm_viz.core.packing import PackingLayout, enforce_sorted_error, packing_layout
from lstm_viz.core.shapes import ShapeEntry, shape_contract
from lstm_viz.core.trace import Trace, trace
from lstm_viz.explain.claims import Claim, check_claims
from lstm_viz.state.settings import Settings


@dataclass
class Run:
    """Everything the pages draw, for one Settings."""

    settings: Settings
    device: str  # the device actually used
    fallback_reason: str | None  # why the requested device was not used
    batch: Batch
    trace: Trace
    claims: list[Claim]
    shapes: list[ShapeEntry]
    layout: PackingLayout
    enforce_sorted_error: str | None  # torch's error for enforce_sorted=True, if any


@functools.lru_cache(maxsize=256)
def settings_key(settings: Settings) -> str:
    """A canonical string for caching: equal settings ↔ equal keys (kept for the last 256
    Settings: every page asks for it several times per rerun)."""
    return json.dumps(asdict(settings), sort_keys=True, ensure_ascii=False)


def weights_for(settings: Settings, upload: trained.Weights | None = None
                ) -> trained.Weights | None:
    """The weights ``settings.weights`` names: None for "random" (seeded), a shipped model,
    or ``upload`` (the session's uploaded file, which only the caller holds)."""
    if settings.weights == "random":
        return None
    if settings.weights in trained.MODELS:
        return trained.load(settings.weights)
    if upload is None or upload.name != settings.weights:
        raise ConfigError("weights", "upload", "the uploaded file is not in this session; "
                          "upload it again")
    return upload


def build(settings: Settings, caps: Caps | None = None,
          upload: trained.Weights | None = None) -> Built:
    """The module for ``settings``: weights from ``settings.spec.seed``, then, unless
    ``settings.weights`` is "random", the trained/uploaded ones loaded into it."""
    built = build_module(settings.config, settings.spec.seed, settings.device, caps)
    weights = weights_for(settings, upload)
    if weights is not None:
        try:
            built.module.load_state_dict(weights.rnn)  # strict: every name, every shape
        except RuntimeError as err:
            raise ConfigError("weights", settings.weights[:40], f"torch says: {err}") from err
    return built


def run(settings: Settings, built: Built | None = None, caps: Caps | None = None,
        upload: trained.Weights | None = None) -> Run:
    """Build (or reuse ``built``), make the batch, trace it and check the claims."""
    built = built or build(settings, caps, upload)
    module: RNNModule = built.module
    weights = weights_for(settings, upload)
    vocab, embedding = (weights.vocab, weights.embedding) if weights else (None, None)
    batch = make_batch(settings.spec, settings.config, built.device, caps, vocab, embedding)
    tr = trace(module, batch.input, batch.hx)
    claims = check_claims(module, tr, batch.padded, batch.lengths, batch.hx,
                          tuple(batch.padded.shape))
    layout = packing_layout(batch.padded, batch.lengths, batch.tokens, batch.batch_first,
                            settings.spec.total_length or None)
    sorted_error = enforce_sorted_error(batch.padded, batch.lengths, batch.batch_first)
    total_length = settings.spec.total_length if settings.spec.packed else None
    shapes = shape_contract(settings.config, batch.N, batch.L, total_length or None)
    return Run(settings, str(built.device), built.fallback_reason, batch, tr, claims, shapes,
               layout, sorted_error)


_controller: ThreadpoolController | None = None  # the process's loaded libraries, scanned once
_lock = threading.Lock()
_thread = threading.local()  # the limit this thread has set


def _libraries() -> ThreadpoolController:
    global _controller
    with _lock:
        if _controller is None:
            _controller = ThreadpoolController()  # finds OpenBLAS, OpenMP… (a scan: slow)
        return _controller


def set_threads(default: int = 1) -> int:
    """Bound torch's intra-op threads and NumPy's BLAS threads (``LSTM_VIZ_TORCH_THREADS``,
    default 1), once per thread.

    Many sessions share one server process on few cores, each run on its own script
    thread; one compute thread per run avoids oversubscribing the cores. Must run before
    the first computation; a thread that has set the limit returns at once, and the loaded
    libraries are found once per process (``threadpoolctl.threadpool_limits`` scanned them
    on every call: ~3.5 % of a rerun's CPU).
    """
    raw = os.environ.get("LSTM_VIZ_TORCH_THREADS", str(default)).strip()
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        raise ValueError(f"LSTM_VIZ_TORCH_THREADS={raw!r}: must be a positive integer")
    n = int(raw)
    if getattr(_thread, "threads", None) == n:
        return n
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)
    _libraries().limit(limits=n)  # the trace's NumPy arithmetic (OpenBLAS), OpenMP
    _thread.threads = n
    return n
