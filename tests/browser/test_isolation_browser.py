"""Two real sessions against one server: settings and text stay each session's own.

Uses the browser suite's session-wide server and Chromium (tests/browser/conftest.py):
one Playwright per pytest process (a second sync Playwright inside it is refused).
"""

from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from lstm_viz.i18n import t

pytestmark = pytest.mark.browser


def _settle(page) -> None:
    page.wait_for_selector("[data-testid=stMain] h1", timeout=60_000)
    page.wait_for_timeout(300)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']",
                           timeout=60_000)


def _module_call(page) -> str:
    """The overview's summary names the module: ``nn.RNN(9, 5)``."""
    return page.locator("[data-testid=stMain] code", has_text="nn.").first.inner_text()


def _session(browser, url: str):
    context = browser.new_context(viewport={"width": 1300, "height": 900}, locale="en-US")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    return context, page, errors


def test_two_sessions_never_see_each_others_settings(server, browser):
    a_ctx, a, a_err = _session(browser, f"{server}/?preset=pets&hidden_size=3")
    b_ctx, b, b_err = _session(browser, f"{server}/?preset=official&cell=GRU&seed=4")
    try:
        _settle(a)
        _settle(b)
        assert _module_call(a) == "nn.RNN(9, 3)"
        b_call = _module_call(b)
        assert b_call.startswith("nn.GRU(")
        # A changes its hidden size while B, at the same time, changes its seed
        field_a = a.get_by_role("spinbutton", name="hidden_size (H_cell)")
        field_a.fill("7")
        field_a.press("Enter")
        b.get_by_text(t("sidebar.run", "en")).click()  # the collapsed expander with the seed
        field_b = b.get_by_role("spinbutton", name="seed", exact=True)
        field_b.fill("9")
        field_b.press("Enter")
        _settle(a)
        _settle(b)
        a.wait_for_function("() => location.search.includes('hidden_size=7')", timeout=30_000)
        b.wait_for_function("() => location.search.includes('seed=9')", timeout=30_000)
        assert _module_call(a) == "nn.RNN(9, 7)"
        assert _module_call(b) == b_call  # B's module: unchanged by A
        assert "hidden_size" not in b.evaluate("location.search")
        assert "seed" not in a.evaluate("location.search")
        assert b.get_by_role("spinbutton", name="hidden_size (H_cell)").input_value() != "7"
        assert not a.get_by_test_id("stException").count()
        assert not b.get_by_test_id("stException").count()
        assert not a_err and not b_err
    finally:
        a_ctx.close()
        b_ctx.close()


def test_hostile_text_renders_as_plain_text_in_a_browser(server, browser):
    """Markdown, HTML, LaTeX and Streamlit directives in a sentence show as typed."""
    token = "<b>x</b>"
    text = f"{token} **y** $z$ :red[r] www.example.com\n👩\u200d👩\u200d👧 e\u0301"
    ctx, page, errors = _session(browser, f"{server}/?" + urlencode(
        {"preset": "pets", "tokens": "word", "sentences": text}))
    try:
        _settle(page)
        main = page.locator("[data-testid=stMain]")
        selected = main.locator("[data-testid=stMarkdown]", has_text="Selected").first
        assert token in selected.inner_text()
        assert not main.locator("b:text-is('x')").count()  # no <b> element was made
        assert not main.locator(".katex:has-text('z')").count()
        area = page.get_by_role("textbox", name=t("arg.sentences", "en"))
        expect(area).to_have_value(text, timeout=30_000)
        assert not page.get_by_test_id("stException").count() and not errors
    finally:
        ctx.close()
