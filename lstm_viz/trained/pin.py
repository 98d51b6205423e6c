"""The settings that a set of weights fixes, as plain ``{key: value}`` (used by
``lstm_viz.state.repair.make_valid``, which turns every change into a Notice, and by the
sidebar, which disables those controls).

Trained weights fix the module's shape (cell, sizes, layers, directions, bias) and, for a
shipped model, the input as well: sentences tokenised as it was trained, read through its
own ``nn.Embedding``. ``batch_first``, ``dropout`` (off in eval), packing, ``h0``, seed and
device stay free: they do not change what the weights mean.
"""

from __future__ import annotations

from collections.abc import Mapping

from lstm_viz.core.config import RNNConfig
from lstm_viz.trained import MODELS, config, info

SHAPE_KEYS = ("cell", "input_size", "hidden_size", "num_layers", "bias", "bidirectional",
              "proj_size", "nonlinearity")
UPLOAD = "upload"


def is_upload(weights: str) -> bool:
    return isinstance(weights, str) and weights.split(":", 1)[0] == UPLOAD


def shape_values(cfg: RNNConfig) -> dict:
    return {k: getattr(cfg, k) for k in SHAPE_KEYS}


def fixed_values(weights: str, mode: str, uploads: Mapping[str, RNNConfig],
                 max_embedding_dim: int) -> dict | None:
    """{key: value} that ``weights`` fixes; {} for "random"; None for weights not known here
    (an upload from another session, a name no model has)."""
    if weights == "random":
        return {}
    if weights in MODELS:
        meta = info(weights)
        return {**shape_values(config(weights)), "mode": "sentences", "tokens": meta["tokens"],
                "encoding": "embedding", "embedding_dim": meta["embedding_dim"]}
    cfg = uploads.get(weights) if is_upload(weights) else None
    if cfg is None:
        return None
    fixed = shape_values(cfg)
    if mode == "sentences":  # a seeded random nn.Embedding as wide as the weights' H_in
        if cfg.input_size > max_embedding_dim:
            return {**fixed, "mode": "randn"}
        fixed.update(encoding="embedding", embedding_dim=cfg.input_size)
    return fixed
