"""What the simulated class of ``python measure/load.py --workload classroom`` does (issue 20).

Every student speaks Streamlit's websocket protocol (serving/stclient.py) as a browser does,
on the Lessons page of lesson 000 (10 steps): every 5-15 s (``pace``) it answers the step —
right, the answer of a named misconception, or an answer nobody foresaw — and answers again
(right) after a wrong one, then presses Next. In class mode its URL carries the class and
the student (``/learn?class=…&student=…``) and, as a browser's timer would, it reruns the
page's polling fragment every 3 s; without class mode (the baseline) the same student does
the same lesson on its own. The teacher's dashboard (``/teach?class=…&key=…``) reruns its
fragment every 2 s and notes what it showed.

A connection that breaks (a replica killed) is opened again through the balancer with the
same URL, as Streamlit's front end does: the student goes on as themselves on the live
replica. An answer whose feedback never came is counted as unconfirmed and answered again.
Latency: from sending the Check to its script_finished (the feedback), as in load.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from dataclasses import dataclass, field

from websockets.exceptions import ConnectionClosed

from lstm_viz.i18n import t
from lstm_viz.lessons.checker import shape_text
from lstm_viz.lessons.questions import ask
from lstm_viz.lessons.steps import count, settings_for, step_of
from lstm_viz.state.pipeline import build, run
from lstm_viz.state.settings import from_preset
from measure.workloads import Student
from serving.stclient import balancer_cookie

LESSON = "000-shapes"
POLL_S = 3.0  # the students' fragment (ui/class_learn.py POLL_S)
BROKEN = (OSError, asyncio.TimeoutError, ConnectionError, ConnectionClosed)


@dataclass(frozen=True)
class Key:
    """What a student may type at one step: right, the named misconceptions, an unknown."""

    kind: str
    right: str
    named: tuple[str, ...]
    unknown: str


def _typed(kind: str, value) -> str:
    if kind == "shape":
        return shape_text(value)
    if kind == "choice":
        return t(f"lesson.option.{value}", "en")  # the radio's option as shown
    return str(value)


def answer_key(lesson: str = LESSON) -> list[Key]:
    """Every step's answers, from the real module (as the page asks them)."""
    keys = []
    for k in range(count(lesson)):
        step = step_of(lesson, k)
        s, _ = settings_for(step, from_preset("official"))
        built = build(s)
        q = ask(step, run(s, built), built.module)
        if q.kind == "choice":
            unknown = next(o for o in q.options if o != q.expected)
        elif q.kind == "shape":
            unknown = (q.expected[0] + 7, *q.expected[1:])
        else:
            unknown = q.expected + 7
        keys.append(Key(q.kind, _typed(q.kind, q.expected),
                        tuple(_typed(q.kind, w) for w in q.wrong.values()),
                        _typed(q.kind, unknown)))
    return keys


@dataclass
class ClassStudent(Student):
    confirmed: int = 0  # answers whose feedback came back
    unconfirmed: int = 0  # answers sent when the connection broke: stored or not
    reconnects: int = 0
    polls: list = field(default_factory=list)  # seconds of each fragment rerun
    class_mode: bool = True
    last_poll: float = 0.0  # monotonic time of the last fragment rerun
    said: list = field(default_factory=list)  # (step, typed) of every confirmed answer

    @property
    def token(self) -> str:
        """The student token in the URL (class mode)."""
        return next((p[8:] for p in self.query.split("&") if p.startswith("student=")), "")

    def state(self, key: str, value=None):
        """A widget state for the widget with this key: a value, or a button's trigger."""
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        kind, wid = self.keyed[key]
        state = WidgetState(id=wid)
        if kind == "button":
            state.trigger_value = True
        else:
            state.string_value = str(value)
        return state

    async def reopen(self) -> None:
        """Connect again through the balancer with the same URL (a failover)."""
        self.reconnects += 1
        if self.ws is not None:
            with contextlib.suppress(Exception):  # already broken
                await self.ws.close()
        for attempt in range(20):
            try:
                self.replica = await asyncio.to_thread(balancer_cookie, self.url, self.query)
                self.ws = await self.connect(self.replica)
                await self.rerun(page="learn" if self.kind != "teacher" else "teach")
                return
            except (*BROKEN, KeyError):
                await asyncio.sleep(0.5 + attempt * 0.25)
        raise ConnectionError("no replica answered after 20 tries")

    async def safely(self, states=None, fragment=None) -> float | None:
        """A rerun; None (after reconnecting) when the connection broke under it."""
        try:
            return await self.rerun(states, fragment=fragment or "")
        except BROKEN:
            await self.reopen()
            return None

    async def wait(self, seconds: float) -> None:
        """Think for ``seconds``; in class mode the polling fragment reruns every 3 s."""
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            due = self.last_poll + POLL_S - time.monotonic()
            if not self.class_mode or not self.auto_rerun or due > left:
                await asyncio.sleep(left)
                return
            await asyncio.sleep(max(due, 0))
            fragment = next(iter(self.auto_rerun))
            took = await self.safely(fragment=fragment)
            self.last_poll = time.monotonic()
            if took is not None:
                self.polls.append(took)


