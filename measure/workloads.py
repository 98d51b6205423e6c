"""What the simulated students of measure/load.py do, each over its own websocket session.

* ``calm``: the earlier classroom profile. A student opens one of two links
  (``CALM_LINKS``: official, medium), alternately, and makes ``changes`` sidebar changes
  separated by 0.5-1.5 × ``think`` seconds: a new seed, then the other hidden_size, so that
  every run misses the caches.
* ``class`` (issue 15): a student opens a random page of Gates / Hidden states / Shapes /
  Packing with a random preset, then every 2-8 s (``pace``) does one of: go to another of
  those pages (1/4), pick another preset (1/4), or change one enabled sidebar control
  (1/2: hidden_size, num_layers, seed, bidirectional, cell; sequence length and batch for a
  random-tensor input). Every change is checked: the page's title, or the Settings the app
  wrote into the URL, must show it.

* ``--trainings K`` (issue 21, beside either): K people each watching a training of their
  own on the Train page, as a browser does: open ``/train`` with their settings
  (``TRAINING``, a seed each), press Start, then rerun its live fragment at the period it
  asks for (twice a second) until the class is done; a training that ends is followed by
  the next seed's. Their polls are timed as the kind "trainer", apart from the class.

Latency: from sending the rerun to its script_finished (serving/stclient.py).
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from lstm_viz.core.caps import Caps
from lstm_viz.i18n import t
from lstm_viz.state.presets import PRESETS
from lstm_viz.state.query import from_query
from serving.stclient import Session, balancer_cookie

CALM_LINKS = {
    "official": "preset=official",  # LSTM(10, 20, 2) on randn(5, 3, 10)
    "medium": "preset=official&input_size=64&hidden_size=128&seq_len=32&batch=16"
              "&bidirectional=true",  # LSTM(64, 128, 2, bidirectional) on randn(32, 16, 64)
}  # medium is about half the classroom caps in every dimension
HIDDEN = {"official": (24, 28), "medium": (128, 96)}  # hidden_size toggles between these
CLASS_PAGES = ("gates", "states", "shapes", "packing")
PRESET_NAMES = {t(f"preset.{name}.title", "en"): name for name in PRESETS}
CONTROLS = {  # sidebar control → a random value a student might pick
    "hidden_size": lambda rng: rng.randint(4, 96), "num_layers": lambda rng: rng.randint(1, 3),
    "seed": lambda rng: rng.randint(0, 9999), "bidirectional": lambda rng: rng.random() < 0.5,
    "cell": lambda rng: rng.choice(("LSTM", "GRU", "RNN")),
    "seq_len": lambda rng: rng.randint(2, 32), "batch": lambda rng: rng.randint(1, 16),
}


@dataclass
class Student(Session):
    """A session plus what a load row reports: the link or kind of each run's latency."""

    kind: str = ""  # calm: the link ("official", "medium"); class: "class"
    replica: str = ""  # behind the balancer: the replica its LVSERVER cookie names
    times: dict = field(default_factory=dict)  # kind → seconds of each change
    changes: list = field(default_factory=list)  # (sent at, seconds, what), monotonic clock

    progress: str = ""  # trainer: the last status line of its training
    trainings: int = 0  # trainer: trainings started

    def took(self, seconds: float, what: str = "") -> None:
        self.times.setdefault(self.kind, []).append(seconds)
        self.changes.append((time.monotonic() - seconds, seconds, what))

    def _element(self, element, path: tuple) -> None:
        super()._element(element, path)
        if element.WhichOneof("type") == "progress":
            self.progress = element.progress.text


async def _open(s: Student, replica: str | None, page: str = "") -> None:
    """Connect (through the balancer's cookie when ``replica`` is not None) and run once."""
    if replica is not None:
        s.replica = replica or balancer_cookie(s.url, s.query)
    s.ws = await s.connect(s.replica or None)
    await s.rerun(page=page)


async def _close(s: Student) -> None:
    if s.ws is not None:
        await s.ws.close()


