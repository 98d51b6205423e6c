"""The Train page's own URL keys: every setting of a training, so that a teacher's link starts
the same training for the whole class (``lstm_viz.training.registry``: one run per settings).

    /train?t_view=race                              the shipped memory models' recipe
    /train?t_cells=RNN,LSTM&t_forget=0&t_epochs=20  the LSTM without its open forget gate

``t_task``, ``t_cells`` (``RNN,GRU,LSTM`` or a part), ``t_hidden``, ``t_embedding``,
``t_optimizer``, ``t_lr``, ``t_batch``, ``t_epochs``, ``t_clip``, ``t_forget``, ``t_distance``,
``t_unk``, ``t_seed``: the fields of ``TrainSettings``. A value that is no number, or names
nothing, keeps the view's value; a number out of range goes to the nearest bound
(``lstm_viz.training.repair``); each with a notice.
"""

from __future__ import annotations

import math
from dataclasses import asdict, replace

from lstm_viz.core.notice import Notice
from lstm_viz.state.page_spec import PageKey, PageKeys
from lstm_viz.training.settings import CELLS, CHOICES, TrainSettings, repair

FIELDS = {  # URL key → TrainSettings field
    "t_task": "task", "t_cells": "cells", "t_hidden": "hidden_size",
    "t_embedding": "embedding_dim", "t_optimizer": "optimizer", "t_lr": "lr",
    "t_batch": "batch_size", "t_epochs": "epochs", "t_clip": "clip", "t_forget": "forget_bias",
    "t_distance": "max_distance", "t_unk": "unk_rate", "t_seed": "seed",
}
KEYS = {field: key for key, field in FIELDS.items()}
MAX_CHARS = 32  # no value needs more


def _number(raw: str) -> float | int:
    """A finite number as typed (ranges are ``repair``'s): 12, 0.02, 2e-3."""
    text = raw.strip()
    if len(text) > MAX_CHARS or not text.isascii():
        raise ValueError("expected a number")
    value = float(text)  # ValueError for text
    if not math.isfinite(value):
        raise ValueError("expected a finite number")
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _choice(field: str):
    def parse(raw: str) -> str:
        match = {c.lower(): c for c in CHOICES[field]}.get(raw.strip().lower()[:MAX_CHARS])
        if match is None:
            raise ValueError(f"expected one of {', '.join(CHOICES[field])}")
        return match
    return parse


def _cells(raw: str) -> tuple[str, ...]:
    given = {part.strip().upper() for part in raw[: 4 * MAX_CHARS].split(",") if part.strip()}
    cells = tuple(c for c in CELLS if c in given)
    if not cells or len(cells) != len(given):
        raise ValueError(f"expected some of {', '.join(CELLS)}, separated by commas")
    return cells


def _text(field: str):
    def text(value) -> str:
        if field == "cells":
            return ",".join(value)
        return f"{value:g}" if isinstance(value, float) else str(value)
    return text


def values_of(settings: TrainSettings) -> dict:
    """The page's values (URL key → value) of ``settings``."""
    return {KEYS[field]: value for field, value in asdict(settings).items()}


def settings_of(values: dict) -> TrainSettings:
    """The TrainSettings the page's values hold (the view key aside)."""
    return TrainSettings(**{field: values[key] for key, field in FIELDS.items()})


def _repair(values: dict, notices: list[Notice]) -> dict:
    fixed, found = repair(settings_of(values))
    notices += [Notice(KEYS[n.arg], n.value, n.rule, n.used) for n in found]
    return {**values, **values_of(fixed)}


def _view(**changes) -> dict:
    return values_of(replace(TrainSettings(), **changes))


def _parser(field: str):
    if field in CHOICES:
        return _choice(field)
    return _cells if field == "cells" else _number


TRAIN = PageKeys(
    page="train", view_key="t_view",
    keys=tuple(PageKey(key, _parser(field), _text(field)) for key, field in FIELDS.items()),
    views={"race": _view(),  # the shipped memory models' recipe: three cells, 12 epochs
           "no-forget-bias": _view(forget_bias=0.0, epochs=20),  # the LSTM's gate shut
           "short": _view(max_distance=10, epochs=8),  # a short memory: the RNN learns too
           "sgd": _view(optimizer="SGD", lr=0.5, epochs=20),  # plain gradient descent
           "sentiment": values_of(TrainSettings.shipped("sentiment")),
           "brackets": values_of(TrainSettings.shipped("brackets"))},
    repair=_repair)
