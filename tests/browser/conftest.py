"""Real-browser fixtures: one Streamlit server per test session, Debian's Chromium.

Playwright cannot download browsers here, so it drives the system executable
(``LSTM_VIZ_CHROMIUM``, default /usr/bin/chromium). Without it the browser tests skip
with the reason — ``scripts/test.sh`` installs it, so in CI they run.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

import pytest

from serving.appserver import CHROMIUM, CHROMIUM_ARGS, settle, streamlit_server

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # the browser fixture skips the tests
    PlaywrightTimeout = TimeoutError

# Opening /<page> directly makes Streamlit's front end probe <page>/_stcore/... before it
# falls back to the root: two harmless 404s that are the framework's, not ours.
BASE_PATH_PROBE = re.compile(r"/[a-z]+/_stcore/(health|host-config)$")
# Counts changes of the app's script state (running ⇄ notRunning): a rerun changes it.
COUNT_RUNS = """window.__lvScriptStates = 0;
new MutationObserver(records => { window.__lvScriptStates += records.length; })
  .observe(document, {subtree: true, attributes: true,
                      attributeFilter: ['data-test-script-state']});"""
CHART_DATA = """(index) => {
  const gd = document.querySelectorAll('[data-testid=stPlotlyChart] .js-plotly-plot')[index];
  const plain = v => (v && typeof v === 'object' && typeof v.length === 'number')
    ? Array.from(v, plain) : v;
  return {traces: gd._fullData.map(t => ({type: t.type, name: t.name, z: plain(t.z),
                                          customdata: plain(t.customdata)})),
          shapes: (gd._fullLayout.shapes || []).map(s => ({name: s.name, y0: s.y0, y1: s.y1,
                                                          x0: s.x0, x1: s.x1}))};
}"""


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """Start the app on a free loopback port; yield its base URL; stop it.

    ``LSTM_VIZ_BROWSER_URL`` names an app that is already running instead (for debugging).
    """
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (scripts/test.sh installs Debian's chromium)")
    if os.environ.get("LSTM_VIZ_BROWSER_URL"):
        yield os.environ["LSTM_VIZ_BROWSER_URL"].rstrip("/")
        return
    log = tmp_path_factory.mktemp("server") / "streamlit.log"
    try:
        with streamlit_server(log=log) as url:
            yield url
    except RuntimeError as err:  # did not start: say why, with the server's own words
        pytest.fail(f"{err}\n{log.read_text()[-2000:]}")


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
        self.page.add_init_script(COUNT_RUNS)
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
        """Wait until the script has run and everything it sent is drawn: no stale element,
        no lazy-loading skeleton (Plotly's bundle loads after the run ends), every chart
        with its ``.main-svg``."""
        settle(self.page, timeout)
        return self

    def after(self, action, timeout: float = 60_000) -> Page:
        """Do ``action`` (a widget change), wait for the rerun it starts, then settle."""
        before = self.page.evaluate("window.__lvScriptStates")
        action()
        # A short rerun can leave no trace: React may commit running → notRunning as one
        # update, so the attribute never changes (seen once on a loaded 2-core box). Wait a
        # bounded time for it, not the whole timeout; settle() below still checks the page.
        with contextlib.suppress(PlaywrightTimeout):
            self.page.wait_for_function(f"window.__lvScriptStates > {before}",
                                        timeout=min(timeout, 15_000), polling=50)
        return self.settle(timeout)

    def main(self):
        return self.page.locator("[data-testid=stMain]")

    def sidebar(self):
        return self.page.locator("[data-testid=stSidebar]")

    def nav(self, title: str) -> Page:
        """Go to another page the way a student does: the sidebar's navigation link."""
        link = self.page.locator("[data-testid=stSidebarNav] a").filter(has_text=title)
        return self.after(link.first.click)

    def chart(self, index: int = 0) -> dict:
        """What Plotly drew for chart ``index``: per trace its type, z and customdata."""
        return self.page.evaluate(CHART_DATA, index)

    def tex(self) -> list[str]:
        """The TeX source of every formula on the page (KaTeX keeps it in an annotation)."""
        return self.main().locator(".katex-mathml annotation").all_text_contents()

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
    """A Page whose console errors fail the test (checked again after the test)."""
    p = Page(context)
    yield p
    assert p.real_errors() == [], "console errors in the browser"
