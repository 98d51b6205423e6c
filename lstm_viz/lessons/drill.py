"""The endless drill: seeded random configurations, one shape question each.

``drill_step(seed, index, caps)`` is a pure function of its arguments, so every student who
opens ``?lesson=drill&seed=K`` meets the same sequence; K is also the module's ``seed`` (the
Settings' own URL key), so everyone gets the same weights too. Sizes stay small (so the numbers
can be told apart) and within the classroom ``caps``; packed batches are sentences of
token ids (``tokens="ids"`` + ``nn.Embedding``) of random lengths, the longest one L long.
"""

from __future__ import annotations

import random

from lstm_viz.core.caps import Caps
from lstm_viz.core.config import CELLS
from lstm_viz.lessons.catalogue import Step

MAX_STEP = 10**6  # the drill's step= never goes further
SMALL = 12  # the largest size drawn (if the caps allow): a shape stays readable


def _sizes(rng: random.Random, caps: Caps) -> dict:
    cell = rng.choice(CELLS)
    hidden = rng.randint(1, min(SMALL, caps.max_hidden_size))
    proj = rng.randint(1, hidden - 1) if cell == "LSTM" and hidden > 1 and rng.random() < 0.3 else 0
    return {"cell": cell, "hidden_size": hidden, "proj_size": proj,
            "num_layers": rng.randint(1, min(3, caps.max_layers)),
            "bidirectional": rng.random() < 0.5, "batch_first": rng.random() < 0.5,
            "dropout": 0.0, "bias": True, "nonlinearity": "tanh"}


def _batch(rng: random.Random, caps: Caps, packed: bool) -> dict:
    N = rng.randint(1, min(6, caps.max_batch))
    L = rng.randint(1, min(8, caps.max_seq_len))
    embedding_dim = rng.randint(1, min(SMALL, caps.max_embedding_dim))
    if not packed:  # embedding_dim unused, but within the caps too
        return {"mode": "randn", "batch": N, "seq_len": L, "packed": False, "total_length": 0,
                "input_size": rng.randint(1, min(SMALL, caps.max_input_size)),
                "embedding_dim": embedding_dim}
    top = max(1, min(9, caps.max_vocab))
    lengths = [L] + [rng.randint(1, L) for _ in range(N - 1)]
    rng.shuffle(lengths)
    text = "\n".join(" ".join(str(rng.randint(1, top)) for _ in range(n)) for n in lengths)
    extra = rng.choice((0, 0, 1, 2))
    total = L + extra if extra and L + extra <= caps.max_seq_len else 0
    return {"mode": "sentences", "sentences": text, "tokens": "ids", "encoding": "embedding",
            "num_embeddings": 0, "embedding_dim": embedding_dim,
            "packed": True, "enforce_sorted": False, "total_length": total}


def targets_for(values: dict) -> list[str]:
    """The shape questions a configuration allows (every one answerable from one run)."""
    out = ["input", "output", "h_0", "h_n", "weight_ih_l0", "weight_hh_l0"]
    if values["cell"] == "LSTM":
        out += ["c_0", "c_n"]
    if values["num_layers"] > 1:
        out.append("weight_ih_l1")
    if values["bidirectional"]:
        out.append("weight_ih_l0_reverse")
    if values["proj_size"]:
        out.append("weight_hr_l0")
    if values["packed"]:
        out += ["packed_data", "batch_sizes"]
    return out


def drill_step(seed: int, index: int, caps: Caps | None = None) -> Step:
    """Question ``index`` of drill ``seed``: a random configuration and one shape target."""
    caps = caps or Caps()
    rng = random.Random(f"lstm-viz drill {seed} {index}")
    values = {**_sizes(rng, caps), **_batch(rng, caps, rng.random() < 0.35), "h0": "randn",
              "seed": min(seed, caps.max_seed - 1)}  # the URL's seed=: the weights' seed too
    target = rng.choice(targets_for(values))
    return Step("drill", index, "drill", target, "official", values, {}, "shapes")
