"""Plotly figure → PNG/SVG bytes with kaleido 1.x driving the system Chromium.

One headless Chromium is started on the first export and reused (a start costs ~8 s on
2 cores, an export ~1 s); it is closed after ``IDLE_SECONDS`` without exports and at exit.

Why not ``kaleido.start_sync_server()`` (kaleido 1.5.0, ``_sync_server.py``): its
``call_function`` puts a task on a queue, waits for *all* queued tasks, then takes *a*
result from a shared queue, so two sessions exporting at once can swap images; and when
the browser fails to start or dies, the server thread exits and every later call waits
forever (``Queue.join`` without a timeout). Here one event-loop thread holds a
``kaleido.Kaleido``; calls are serialised by a lock, every wait has a timeout, and a
browser that failed is closed and started afresh on the next export.

The browser: ``BROWSER_PATH`` (kaleido's own variable), else ``LSTM_VIZ_CHROMIUM``, else
``/usr/bin/chromium`` or ``chromium``/``chromium-browser`` on PATH. Without one,
``ExportUnavailable`` says why. MathJax is off (kaleido would fetch it from a CDN).
"""

from __future__ import annotations

import asyncio
import atexit
import copy
import hashlib
import os
import shutil
import threading
import time
from collections import OrderedDict

import plotly.graph_objects as go
import plotly.io as pio

FORMATS = ("png", "svg")
WIDTH, SCALE = 1200, 2  # layout px; PNG pixels = WIDTH*SCALE x height*SCALE
DEFAULT_HEIGHT = 600  # for a figure without a height of its own
# Latin as plotly's default, then DejaVu (narrow symbols such as ‖), then fonts-noto-cjk's
# Simplified Chinese glyphs, not whichever CJK face fontconfig picks first.
FONT = '"Open Sans", verdana, arial, "DejaVu Sans", "Noto Sans CJK SC", sans-serif'
START_SECONDS, RENDER_SECONDS, IDLE_SECONDS = 60.0, 60.0, 300.0
RETRY_SECONDS = 600.0  # a browser that failed to start is tried again after this
CACHE_ENTRIES = 16
INSTALL = "install Debian's chromium (apt-get install chromium fonts-noto-cjk)"


class ExportUnavailable(RuntimeError):
    """Static image export cannot run here; the message says why and what to install."""


def chromium_path() -> str:
    """The Chromium executable exports use, or ExportUnavailable naming where it looked."""
    for var in ("BROWSER_PATH", "LSTM_VIZ_CHROMIUM"):
        if value := os.environ.get(var, "").strip():
            if os.path.isfile(value) and os.access(value, os.X_OK):
                return value
            raise ExportUnavailable(f"No Chromium found at {value} ({var}); {INSTALL}, "
                                    f"or set {var} to a Chrome/Chromium executable.")
    for candidate in ("/usr/bin/chromium", *filter(None, map(shutil.which, (
            "chromium", "chromium-browser")))):
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    raise ExportUnavailable(f"No Chromium found at /usr/bin/chromium or on PATH; {INSTALL}, "
                            "or set BROWSER_PATH to a Chrome/Chromium executable.")


def unavailable_reason() -> str | None:
    """Why exports cannot run (cheap: starts nothing), or None when they can."""
    try:
        import kaleido  # noqa: F401
    except ImportError:
        return "kaleido is not installed (pip install kaleido==1.5.0)."
    try:
        path = chromium_path()
    except ExportUnavailable as err:
        return str(err)
    failed = _failed.get(path)
    if failed and time.monotonic() - failed[0] < RETRY_SECONDS:
        return failed[1]  # it would not start a moment ago: don't make every click wait
    return None