async def calm_student(url: str, index: int, link: str, changes: int, think: float,
                       rng: random.Random, replica: str | None = None) -> Student:
    """The calm profile: even changes a new seed, odd ones the other hidden_size."""
    s = Student(url, index, query=CALM_LINKS[link], kind=link)
    try:
        await _open(s, replica)
        for k in range(changes):
            await asyncio.sleep(rng.uniform(0.5, 1.5) * think)
            if k % 2 == 0:
                name, value = "seed", 1000 * (index + 1) + k + 1  # never seen: no cache hit
            else:
                name, value = "hidden_size", HIDDEN[link][(k // 2 + 1) % 2]
            s.took(await s.rerun(s.states({name: value})), name)
            if f"{name}={value}" not in s.query.split("&"):  # it really reached the app
                s.errors.append(f"change {k} not applied: ?{s.query}")
    except Exception as err:  # a disconnect or a timeout is a result, not a crash
        s.errors.append(f"{type(err).__name__}: {err}")
    finally:
        await _close(s)
    return s


def _settings(s: Session):
    return from_query(parse_qs(s.query), Caps())[0]


async def _class_change(s: Student, rng: random.Random) -> None:
    """One random change of the class profile, timed and checked."""
    roll = rng.random()
    if roll < 0.25:
        page = rng.choice([p for p in CLASS_PAGES if p != s.page])
        s.took(await s.rerun(page=page), f"page {page}")
        if s.title != t(f"page.{page}", "en"):
            s.errors.append(f"page {page} not shown: {s.title!r}")
        return
    if roll < 0.5 and "preset" in s.widgets:
        label = rng.choice([o for o in s.widgets["preset"].options
                            if PRESET_NAMES.get(o) != _settings(s).preset])
        s.took(await s.rerun(s.states({"preset": label})), f"preset {PRESET_NAMES[label]}")
        if _settings(s).preset != PRESET_NAMES[label]:
            s.errors.append(f"preset {PRESET_NAMES[label]} not applied: ?{s.query}")
        return
    names = [n for n in CONTROLS if n in s.widgets and not s.widgets[n].disabled]
    name = rng.choice(names)
    value = CONTROLS[name](rng)
    s.took(await s.rerun(s.states({name: value})), f"{name}={value} on {s.page}")
    if _settings(s).get(name) != value:
        s.errors.append(f"{name}={value} not applied: ?{s.query}")


async def class_student(url: str, index: int, changes: int, pace: tuple[float, float],
                        rng: random.Random, replica: str | None = None) -> Student:
    """The class profile: a random page and preset, then ``changes`` random changes."""
    s = Student(url, index, query=f"preset={rng.choice(list(PRESETS))}", kind="class")
    try:
        await _open(s, replica, page=rng.choice(CLASS_PAGES))
        for _ in range(changes):
            await asyncio.sleep(rng.uniform(*pace))
            await _class_change(s, rng)
    except Exception as err:  # a disconnect or a timeout is a result, not a crash
        s.errors.append(f"{type(err).__name__}: {err}")
    finally:
        await _close(s)
    return s


TRAINING = "t_epochs={epochs}&t_seed={seed}"  # the memory race, longer: it outlasts a row


async def trainer_student(url: str, index: int, stop: asyncio.Event, epochs: int = 40,
                          replica: str | None = None) -> Student:
    """Someone watching trainings of their own (seeds 1000·(index + 1), then + 1, + 2 …:
    never another trainer's) until ``stop``."""
    seed = 1000 * (index + 1)
    s = Student(url, index, query=TRAINING.format(epochs=epochs, seed=seed), kind="trainer")
    try:
        await _open(s, replica, page="train")
        while not stop.is_set():
            if s.auto_rerun:  # training: the browser reruns the live fragment
                fragment, period = next(iter(s.auto_rerun.items()))
                await asyncio.sleep(period)
                s.took(await s.rerun(fragment=fragment), "poll")
                continue
            if s.trainings:  # it ended: the next seed's
                seed += 1
                await s.rerun(s.states({"t_seed": seed}))
            await s.rerun(s.press("train_start"))
            s.trainings += 1
            if not s.auto_rerun:
                s.errors.append(f"training {seed} did not start: {s.progress!r}")
                return s
    except Exception as err:  # a disconnect or a timeout is a result, not a crash
        s.errors.append(f"{type(err).__name__}: {err}")
    finally:
        await _close(s)
    return s
