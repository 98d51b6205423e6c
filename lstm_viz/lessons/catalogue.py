"""The lessons and the misconceptions, as data (``lessons.json``, ``misconceptions.json``).

A ``Step`` is one question of a lesson: the configuration it sets (a preset, with the
values of ``set`` changed), what it asks (``target`` with its ``params``) and the page that
explains it. Texts live in the i18n catalogs: ``lesson.<id>.<step>.say`` / ``.why``.
"""

from __future__ import annotations

import json
import pkgutil
from dataclasses import dataclass, field
from functools import cache


@dataclass(frozen=True)
class Step:
    lesson: str  # a lesson id, or "drill"
    index: int  # 0-based, as in the URL's step=
    name: str  # text key part: lesson.<lesson>.<name>.say
    target: str  # what is asked (lstm_viz.lessons.targets.KINDS)
    preset: str  # the configuration starts from this preset …
    set: dict = field(default_factory=dict)  # … with these values changed (URL key → value)
    params: dict = field(default_factory=dict)  # t, n, k, d, kind, token, unit
    page: str = "shapes"  # the page that explains the answer


@dataclass(frozen=True)
class Lesson:
    id: str
    preset: str
    page: str
    steps: tuple[Step, ...]


def _json(name: str) -> dict:
    return json.loads(pkgutil.get_data(__name__, name).decode("utf-8"))


@cache
def lessons() -> dict[str, Lesson]:
    """Every guided lesson by id, in the order of the articles."""
    out = {}
    for raw in _json("lessons.json")["lessons"]:
        steps = tuple(Step(raw["id"], k, s["name"], s["ask"], s.get("preset", raw["preset"]),
                           s.get("set", {}), s.get("params", {}), s.get("page", raw["page"]))
                      for k, s in enumerate(raw["steps"]))
        out[raw["id"]] = Lesson(raw["id"], raw["preset"], raw["page"], steps)
    return out


@cache
def misconceptions() -> dict[str, dict]:
    """id → {"targets": [...], "when": {...}, "believe": {...} or "answer": ...}."""
    return {k: v for k, v in _json("misconceptions.json").items() if not k.startswith("_")}
