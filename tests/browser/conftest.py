"""Real-browser fixtures: one Streamlit server per test session, Debian's Chromium.

Playwright cannot download browsers here, so it drives the system executable
(``LSTM_VIZ_CHROMIUM``, default /usr/bin/chromium). Without it the browser tests skip
with the reason — ``scripts/test.sh`` installs it, so in CI they run.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("LSTM_VIZ_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
# Opening /<page> directly makes Streamlit's front end probe <page>/_stcore/... before it
# falls back to the root: two harmless 404s that are the framework's, not ours.
BASE_PATH_PROBE = re.compile(r"/[a-z]+/_stcore/(health|host-config)$")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """Start the app on a free loopback port; yield its base URL; stop it."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (scripts/test.sh installs Debian's chromium)")
    port = _free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
           "--server.port", str(port), "--server.address", "127.0.0.1",
           "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    log = open(tmp_path_factory.mktemp("server") / "streamlit.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
            break
        except OSError:
            time.sleep(0.3)
    else:
        proc.terminate()
        pytest.fail("the Streamlit server did not become healthy within 60 s")
    yield url
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Page:
    """A browser page that records console errors and failed requests."""

    def __init__(self, context):
        self.page = context.new_page()
        self.errors: list[str] = []
        self.probes = 0
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on("response", self._response)

    def _response(self, response) -> None:
        if response.status == 404 and BASE_PATH_PROBE.search(response.url.split("?")[0]):
            self.probes += 1

    def open(self, url: str) -> Page:
        self.page.goto(url)
        return self.settle()

    def settle(self, timeout: float = 60_000) -> Page:
        """Wait until the script has run and every chart has been drawn."""
        self.page.wait_for_selector("[data-testid=stMain] h1", timeout=timeout)
        self.page.wait_for_timeout(300)
        self.page.wait_for_selector(
            "[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout)
        self.page.wait_for_function(
            "[...document.querySelectorAll('[data-testid=stPlotlyChart]')]"
            ".every(c => c.querySelector('.main-svg'))", timeout=timeout)
        return self

    def real_errors(self) -> list[str]:
        """Console errors, less the framework's base-path probe 404s."""
        probe_404 = "the server responded with a status of 404"
        allowed = self.probes
        out = []
        for e in self.errors:
            if probe_404 in e and allowed > 0:
                allowed -= 1
                continue
            out.append(e)
        return out


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    return Page(context)
