"""Warm a freshly started server in the background: every preset's run and figures in its caches.

Without this the first student after a start pays for the first script runs: the app's
modules compiled and imported, the preset's module built and traced, its figures drawn
(docs/PERFORMANCE.md, "First student"). ``start(args)`` (called by scripts/serve.py, the
entry point of the Docker image and scripts/run-app.sh) starts one daemon thread that waits
until the server answers ``/_stcore/health``, then opens one session per preset over
Streamlit's websocket, as a browser would (serving/stclient.py), and visits every page:
each run fills the caches a student's run would find. The deployment's preset comes first
(``LSTM_VIZ_PRESET``); a locked deployment (``LSTM_VIZ_LOCK=1``) warms only that one.
One line goes to the log when it is done. ``LSTM_VIZ_WARM=0`` turns it off.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time
import urllib.request
from collections.abc import Mapping, Sequence

from lstm_viz.state.presets import DEFAULT_PRESET, PRESETS
from lstm_viz.state.teacher_env import read
from serving.stclient import Session

PAGES = ("", "shapes", "gates", "states", "packing")  # URL paths; "" the default page
ONCE = ("learn", "memory", "train", "teach")  # not per preset: the first session only
# (teach: the class store is upgraded and purged before the first teacher comes)
# Lesson steps a training answers (lstm_viz.lessons.race): trained here, not for a student.
LINKS = (("learn", "lesson=trained-sentiment&step=7"),)
SWITCH = "LSTM_VIZ_WARM"


def _option(args: Sequence[str], environ: Mapping[str, str], name: str, default: str) -> str:
    """``--server.<name> V`` / ``--server.<name>=V`` from the CLI, else its environment
    variable (``STREAMLIT_SERVER_<NAME>``), else ``default``: what Streamlit will use."""
    flag = f"--server.{name}"
    for k, arg in enumerate(args):
        if arg == flag and k + 1 < len(args):
            return args[k + 1]
        if arg.startswith(flag + "="):
            return arg.split("=", 1)[1]
    return environ.get(f"STREAMLIT_SERVER_{name.upper()}", default)


def server_url(args: Sequence[str], environ: Mapping[str, str]) -> str:
    """Where this process's server will answer, seen from inside it."""
    address = _option(args, environ, "address", "127.0.0.1")
    host = "127.0.0.1" if address in ("", "0.0.0.0", "::") else address
    base = _option(args, environ, "baseUrlPath", "").strip("/")
    return f"http://{host}:{_option(args, environ, 'port', '8501')}" + (f"/{base}" if base else "")


def presets(environ: Mapping[str, str]) -> list[str]:
    """The presets to warm, the deployment's first."""
    env = read(environ)
    first = env.preset or DEFAULT_PRESET
    return [first] if env.lock else [first, *(p for p in PRESETS if p != first)]


def _healthy(url: str, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return True
        except OSError:
            time.sleep(0.2)
    return False


async def _visit(url: str, preset: str, pages: Sequence[str], query: str = "") -> list[str]:
    """One session: ``pages`` of ``preset`` (or of the link ``query``); its errors."""
    s = Session(url, query=query or f"preset={preset}")
    async with s.connect() as s.ws:
        for page in pages:
            await s.rerun(page=page)
    return s.errors


def warm(url: str, names: Sequence[str]) -> tuple[int, float, list[str]]:
    """Visit every page of every preset in ``names`` (and the ``ONCE`` pages with the first):
    (runs, seconds, errors)."""
    start, errors = time.monotonic(), []
    for k, name in enumerate(names):
        try:
            errors += asyncio.run(_visit(url, name, PAGES + ONCE if k == 0 else PAGES))
        except Exception as err:  # the server keeps serving; the log says what happened
            errors.append(f"{name}: {type(err).__name__}: {err}")
    for page, query in LINKS if names else ():
        try:
            errors += asyncio.run(_visit(url, "", (page,), query))
        except Exception as err:
            errors.append(f"{page}?{query}: {type(err).__name__}: {err}")
    runs = len(names) * len(PAGES) + (len(ONCE) + len(LINKS)) * bool(names)
    return runs, time.monotonic() - start, errors


def _run(url: str, names: list[str], timeout: float) -> None:
    if not _healthy(url, timeout):
        print(f"lstm-viz: warm-up skipped: {url} did not answer", file=sys.stderr, flush=True)
        return
    runs, seconds, errors = warm(url, names)
    print(f"lstm-viz: warmed {len(names)} presets × {len(PAGES)} pages + {', '.join(ONCE)} "
          f"({runs} runs) in "
          f"{seconds:.1f} s" + (f"; errors: {errors[:3]}" if errors else ""),
          file=sys.stderr, flush=True)


def start(args: Sequence[str], environ: Mapping[str, str] | None = None,
          timeout: float = 300) -> threading.Thread | None:
    """Warm the server ``args`` will start, in a daemon thread (None when turned off)."""
    environ = os.environ if environ is None else environ
    if environ.get(SWITCH, "1").strip() == "0":
        return None
    thread = threading.Thread(target=_run, args=(server_url(args, environ), presets(environ),
                                                  timeout), name="lstm-viz-warm", daemon=True)
    thread.start()
    return thread