def export_figure(fig: go.Figure | dict) -> go.Figure:
    """A copy of ``fig`` at the fixed export size, light template and CJK-capable font.

    A dict is copied first: ``go.Figure(d)`` takes each trace's "type" out of ``d``, and a
    page's spec is shared and read-only (``ui.charts``)."""
    given = fig.to_dict() if isinstance(fig, go.Figure) else copy.deepcopy(fig)
    layout = given.get("layout", {})
    out = go.Figure(given)
    out.update_layout(width=WIDTH, height=layout.get("height") or DEFAULT_HEIGHT,
                      font_family=FONT)
    if not layout.get("template"):
        out.update_layout(template="plotly_white")
    return out


class _Browser:
    """One Kaleido (headless Chromium) on its own event-loop thread."""

    def __init__(self, path: str):
        self.path = path
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True,
                                       name="lstm-viz-kaleido")
        self.thread.start()
        self.kaleido, self.closed = None, False
        try:
            self.kaleido = self._wait(self._open(), START_SECONDS)
        except Exception as err:
            self.close()
            raise ExportUnavailable(f"Chromium at {path} could not be started ({err!r}); "
                                    f"{INSTALL}.") from err

    async def _open(self):
        import kaleido

        k = kaleido.Kaleido(n=1, timeout=RENDER_SECONDS, mathjax=False, path=self.path)
        try:
            await k.open()
        except BaseException:
            await asyncio.wait_for(k.close(), 10)  # the process and its temporary files
            raise
        return k

    def _wait(self, coro, seconds: float):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(seconds)

    def image(self, fig: go.Figure, fmt: str) -> bytes:
        opts = {"format": fmt, "scale": SCALE if fmt == "png" else 1}
        return self._wait(self.kaleido.calc_fig(fig, opts=opts), RENDER_SECONDS + 5)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        try:
            if self.kaleido is not None:
                self._wait(self.kaleido.close(), 10)
        except Exception:  # already dead: nothing left to close
            pass
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(5)


_lock = threading.Lock()
_browser: _Browser | None = None
_idle: threading.Timer | None = None
_cache: OrderedDict[str, bytes] = OrderedDict()
_failed: dict[str, tuple[float, str]] = {}  # path → (when, why) it last failed to start


def close_browser() -> None:
    """Close the shared browser (the next export starts a new one)."""
    global _browser
    with _lock:
        if _browser is not None:
            _browser.close()
            _browser = None


def _schedule_idle_close() -> None:
    global _idle
    if _idle is not None:
        _idle.cancel()
    _idle = threading.Timer(IDLE_SECONDS, close_browser)
    _idle.daemon = True
    _idle.start()


def _render(fig: go.Figure, fmt: str, path: str) -> bytes:
    """Export under ``_lock``: (re)start the browser if needed; one retry on a fresh one."""
    global _browser
    for attempt in range(2):
        if _browser is None or _browser.path != path:
            if _browser is not None:
                _browser.close()
                _browser = None
            try:
                _browser = _Browser(path)
            except ExportUnavailable as err:
                _failed[path] = (time.monotonic(), str(err))
                raise
            _failed.pop(path, None)
        try:
            return _browser.image(fig, fmt)
        except Exception:
            _browser.close()
            _browser = None
            if attempt:
                raise
    raise AssertionError("unreachable")


def figure_image(fig: go.Figure | dict, fmt: str = "png") -> bytes:
    """``fig`` as PNG (WIDTH*SCALE px wide) or SVG bytes, at a fixed size and light template.

    Raises ExportUnavailable when no browser can run, ValueError for another format.
    Recent results are cached by the figure's JSON, so a second click costs nothing.
    """
    if fmt not in FORMATS:
        raise ValueError(f"fmt: expected one of {', '.join(FORMATS)}, got {fmt!r}")
    reason = unavailable_reason()
    if reason:
        raise ExportUnavailable(reason)
    path = chromium_path()
    spec = export_figure(fig)
    key = hashlib.sha256(f"{fmt}|{pio.to_json(spec)}".encode()).hexdigest()
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
        data = _render(spec, fmt, path)
        _cache[key] = data
        while len(_cache) > CACHE_ENTRIES:
            _cache.popitem(last=False)
        _schedule_idle_close()
    return data


atexit.register(close_browser)
