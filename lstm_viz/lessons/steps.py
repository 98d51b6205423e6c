"""Find a step by the URL's ``lesson=`` / ``step=`` / ``seed=``, and the Settings it sets.

A step's configuration is its preset with the step's values changed, repaired to the
deployment's caps like any other request (``make_valid``): the question is then asked of
whatever the module really is, so a teacher's smaller caps change the numbers, never the
correctness. The language, hidden controls, lock and device stay the session's.
"""

from __future__ import annotations

from lstm_viz.core.caps import Caps
from lstm_viz.lessons.catalogue import Step, lessons
from lstm_viz.lessons.drill import MAX_STEP, drill_step
from lstm_viz.state.repair import make_valid
from lstm_viz.state.settings import Notice, Settings, from_preset

DRILL = "drill"
KEEP = ("device", "lang", "hide", "lock")  # the session's, whatever the step


def lesson_ids() -> tuple[str, ...]:
    """Every lesson id the URL accepts: the guided lessons, then the drill."""
    return (*lessons(), DRILL)


def count(lesson: str) -> int:
    """Steps in ``lesson`` (the drill: ``MAX_STEP``, as good as endless)."""
    return MAX_STEP if lesson == DRILL else len(lessons()[lesson].steps)


def step_of(lesson: str, index: int, seed: int = 0, caps: Caps | None = None) -> Step:
    """Step ``index`` of ``lesson`` (for the drill, question ``index`` of ``seed``)."""
    if lesson == DRILL:
        return drill_step(seed, index, caps)
    return lessons()[lesson].steps[index]


def settings_for(step: Step, base: Settings, caps: Caps | None = None
                 ) -> tuple[Settings, list[Notice]]:
    """The Settings ``step`` sets, keeping ``base``'s language, hide, lock and device."""
    s = from_preset(step.preset, **{k: getattr(base, k) for k in KEEP})
    for key, value in step.set.items():
        s = s.set(key, value)
    notices: list[Notice] = []
    return make_valid(s, caps or Caps(), notices), notices
