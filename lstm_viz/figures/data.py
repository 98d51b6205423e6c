"""From a ``Trace`` to the plain arrays the builders take, for one sentence n."""

from __future__ import annotations

import numpy as np

from lstm_viz.core.trace import Trace


def _np(values) -> np.ndarray:
    """float32 numpy view of a cpu tensor or array (the trace's values are either)."""
    return np.asarray(values, dtype=np.float32)


def sentence_steps(tr: Trace, layer: int, direction: int, n: int) -> dict[str, np.ndarray]:
    """``step_values(layer, direction)`` of sentence n: {name: (L, size)} float32."""
    return {k: _np(v[n]) for k, v in tr.step_values(layer, direction).items()}


def sentence_states(tr: Trace, n: int, name: str = "h") -> dict[tuple[int, int], np.ndarray]:
    """{(layer, d): (L, width)} of ``name`` ("h" or "c") for sentence n."""
    cfg = tr.config
    return {(k, d): _np(tr.step_values(k, d)[name][n])
            for k in range(cfg.num_layers) for d in range(cfg.D)}


def state_norms(tr: Trace, n: int) -> np.ndarray:
    """||h_t|| of sentence n for every layer, direction and step: (num_layers, D, L)."""
    cfg = tr.config
    norms = [[np.linalg.norm(_np(tr.step_values(k, d)["h"][n]), axis=-1)  # (L,)
              for d in range(cfg.D)] for k in range(cfg.num_layers)]
    return np.asarray(norms, dtype=np.float32)  # NaN rows stay NaN
