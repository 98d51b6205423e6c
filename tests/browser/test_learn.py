"""A lesson played through the real page in Chromium: a wrong answer and its diagnosis, the
right answer and the reveal, the next step; one step with the keyboard alone."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from lstm_viz.i18n import t

pytestmark = pytest.mark.browser
FOCUSED = """() => { const e = document.activeElement;
  return [e.getAttribute('aria-label') || '', e.tagName === 'BUTTON' ? e.innerText : '',
          e.getAttribute('type') || ''] }"""


def tab_to(p, label: str = "", text: str = "", kind: str = "", limit: int = 120) -> None:
    """Press Tab until the focused element has this aria-label, is a button with this text, or
    is an input of this type."""
    for _ in range(limit):
        aria, inner, typ = p.page.evaluate(FOCUSED)
        if (label and aria == label) or (text and text in inner) or (kind and typ == kind):
            return
        p.page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {label or text or kind!r}")


def step_in_url(p) -> str:
    return parse_qs(urlparse(p.page.url).query)["step"][-1]


def alerts(p) -> str:
    return " ".join(p.main().locator("[data-testid=stAlert]").all_inner_texts())


def test_a_lesson_through_the_real_page_with_the_keyboard(server, page):
    p = page.open(f"{server}/learn?lesson=000-shapes&step=2")
    p.page.locator("body").focus()
    tab_to(p, label=t("learn.answer", "en"))  # keyboard only from here
    p.page.keyboard.type("(3, 5, 20)")
    p.after(lambda: p.page.keyboard.press("Enter"))
    said = alerts(p)
    assert t("learn.wrong", "en") in said
    assert "You swapped N (sentences) and L (time steps)" in said  # lesson.mis.nl_swapped
    tab_to(p, label=t("learn.answer", "en"))
    p.page.keyboard.press("Control+A")
    p.page.keyboard.type("torch.Size([5, 3, 20])")
    p.after(lambda: p.page.keyboard.press("Enter"))
    expect(p.main().get_by_text(t("learn.right", "en", answer="(5, 3, 20)"))).to_be_visible()
    expect(p.main().get_by_text("# torch.Size([5, 3, 20])")).to_be_visible()
    tab_to(p, text=t("learn.next", "en"))
    p.after(lambda: p.page.keyboard.press("Enter"))
    p.page.wait_for_function("location.search.includes('step=3')", timeout=15_000)
    p.settle()
    assert step_in_url(p) == "3"
    expect(p.main().get_by_text(t("lesson.000-shapes.hn.say", "en"))).to_be_visible()


def test_a_choice_by_keyboard_and_the_answer_shown(server, page):
    """yes / no with the arrow keys and Space; then "Show me" on the next question."""
    p = page.open(f"{server}/learn?lesson=003-batch-first&step=5")
    p.page.locator("body").focus()
    tab_to(p, kind="radio")
    p.page.keyboard.press("Space")  # the first option: "yes", which is wrong here
    tab_to(p, text=t("learn.check", "en"))
    p.after(lambda: p.page.keyboard.press("Enter"))
    assert "h_n[-1] is not always output's last step" in alerts(p)  # hn_is_last_output
    p.after(p.page.get_by_role("button", name=t("learn.show", "en")).click)
    expect(p.main().get_by_text(t("learn.answer_is", "en", answer="no"))).to_be_visible()
    assert p.main().locator("[data-testid=stPageLink] a").first.get_attribute("href")
