"""Start a Streamlit app on a free port and tell when a page is fully drawn.

Shared by the browser tests (tests/browser/conftest.py), ``scripts/screenshots.py`` and
``measure/perf.py``. Chromium is Debian's (``LSTM_VIZ_CHROMIUM``, default /usr/bin/chromium):
Playwright cannot download its own browser here.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("LSTM_VIZ_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]

# The script has run and everything it sent is drawn: no stale element, no lazy-loading
# skeleton (Plotly's bundle arrives after the run ends), every chart has its .main-svg.
SETTLED = """() => {
  const app = document.querySelector('[data-testid=stApp]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  const main = document.querySelector('[data-testid=stMain]');
  if (!main || !main.querySelector('h1')) return false;
  if (document.querySelector('[data-testid=stSkeleton], [data-stale=true]')) return false;
  return [...document.querySelectorAll('[data-testid=stPlotlyChart]')]
    .every(c => c.querySelector('.main-svg'));
}"""
WHY_NOT_SETTLED = """() => ({
  state: document.querySelector('[data-testid=stApp]')?.getAttribute('data-test-script-state'),
  h1: !!document.querySelector('[data-testid=stMain] h1'),
  skeletons: document.querySelectorAll('[data-testid=stSkeleton]').length,
  stale: [...document.querySelectorAll('[data-stale=true]')].map(e => e.className).slice(0, 5),
  charts: document.querySelectorAll('[data-testid=stPlotlyChart]').length,
  drawn: document.querySelectorAll('[data-testid=stPlotlyChart] .main-svg').length,
})"""


def free_ports(count: int) -> list[int]:
    """``count`` distinct loopback ports the OS has free now (all bound at once, then freed)."""
    with ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]


def free_port() -> int:
    return free_ports(1)[0]


def wait_healthy(url: str, proc: subprocess.Popen | None = None, timeout: float = 60) -> float:
    """Poll ``url``/_stcore/health until it answers; the seconds it took."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode}")
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
            return time.monotonic() - start
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not become healthy within {timeout:.0f} s")


@contextmanager
def server_process(app: Path | str = ROOT / "app.py", log: Path | None = None,
                   port: int | None = None, env: dict | None = None,
                   args: tuple[str, ...] = (), cwd: Path = ROOT
                   ) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run ``streamlit run app`` (from ``cwd``: its .streamlit/config.toml applies) on a free
    loopback port; yield (its base URL, the process)."""
    port = port or free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(app),
           "--server.port", str(port), "--server.address", "127.0.0.1",
           "--server.headless", "true", "--browser.gatherUsageStats", "false", *args]
    out = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                            env={**os.environ, **(env or {})})
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        yield url, proc
    finally:
        stop(proc)
        if log:
            out.close()


@contextmanager
def streamlit_server(app: Path | str = ROOT / "app.py", log: Path | None = None,
                     port: int | None = None, env: dict | None = None) -> Iterator[str]:
    """Run ``streamlit run app`` on a free loopback port; yield its base URL; stop it."""
    with server_process(app, log, port, env) as (url, _):
        yield url


def stop(proc: subprocess.Popen, timeout: float = 20) -> None:
    """SIGTERM, then SIGKILL if ``proc`` has not exited within ``timeout`` seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextmanager
def opened_page(url: str, width: int = 1400, height: int = 1000):
    """A page of the host's Chromium showing ``url``, settled (``settle``); the browser is
    closed after the ``with``."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(url, timeout=60_000)
            settle(page, timeout=90_000)
            yield page
        finally:
            browser.close()


def settle(page, timeout: float = 60_000) -> None:
    """Wait until ``page`` (Playwright) shows a finished run with every chart drawn."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(SETTLED, timeout=timeout, polling=100)
    except PlaywrightTimeout:
        raise AssertionError(f"{page.url} never settled: "
                             f"{page.evaluate(WHY_NOT_SETTLED)}") from None
