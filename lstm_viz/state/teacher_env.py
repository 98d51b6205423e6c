"""A deployment's teacher settings: every ``LSTM_VIZ_*`` environment variable, read in one place.

``read(environ)`` checks them all and raises one ``TeacherEnvError`` that lists every
problem (variable, value, rule), so ``scripts/serve.py`` refuses to start a misconfigured
server instead of a student meeting the problem at the first click. A name that starts
with ``LSTM_VIZ_`` but is not listed here is an error too: ``LSTM_VIZ_MAX_HIDEN_SIZE=64``
must not quietly leave the cap at 256.

``url_defaults(params, environ)`` is what the app does with the same variables on each new
session: the deployment's preset, language, hidden controls, lock and device become the
query-string defaults (the URL's own values win), except that a locked deployment
(``LSTM_VIZ_LOCK=1``) also pins its preset, hidden controls and lock over the URL. It never
raises: the app repairs a bad value with a notice (``lstm_viz.state.query.from_query``).
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields

from lstm_viz.classroom import config as class_config
from lstm_viz.core.caps import Caps
from lstm_viz.state.page_keys import page_keys
from lstm_viz.state.presets import PRESETS
from lstm_viz.state.sanitize import DEVICE
from lstm_viz.state.settings import HIDEABLE, LANGS
from lstm_viz.training.registry import read_env as read_trainings

PREFIX = "LSTM_VIZ_"
CAP_VARS = {f"{PREFIX}{f.name.upper()}": f.name for f in fields(Caps)}
URL_KEYS = ("preset", "lang", "hide", "lock", "device")  # set by LSTM_VIZ_<KEY>
THREADS_VAR = f"{PREFIX}TORCH_THREADS"
MAX_THREADS = 256
LOCK_VALUES = {"1": True, "true": True, "0": False, "false": False}
PINNED_WHEN_LOCKED = ("preset", "hide", "lock")
KEPT_WHEN_LOCKED = ("lang", "device")  # a student's own language and device stay theirs
# LSTM_VIZ_* names that other parts of the repository read; not teacher settings.
USED_ELSEWHERE = {
    f"{PREFIX}CHROMIUM": "the Chromium for PNG/SVG exports (lstm_viz/io/static_image.py)",
    f"{PREFIX}BROWSER_URL": "browser tests against a running app (tests/browser)",
    f"{PREFIX}FUZZ_EXAMPLES": "examples per fuzz test (tests/test_hostile.py)",
    f"{PREFIX}FUZZ_APP_EXAMPLES": "examples per app fuzz test (tests/test_hostile_app.py)",
    f"{PREFIX}APP1": "first app replica for HAProxy (deploy/haproxy)",
    f"{PREFIX}APP2": "second app replica for HAProxy (deploy/haproxy)",
    f"{PREFIX}LB_PORT": "HAProxy's listening port (deploy/haproxy)",
    f"{PREFIX}LB_ADDR": "HAProxy's listening address (deploy/haproxy)",
    f"{PREFIX}WARM": "0: serve.py does not warm the presets after a start (serving/warm.py)",
    f"{PREFIX}FLOOR_DIR": "the recorded pages the floor page replays (measure/server_cpu.py)",
}
# Trainings on this server (lstm_viz.training.registry.read_env): how many at once, and where.
TRAINING_VARS = (f"{PREFIX}MAX_TRAININGS", f"{PREFIX}TRAINING_WORKERS")
KNOWN = (*CAP_VARS, *(f"{PREFIX}{k.upper()}" for k in URL_KEYS), THREADS_VAR, *USED_ELSEWHERE,
         *TRAINING_VARS, *class_config.VARIABLES)  # class mode's: lstm_viz.classroom.config


@dataclass(frozen=True)
class Problem:
    """One refused variable: ``LSTM_VIZ_LANG='fr': must be one of en, zh``."""

    name: str
    value: str
    rule: str

    def __str__(self) -> str:
        return f"{self.name}={self.value!r}: {self.rule}"


class TeacherEnvError(ValueError):
    """Every invalid ``LSTM_VIZ_*`` variable at once; ``str()`` lists one per line."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"invalid teacher settings ({len(problems)}):\n{lines}")


@dataclass(frozen=True)
class TeacherEnv:
    """The checked settings of one deployment (None: not set, the app's own default)."""

    caps: Caps = field(default_factory=Caps)
    preset: str | None = None
    lang: str | None = None  # None: follow the browser
    hide: tuple[str, ...] = ()
    lock: bool = False
    device: str | None = None
    torch_threads: int = 1
    max_trainings: int | None = None  # None: one per core
    training_workers: str | None = None  # None: the default ("process")

    def query_defaults(self) -> dict[str, list[str]]:
        """These settings as the app's query-string defaults (what ``url_defaults`` adds)."""
        values = {"preset": self.preset, "lang": self.lang, "hide": ",".join(self.hide),
                  "lock": "1" if self.lock else "", "device": self.device}
        return {k: [v] for k, v in values.items() if v}


def _text(environ: Mapping[str, str], key: str) -> str:
    return environ.get(f"{PREFIX}{key.upper()}", "").strip()


def _check_caps(environ: Mapping[str, str], problems: list[Problem]) -> Caps:
    values = {}
    for name, attr in CAP_VARS.items():
        if name in environ:
            try:  # one variable at a time, so that every bad one is reported
                values[attr] = getattr(Caps.from_env({name: environ[name]}), attr)
            except ValueError as err:  # "NAME='value': rule" → the rule
                said = f"{name}={environ[name].strip()!r}: "
                problems.append(Problem(name, environ[name], str(err).removeprefix(said)))
    return Caps(**values)


