"""Classroom caps: the largest request one student may make of a shared server.

The defaults keep one run (module build + trace + figures) well under a second on
2 CPU cores; the largest allowed LSTM (H_cell=256, L=64, N=16, 4 layers, D=2) is what
``python -m lstm_viz.bench`` measures. A deployment overrides any cap with an
environment variable ``LSTM_VIZ_<FIELD>`` (e.g. ``LSTM_VIZ_MAX_HIDDEN_SIZE=128``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Caps:
    max_seq_len: int = 64  # L: tokens per sentence / time steps
    max_batch: int = 16  # N: sentences in the batch
    max_hidden_size: int = 256  # H_cell
    max_input_size: int = 512  # H_in (one-hot width = vocabulary size)
    max_layers: int = 4  # num_layers
    max_vocab: int = 512  # distinct tokens (and num_embeddings)
    max_embedding_dim: int = 64  # embedding_dim
    max_text_chars: int = 4000  # characters of sentence text
    max_seed: int = 2**31 - 1

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Caps:
        """Caps with overrides from ``LSTM_VIZ_MAX_*`` variables.

        Raises ``ValueError`` naming the variable when a value is not a positive integer,
        so a misconfigured server stops at start, not at a student's first click.
        """
        environ = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            name = f"LSTM_VIZ_{f.name.upper()}"
            if name not in environ:
                continue
            raw = environ[name].strip()
            if not raw.isdigit() or int(raw) < 1:
                raise ValueError(f"{name}={raw!r}: must be a positive integer")
            values[f.name] = int(raw)
        return cls(**values)
