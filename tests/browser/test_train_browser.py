"""The Train page in a real Chromium: Start, and the curves grow by themselves (the live
fragment reruns twice a second, no click); Stop, and they stay as they were, with the
scrubber to look back; and the page with its charts, the scrubber and "open this model"
has no axe-core violation."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from lstm_viz.i18n import t
from tests.browser.conftest import Page
from tests.browser.test_accessibility import report, violations

pytestmark = pytest.mark.browser
LINK = "train?t_epochs=40&t_distance=20&t_seed=4242"  # outlasts the test; its own run
POINTS = """() => {
  const gd = document.querySelectorAll('[data-testid=stPlotlyChart] .js-plotly-plot')[0];
  return gd ? gd._fullData[0].x.length : 0;
}"""


def _points(p: Page) -> int:
    """Snapshots drawn on the loss curve of the first cell."""
    return p.page.evaluate(POINTS)


def _grows(p: Page, above: int, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while (n := _points(p)) <= above:
        assert time.monotonic() < deadline, f"the curves stayed at {n} points"
        time.sleep(0.25)
    return n


def test_start_the_curves_grow_stop_they_stay(server, page):
    page.open(f"{server}/{LINK}")
    main = page.main()
    expect(main.get_by_text(t("train.none", "en"))).to_be_visible()
    main.get_by_role("button", name=t("train.start", "en")).click()
    expect(main.get_by_test_id("stPlotlyChart")).to_have_count(4, timeout=60_000)
    first = _grows(page, 1)
    second = _grows(page, first)  # by itself: nothing was clicked since Start
    assert second > first >= 2
    expect(main.get_by_test_id("stProgress")).to_be_visible()
    main.get_by_role("button", name=t("train.stop", "en")).click()
    expect(main.get_by_text("Stopped at epoch")).to_be_visible(timeout=30_000)
    page.settle()
    kept = _points(page)
    assert kept >= second
    time.sleep(2.0)  # no more polling, no more points: the run is over, its curves kept
    assert _points(page) == kept
    expect(main.get_by_test_id("stPlotlyChart")).to_have_count(4)
    expect(main.get_by_test_id("stSlider")).to_be_visible()  # the scrubber
    expect(main.get_by_role("button", name=t("train.again", "en"))).to_be_enabled()
    found = violations(page.page)  # the page with every chart, the scrubber, the open section
    assert found == [], report(found)
