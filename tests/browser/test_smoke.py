"""Every page × every preset in a real Chromium: drawn, no error element, no console error."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from lstm_viz.i18n import t
from lstm_viz.state.presets import PRESETS
from tests.apptest_utils import PAGES
from tests.browser.conftest import Page

pytestmark = pytest.mark.browser


def _path(name: str) -> str:
    return "" if name == "overview" else name


def _query(url: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlparse(url).query).items()}


def _assert_clean(p) -> None:
    assert p.page.get_by_test_id("stException").count() == 0
    assert p.page.locator("[data-testid=stAlertContentError]").count() == 0
    assert p.real_errors() == []


@pytest.mark.parametrize("preset", list(PRESETS))
def test_every_page_renders_every_preset(server, page, preset):
    """One page opened from its URL (a different page for each preset), then every other
    page through the sidebar's navigation: a rerun, not a reload, so the suite stays quick."""
    first = PAGES[list(PRESETS).index(preset) % len(PAGES)]
    page.open(f"{server}/{_path(first)}?preset={preset}")
    for name in [first, *(p for p in PAGES if p != first)]:
        if name != first:
            page.nav(t(f"page.{name}", "en"))
        _assert_clean(page)
        assert urlparse(page.page.url).path == f"/{_path(name)}"
        assert _query(page.page.url)["preset"] == preset
        assert page.page.get_by_role("heading", name=t(f"page.{name}", "en")).count() >= 1


def test_sidebar_change_updates_url_and_a_copied_url_reproduces_it(server, browser, page):
    page.open(f"{server}/shapes?preset=official")
    box = page.page.get_by_label(t("arg.hidden_size", "en"), exact=True)
    box.fill("7")
    box.press("Enter")
    page.page.wait_for_function("location.search.includes('hidden_size=7')")
    page.settle()
    expect(box).to_have_value("7")
    url = page.page.url
    fresh_ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        fresh = Page(fresh_ctx).open(url)
        assert _query(fresh.page.url) == _query(url)
        expect(fresh.page.get_by_label(t("arg.hidden_size", "en"), exact=True)).to_have_value("7")
        _assert_clean(fresh)
    finally:
        fresh_ctx.close()
    _assert_clean(page)


def test_language_switch_and_chinese_url(server, page):
    page.open(f"{server}/gates?preset=pets&lang=zh")
    assert page.page.get_by_role("heading", name=t("page.gates", "zh")).count() >= 1
    _assert_clean(page)


def test_hide_and_lock(server, page):
    page.open(f"{server}/?preset=official&hide=bidirectional,proj_size&lock=1")
    assert page.page.get_by_label(t("arg.bidirectional", "en"), exact=True).count() == 0
    assert page.page.get_by_label(t("arg.hidden_size", "en"), exact=True).is_disabled()
    _assert_clean(page)


def test_bad_url_shows_a_friendly_message(server, page):
    page.open(f"{server}/shapes?preset=nope&hidden_size=-3&num_layers=abc")
    text = page.page.inner_text("[data-testid=stMain]")
    assert "hidden_size" in text and "num_layers" in text and "preset" in text
    _assert_clean(page)
