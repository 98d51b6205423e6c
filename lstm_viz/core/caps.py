"""Classroom caps: the largest request one student may make of a shared server.

The defaults keep one run (module build + trace + figures) well under a second on
2 CPU cores; the largest allowed LSTM (H_cell=256, L=64, N=16, 4 layers, D=2) is what
``python measure/bench.py`` measures. A deployment overrides any cap with an
environment variable ``LSTM_VIZ_<FIELD>`` (e.g. ``LSTM_VIZ_MAX_HIDDEN_SIZE=128``): a whole
number from 1 to ``HARD_LIMIT``, written in ASCII digits; anything else stops the server at
start with the variable's name. Every request (widget, URL, preset, a teacher's defaults) is
then repaired to these caps by ``lstm_viz.state.repair.make_valid`` before any work is done.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields

HARD_LIMIT = 2**31 - 1  # no cap above this is meant (torch seeds, tensor sizes): a typo


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

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int) or not (
                    1 <= value <= HARD_LIMIT):
                raise ValueError(f"Caps.{f.name}={value!r}: must be a whole number "
                                 f"from 1 to {HARD_LIMIT}")

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
            # isdigit() alone accepts "²" and "١", which int() refuses or reads unexpectedly
            if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= HARD_LIMIT:
                raise ValueError(f"{name}={raw!r}: must be a positive integer "
                                 f"(at most {HARD_LIMIT})")
            values[f.name] = int(raw)
        return cls(**values)
