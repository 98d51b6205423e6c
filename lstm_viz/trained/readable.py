"""Find, from the data, a unit whose behaviour a student can read off the heatmaps.

Nothing is hand-picked: every unit of every candidate value (h, c, the gates) is scored on
a probe set and the best one is reported with its score:

- ``depth``: Pearson r between the unit's value at each token and the bracket depth there;
- ``label``: Pearson r between the unit's value after the last token and the sentence's
  label (1 positive, 0 negative);
- ``first``: Pearson r between the unit's value after the last token and whether the first
  word was one class ("cat"), for the class it tells best (memory);
- ``trigger``: how far the unit moves at a trigger token ("not"): Cohen's d between its
  values at that token and at every other real token (pooled standard deviation).

Values come from ``Trace.step_values``: (N, L, units), NaN past a packed sentence's length.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from lstm_viz.i18n import t

STATES = ("h", "c")
GATES = {"LSTM": ("i", "f", "o"), "GRU": ("r", "z"), "RNN": ("h",)}  # RNN: no gate, h itself


@dataclass(frozen=True)
class Finding:
    """One readable unit: ``values[kind][..., unit]`` and what it does."""

    kind: str  # "h", "c", "i", "f", "o", "r", "z"
    unit: int  # index along the last dimension (H_out for h, H_cell otherwise)
    measure: str  # "depth", "label" or "trigger"
    score: float  # r for depth/label, Cohen's d for trigger
    token: str = ""  # trigger token
    at: float = math.nan  # trigger: mean value at the token
    elsewhere: float = math.nan  # trigger: mean value at every other token

    def as_dict(self) -> dict:
        return {k: (round(v, 6) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def _pearson(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """r of each column of x (M, units) with y (M,); 0 for a constant column."""
    xc, yc = x - x.mean(0), y - y.mean()
    den = np.sqrt((xc**2).sum(0) * (yc**2).sum())
    return np.divide((xc * yc[:, None]).sum(0), den, out=np.zeros(x.shape[1]), where=den > 0)


def _best(scores: dict[str, np.ndarray]) -> tuple[str, int, float]:
    """(kind, unit, score) with the largest |score|; ties go to the first kind and unit."""
    kind = max(scores, key=lambda k: np.abs(scores[k]).max())
    unit = int(np.abs(scores[kind]).argmax())
    return kind, unit, float(scores[kind][unit])


def depth_finding(values: dict[str, np.ndarray], depth: np.ndarray) -> Finding:
    """The state unit (h or c) that best follows ``depth`` (N, L), NaN where padded."""
    real = ~np.isnan(depth)
    scores = {k: _pearson(values[k][real], depth[real]) for k in STATES if k in values}
    kind, unit, r = _best(scores)
    return Finding(kind, unit, "depth", r)


def label_finding(values: dict[str, np.ndarray], lengths: np.ndarray,
                  labels: np.ndarray) -> Finding:
    """The state unit whose value after each sentence's last token best follows ``labels``."""
    rows = np.arange(len(lengths))
    scores = {k: _pearson(values[k][rows, lengths - 1], labels.astype(float))
              for k in STATES if k in values}
    kind, unit, r = _best(scores)
    return Finding(kind, unit, "label", r)


def first_finding(values: dict[str, np.ndarray], lengths: np.ndarray, labels: np.ndarray,
                  classes: tuple[str, ...]) -> Finding:
    """The state unit whose value after the last token best tells one class from the rest."""
    rows = np.arange(len(lengths))
    best = None
    for k, name in enumerate(classes):
        scores = {kind: _pearson(values[kind][rows, lengths - 1], (labels == k).astype(float))
                  for kind in STATES if kind in values}
        kind, unit, r = _best(scores)
        if best is None or abs(r) > abs(best.score):
            best = Finding(kind, unit, "first", r, name)
    return best


def trigger_finding(values: dict[str, np.ndarray], tokens: list[list[str]],
                    triggers: tuple[str, ...], kinds: tuple[str, ...]) -> Finding:
    """The unit of ``kinds`` that moves most (|Cohen's d|) at a token of ``triggers``."""
    L = next(iter(values.values())).shape[1]
    best = None
    for token in triggers:
        at = np.array([[s[i] == token if i < len(s) else False for i in range(L)]
                       for s in tokens])  # (N, L)
        other = np.array([[i < len(s) and s[i] != token for i in range(L)] for s in tokens])
        if not at.any() or not other.any():
            continue
        for kind in kinds:
            a, b = values[kind][at], values[kind][other]  # (M_at, units), (M_other, units)
            pooled = np.sqrt((a.var(0) * len(a) + b.var(0) * len(b)) / (len(a) + len(b)))
            d = np.divide(a.mean(0) - b.mean(0), pooled, out=np.zeros(a.shape[1]),
                          where=pooled > 1e-12)
            unit = int(np.abs(d).argmax())
            if best is None or abs(d[unit]) > abs(best.score):
                best = Finding(kind, unit, "trigger", float(d[unit]), token,
                               float(a[:, unit].mean()), float(b[:, unit].mean()))
    if best is None:
        raise ValueError(f"none of {triggers} occurs in the probe sentences")
    return best


def sentence(finding: Finding | dict, lang: str = "en") -> str:
    """What the unit does, in ``lang``: "Unit 3 of c tracks the bracket depth (r = 0.97)."."""
    f = Finding(**finding) if isinstance(finding, dict) else finding
    up = "up" if f.score > 0 else "down"
    return t(f"trained.readable.{f.measure}", lang, unit=f.unit,
             kind=t(f"trained.kind.{f.kind}", lang), score=f"{f.score:.2f}", token=f.token,
             at=f"{f.at:.2f}", elsewhere=f"{f.elsewhere:.2f}",
             moves=t(f"trained.{'rises' if f.score > 0 else 'drops'}", lang),
             direction=t(f"trained.direction.{f.measure}.{up}", lang))
