"""The Memory page in a real Chromium: a student types a sentence and forces a gate; the
charts, the sentence on what happened and the URL follow, and a copied link reproduces it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from lstm_viz.explain import memory as mem
from lstm_viz.i18n import t
from tests.browser.conftest import Page

pytestmark = pytest.mark.browser
SENTENCE = "dog saw a cat and then a bird ran home"


def _query(url: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlparse(url).query).items()}


def _info(p: Page) -> str:
    alert = p.main().locator("[data-testid=stAlertContentInfo]").last
    return alert.locator("[data-testid=stMarkdownContainer]").inner_text()


def _choose(p: Page, label: str, option: str) -> None:
    """Pick ``option`` in the page's select box ``label``. A click that lands while the page
    is still laying out charts can leave the list closed: then the box is clicked again."""
    box = p.main().get_by_role("combobox", name=label)
    for _ in range(3):
        box.click()
        item = p.page.get_by_role("option", name=option)
        try:
            item.wait_for(timeout=5_000)
        except PlaywrightTimeout:
            p.page.keyboard.press("Escape")
            continue
        p.after(item.click)
        return
    raise AssertionError(f"the list of {label!r} did not open")


def _said(tokens: list[str], gate: str) -> str:
    """What the page should say for the LSTM with ``gate`` held at 0 from word 1."""
    before = mem.look("memory-lstm", tokens)
    _, after = mem.forced("memory-lstm", tokens, gate, 0.0, None, 1)
    return mem.what_happened("memory-lstm", tokens, gate, 0.0, None, 1, before.probs, after,
                             "en")


def test_type_a_sentence_force_a_gate_and_share_the_link(server, browser, page):
    page.open(f"{server}/memory?m_view=long")  # then the student's own sentence
    main = page.main()
    expect(main.get_by_test_id("stPlotlyChart")).to_have_count(7)
    box = main.get_by_label(t("memory.sentence", "en"), exact=True)
    page.after(lambda: (box.fill(SENTENCE), box.press("Enter")))
    page.page.wait_for_function("location.search.includes('m_sentence=dog')")
    page.settle()
    tokens = SENTENCE.split()
    answers = np.asarray(page.chart(0)["traces"][0]["z"], dtype=np.float64)  # RNN, GRU, LSTM
    for row, name in enumerate(mem.MODELS):
        p_dog = mem.look(name, tokens).probs[:, mem.CLASSES.index("dog")]
        np.testing.assert_allclose(answers[row], p_dog, atol=1e-5)
    assert answers[2].min() > 0.9 and answers[0, 1:].max() < 0.9  # LSTM keeps "dog"; RNN not
    _choose(page, t("memory.view", "en"), t("memory.view.first-word", "en"))  # f = 0 from 1
    page.after(lambda: (box.fill(SENTENCE), box.press("Enter")))
    assert "forgets that the first word was “dog”" in _info(page)
    assert _info(page) == _said(tokens, "f")

    _choose(page, t("memory.force.gate", "en"), t("memory.name.i", "en"))
    page.page.wait_for_function("location.search.includes('m_gate=i')")
    page.settle()
    query = _query(page.page.url)
    assert query == {"preset": "official", "m_sentence": SENTENCE, "m_gate": "i"}
    said = _said(tokens, "i")
    assert _info(page) == said

    fresh_ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    try:
        fresh = Page(fresh_ctx).open(page.page.url)
        assert _query(fresh.page.url) == query
        assert _info(fresh) == said
        assert fresh.real_errors() == []
    finally:
        fresh_ctx.close()
    assert page.page.get_by_test_id("stException").count() == 0