def _choose(key: Key, attempt: int, rng: random.Random) -> str:
    if attempt > 0:
        return key.right
    roll = rng.random()
    if roll < 0.5:
        return key.right
    if roll < 0.8 and key.named:
        return rng.choice(key.named)
    return key.unknown


async def answer(s: ClassStudent, k: int, typed: str) -> bool | None:
    """Check ``typed`` at step ``k``: True right, False wrong, None: not confirmed."""
    where = f"{LESSON}/0/{k}"
    if f"learn_check_{where}" not in s.keyed:
        return True  # answered already (restored after a failover): done
    took = await s.safely([s.state(f"learn_answer_{where}", typed),
                           s.state(f"learn_check_{where}")])
    if took is None:
        s.unconfirmed += 1
        return None
    formats = {fmt for fmt, _ in s.alerts}
    if not formats:
        s.errors.append(f"step {k}: no feedback for {typed!r}")
        return None
    s.took(took, f"answer {k}")
    s.confirmed += 1
    s.said.append((k, typed))  # lesson 000's options show as their ids (yes, no)
    return f"learn_check_{where}" not in s.keyed  # the form is gone: right (or shown)


async def student(url: str, index: int, query: str, keys: list[Key],
                  pace: tuple[float, float], rng: random.Random, class_mode: bool
                  ) -> ClassStudent:
    """One student through the lesson: think, answer (again after a wrong one), Next."""
    s = ClassStudent(url, index, query=query, kind="class" if class_mode else "alone",
                     class_mode=class_mode)
    try:
        s.replica = await asyncio.to_thread(balancer_cookie, url, query)
        s.ws = await s.connect(s.replica)
        await s.rerun(page="learn")
        s.last_poll = time.monotonic()
        for k, key in enumerate(keys):
            for attempt in range(3):
                await s.wait(rng.uniform(*pace))
                done = await answer(s, k, _choose(key, attempt, rng))
                if done:
                    break
            if k + 1 < len(keys):
                await s.wait(rng.uniform(1.0, 3.0))
                while await s.safely([s.state("learn_next")]) is None:
                    pass  # broken under the click: once more on the live replica
                if f"step={k + 1}" not in s.query.split("&"):
                    s.errors.append(f"Next from step {k} not applied: ?{s.query}")
    except Exception as err:  # a result, not a crash
        s.errors.append(f"{type(err).__name__}: {err}")
    finally:
        if s.ws is not None:
            await s.ws.close()
    return s


@dataclass
class Dashboard:
    """The teacher's dashboard: every refresh's (finish time, answers shown, seconds)."""

    refreshes: list = field(default_factory=list)
    errors: list = field(default_factory=list)


async def teacher(url: str, query: str, stop: asyncio.Event) -> Dashboard:
    """Keep the dashboard open, rerunning its fragment every time it asks (2 s)."""
    board = Dashboard()
    s = ClassStudent(url, 0, query=query, kind="teacher")
    try:
        s.replica = await asyncio.to_thread(balancer_cookie, url, query)
        s.ws = await s.connect(s.replica)
        await s.rerun(page="teach")
        while not stop.is_set():
            every = next(iter(s.auto_rerun.values()), 2.0)  # seconds
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)
            took = await s.safely(fragment=next(iter(s.auto_rerun)))
            if took is not None and t("teach.answers", "en") in s.metrics:
                board.refreshes.append((time.time(), int(s.metrics[t("teach.answers", "en")]),
                                        took))
    except Exception as err:
        board.errors.append(f"{type(err).__name__}: {err}")
    finally:
        board.errors += s.errors
        if s.ws is not None:
            await s.ws.close()
    return board
