"""The Lessons page's state: where the student is (``lesson``, ``step``, ``seed`` in the URL),
the configuration a step sets, the question asked of the cached run, and the session's
progress (``st.session_state`` only: nothing is stored on the server).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import streamlit as st

from lstm_viz.core.caps import Caps
from lstm_viz.i18n import t
from lstm_viz.lessons import steps
from lstm_viz.lessons.catalogue import Step
from lstm_viz.lessons.checker import Verdict, check
from lstm_viz.lessons.questions import Question, ask
from lstm_viz.state.pipeline import Run
from ui import run, state
from ui.text import md_escape

log = logging.getLogger("lstm_viz.app")


@dataclass(frozen=True)
class Where:
    lesson: str
    index: int
    seed: int

    @property
    def key(self) -> str:
        return f"{self.lesson}/{self.seed}/{self.index}"


def _step(high: int, notices: list[str]) -> int:
    """``step=`` as a whole number from 0 to ``high`` (repaired with a notice)."""
    raw = state.page_param("step")
    if raw is None:
        return 0
    text = raw.strip()
    if not (text.isascii() and text.isdigit()):
        rule = t("learn.rule.number", state.lang())
    elif int(text) > high:
        rule = t("learn.rule.range", state.lang(), high=high)
    else:
        return int(text)
    used = min(int(text), high) if text.isascii() and text.isdigit() else 0
    notices.append(t("learn.notice.step", state.lang(), value=text[:40], rule=rule, used=used))
    return used


def where() -> Where:
    """The step the URL names, repaired; each repair is a notice, shown until the student
    moves on (a step's first run reruns at once to set its configuration)."""
    notices: list[str] = st.session_state.setdefault("learn_notices", [])
    lesson = state.page_param("lesson") or steps.lesson_ids()[0]
    if lesson not in steps.lesson_ids():  # looked up in a tuple, never used as a path
        notices.append(t("learn.notice.lesson", state.lang(), value=lesson[:40],
                         lessons=", ".join(steps.lesson_ids()), used=steps.lesson_ids()[0]))
        lesson = steps.lesson_ids()[0]
    seed = state.settings().spec.seed if lesson == steps.DRILL else 0  # the drill's: seed=
    index = _step(steps.count(lesson) - 1, notices)
    for text in notices:
        st.warning(md_escape(text), icon=":material/warning:")
    found = Where(lesson, index, seed)
    state.set_page_params(lesson=lesson, step=index)
    return found


def go(lesson: str, index: int = 0) -> None:
    """Move to a step (a callback): the next run sets its configuration."""
    st.session_state.learn_notices = []
    state.set_page_params(lesson=lesson, step=index)


def drill_seed(seed: int) -> None:
    """Start the drill over with another seed (the Settings' seed: the URL's seed=)."""
    state.apply("seed", seed)
    go(steps.DRILL, 0)


def step_of(at: Where, caps: Caps) -> Step:
    return steps.step_of(at.lesson, at.index, at.seed, caps)


def enter(at: Where) -> Step:
    """The step at ``at``; on arriving there, set its configuration and rerun (so that the
    sidebar shows it). A lesson link that carries its own configuration keeps it."""
    step = step_of(at, state.caps())
    if st.session_state.get("lesson_at") == at.key:
        return step
    st.session_state.lesson_at = at.key
    if st.session_state.pop("link_config", False):
        return step
    state.replace(*steps.settings_for(step, state.settings(), state.caps()))
    st.rerun()


def restore(at: Where) -> None:
    """Back to the step's own configuration (a callback)."""
    state.replace(*steps.settings_for(step_of(at, state.caps()), state.settings(), state.caps()))


def changed(step: Step) -> bool:
    """Whether the sidebar's Settings differ from the step's configuration."""
    own, _ = steps.settings_for(step, state.settings(), state.caps())
    return own != state.settings()


def question(step: Step, result: Run) -> Question | None:
    """The step's question asked of the cached run; None (after a message) if it can't be."""
    try:
        return ask(step, result, run.current_module(result.settings).module)
    except (KeyError, IndexError, ValueError, TypeError, AttributeError):
        log.info("lesson step %s/%s cannot be asked here", step.lesson, step.index,
                 exc_info=True)
        return None


def log_of(at: Where) -> dict:
    """This step's record: tries, the last verdict, whether it is right or shown."""
    return st.session_state.setdefault("lesson_log", {}).setdefault(
        at.key, {"tries": 0, "last": None, "done": None})


def done_after(tries: int, right: bool) -> str | None:
    """How a step ends: "right", or "shown" after two readable wrong tries; None: not yet."""
    return "right" if right else ("shown" if tries >= 2 else None)


def submit(at: Where, q: Question, widget: str, after=None) -> None:
    """Check the answer in ``widget`` (a callback): count it, keep the verdict; then
    ``after(at, q, raw, verdict, record)`` (class mode records it) before any feedback."""
    record = log_of(at)
    raw = st.session_state.get(widget, "")
    verdict: Verdict = check(q, raw)
    record["last"] = verdict
    if record["done"]:
        return
    if verdict.counts:
        record["tries"] += 1
        record["done"] = done_after(record["tries"], verdict.status == "right")
    if after is not None:
        after(at, q, raw, verdict, record)


def show(at: Where) -> None:
    """Reveal the answer (a callback: "Show me")."""
    record = log_of(at)
    record["done"] = record["done"] or "shown"
    record["tries"] = max(record["tries"], 1)  # a question shown counts as attempted


def progress() -> tuple[int, int]:
    """(right, attempted) over the session's questions."""
    records = st.session_state.get("lesson_log", {}).values()
    attempted = [r for r in records if r["tries"]]
    return sum(r["done"] == "right" for r in attempted), len(attempted)