def _check_choice(environ, key: str, allowed, problems: list[Problem]) -> str | None:
    raw = _text(environ, key)
    if raw and raw.lower() not in allowed:
        problems.append(Problem(f"{PREFIX}{key.upper()}", raw,
                                f"must be one of {', '.join(allowed)}"))
        return None
    return raw.lower() or None


def _check_hide(environ, problems: list[Problem]) -> tuple[str, ...]:
    names = [h.strip() for h in _text(environ, "hide").split(",") if h.strip()]
    bad = [h for h in names if h not in HIDEABLE]
    if bad:
        problems.append(Problem(f"{PREFIX}HIDE", _text(environ, "hide"),
                                f"not a control name: {', '.join(bad)}; comma-separated names "
                                f"from {', '.join(HIDEABLE)}"))
    return tuple(dict.fromkeys(h for h in names if h in HIDEABLE))


def _check_device(environ, problems: list[Problem]) -> str | None:
    raw = _text(environ, "device").lower()
    if raw and not DEVICE.fullmatch(raw):
        problems.append(Problem(f"{PREFIX}DEVICE", raw, "must be cpu, cuda, cuda:<k> or mps"))
        return None
    return raw or None


def _check_threads(environ, problems: list[Problem]) -> int:
    if THREADS_VAR not in environ:
        return 1
    raw = environ[THREADS_VAR].strip()
    if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_THREADS:
        return int(raw)
    problems.append(Problem(THREADS_VAR, environ[THREADS_VAR],
                            f"must be a whole number from 1 to {MAX_THREADS}"))
    return 1


def _check_trainings(environ, problems: list[Problem]) -> dict:
    """LSTM_VIZ_MAX_TRAININGS and LSTM_VIZ_TRAINING_WORKERS, each checked as the training
    registry reads it; {"max_trainings": …, "training_workers": …} for those set and valid."""
    found = {}
    for name, key in zip(TRAINING_VARS, ("max_trainings", "training_workers"), strict=True):
        if name not in environ:
            continue
        try:
            size, kind = read_trainings({name: environ[name]})
        except ValueError as err:
            problems.append(Problem(name, environ[name], str(err).split(": ", 1)[-1]))
            continue
        found[key] = size if key == "max_trainings" else kind
    return found


def _check_names(environ, problems: list[Problem]) -> None:
    for name in sorted(n for n in environ if n.startswith(PREFIX) and n not in KNOWN):
        near = difflib.get_close_matches(name, KNOWN, n=1)
        hint = f"; did you mean {near[0]}?" if near else ""
        problems.append(Problem(name, environ[name], f"unknown variable{hint}"))


def read(environ: Mapping[str, str] | None = None) -> TeacherEnv:
    """The deployment's checked settings; ``TeacherEnvError`` lists every invalid variable.

    An empty value means "not set" for the preset, language, hide, lock and device; the
    numbers (caps, threads) must be whole numbers when the variable exists at all, because
    the app reads them the same way (``Caps.from_env``, ``pipeline.set_threads``).
    """
    environ = os.environ if environ is None else environ
    problems: list[Problem] = []
    caps = _check_caps(environ, problems)
    preset = _text(environ, "preset")
    if preset and preset not in PRESETS:  # exact names, as in the URL
        problems.append(Problem(f"{PREFIX}PRESET", preset,
                                f"unknown preset; one of {', '.join(PRESETS)}"))
    lang = _check_choice(environ, "lang", LANGS, problems)
    lock = _check_choice(environ, "lock", tuple(LOCK_VALUES), problems)
    env = TeacherEnv(caps=caps, preset=preset if preset in PRESETS else None, lang=lang,
                     hide=_check_hide(environ, problems), lock=LOCK_VALUES.get(lock, False),
                     device=_check_device(environ, problems),
                     torch_threads=_check_threads(environ, problems),
                     **_check_trainings(environ, problems))
    problems += [Problem(*p) for p in class_config.problems(environ)]
    _check_names(environ, problems)
    if problems:
        raise TeacherEnvError(problems)
    return env


def _locked(environ: Mapping[str, str]) -> bool:
    return LOCK_VALUES.get(_text(environ, "lock").lower(), False)


def url_defaults(params: dict, environ: Mapping[str, str] | None = None) -> dict:
    """``params`` (a query mapping: key → list of str) with the deployment's defaults added.

    A value the URL sets wins, except under a deployment lock: then the deployment's
    preset, hidden controls and lock replace the URL's, and the URL's configuration values
    (``hidden_size=…``, ``sentences=…``) are dropped, so every student sees the locked
    preset; only the language and device (``KEPT_WHEN_LOCKED``) and a page's own keys
    (``page_keys``: a lesson step) still come from the URL.
    Valid settings are passed in their normal form (``TeacherEnv.query_defaults``); invalid
    ones as they are, for ``from_query`` to repair with a notice (``read`` refuses them at
    start, but tests and direct ``streamlit run`` skip that check).
    """
    environ = os.environ if environ is None else environ
    try:
        defaults = read(environ).query_defaults()
    except TeacherEnvError:  # serve.py refuses this at start; here each value is repaired
        defaults = {key: [value] for key in URL_KEYS if (value := _text(environ, key))}
    locked = _locked(environ)
    if locked:  # a page's own keys (a lesson step) are no configuration: they stay too
        for key in [k for k in params if k not in (*KEPT_WHEN_LOCKED, *page_keys())]:
            del params[key]
    for key, value in defaults.items():
        if key not in params or (locked and key in PINNED_WHEN_LOCKED):
            params[key] = value
    return params
