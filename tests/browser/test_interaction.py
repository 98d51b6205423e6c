"""What a student does in a real Chromium: change the sidebar, step through a sentence, click
a cell, switch the language, open a teacher's URL. Expected numbers come from the real run."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from playwright.sync_api import expect

from lstm_viz.explain.worked_tex import num
from lstm_viz.figures import state_norms
from lstm_viz.i18n import LANG_NAMES, t
from lstm_viz.state.pipeline import run
from lstm_viz.state.query import from_query
from tests.browser.conftest import Page

pytestmark = pytest.mark.browser


def _query(url: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlparse(url).query).items()}


def _real_run(query: dict[str, str]):
    settings, notices = from_query(query)
    assert notices == []
    return run(settings)


def _grid_z(p: Page) -> np.ndarray:
    return np.asarray(p.chart(0)["traces"][0]["z"], dtype=np.float64)


def _expected_norms(query: dict[str, str]) -> np.ndarray:
    norms = state_norms(_real_run(query).trace, 0)  # (num_layers, D, L)
    return norms.reshape(-1, norms.shape[-1])  # rows: layer * D + d


def _assert_clean(p: Page) -> None:
    assert p.page.get_by_test_id("stException").count() == 0
    assert p.page.locator("[data-testid=stAlertContentError]").count() == 0
    assert p.real_errors() == []


def test_sidebar_changes_redraw_the_grid_and_the_url(server, page):
    page.open(f"{server}/?preset=official")
    np.testing.assert_allclose(_grid_z(page), _expected_norms({"preset": "official"}), rtol=1e-5)

    toggle = page.sidebar().get_by_label(t("arg.bidirectional", "en"), exact=True)
    page.after(lambda: toggle.check(force=True))
    page.page.wait_for_function("location.search.includes('bidirectional=true')")
    wanted = {"preset": "official", "bidirectional": "true"}
    assert _grid_z(page).shape == (4, 5)  # 2 layers x 2 directions, L = 5
    np.testing.assert_allclose(_grid_z(page), _expected_norms(wanted), rtol=1e-5)

    box = page.sidebar().get_by_label(t("arg.hidden_size", "en"), exact=True)
    page.after(lambda: (box.fill("7"), box.press("Enter")))
    page.page.wait_for_function("location.search.includes('hidden_size=7')")
    wanted["hidden_size"] = "7"
    assert _query(page.page.url) == wanted
    np.testing.assert_allclose(_grid_z(page), _expected_norms(wanted), rtol=1e-5)
    _assert_clean(page)


def _worked_heading(p: Page) -> str:
    return p.main().locator("h2").filter(has_text=re.compile("Worked math")).inner_text()


def _gate_line(p: Page, gate: str) -> str:
    return next(line for line in p.tex() if line.startswith(rf"\begin{{aligned}}{gate}_t"))


def test_gates_slider_and_play_move_the_worked_math(server, page):
    query = {"preset": "official"}
    i_gate = _real_run(query).trace.step_values(0, 0)["i"]  # (N, L, H_cell)
    page.open(f"{server}/gates?preset=official")
    assert _worked_heading(page).endswith("t = 0")
    assert _gate_line(page, "i").endswith(f"= {num(float(i_gate[0, 0, 0]))}\\end{{aligned}}")

    slider = page.main().get_by_role("slider", name=t("gates.step", "en"))
    page.after(lambda: (slider.focus(), slider.press("ArrowRight")))
    expect(page.main().locator("h2").filter(has_text="Worked math")).to_contain_text("t = 1")
    assert _gate_line(page, "i").endswith(f"= {num(float(i_gate[0, 1, 0]))}\\end{{aligned}}")
    rows = [s for s in page.chart(0)["shapes"] if s["name"].startswith("selected ")]
    assert rows and all(s["y0"] < 1 < s["y1"] for s in rows)  # the outlined row: t = 1

    play = page.main().get_by_role("button", name=t("gates.play", "en"))
    play.click()
    heading = page.main().locator("h2").filter(has_text="Worked math")
    for step in (2, 3, 4):  # one token per second, then it stops by itself at the end
        expect(heading).to_contain_text(f"t = {step}", timeout=30_000)
    expect(page.main().get_by_role("button", name=t("gates.play", "en"))).to_be_visible(
        timeout=30_000)
    page.settle()
    assert _gate_line(page, "i").endswith(f"= {num(float(i_gate[0, 4, 0]))}\\end{{aligned}}")
    _assert_clean(page)


def _click_cell(p: Page, layer: int, d: int, step: int, D: int) -> None:
    """A real mouse click at the centre of grid cell (layer, d, t)."""
    p.page.locator("[data-testid=stPlotlyChart]").first.scroll_into_view_if_needed()
    x, y = p.page.evaluate("""([row, step]) => {
      const gd = document.querySelector('[data-testid=stPlotlyChart] .js-plotly-plot');
      const box = gd.getBoundingClientRect(), xa = gd._fullLayout.xaxis,
            ya = gd._fullLayout.yaxis;
      return [box.left + xa._offset + xa.l2p(step), box.top + ya._offset + ya.l2p(row)];
    }""", [layer * D + d, step])
    p.page.mouse.move(x, y)
    p.after(lambda: p.page.mouse.click(x, y))


def test_clicking_a_grid_cell_opens_it_in_gates(server, page):
    page.open(f"{server}/?preset=official&bidirectional=true")
    _click_cell(page, layer=1, d=1, step=2, D=2)
    expect(page.main()).to_contain_text(t("overview.selected", "en", layer=1, t=2, n=0,
                                          direction=t("overview.direction.1", "en"),
                                          token="x2"))
    boxes = [s for s in page.chart(0)["shapes"] if s["name"] == "selected"]
    assert boxes and all(s["y0"] < 3 < s["y1"] and s["x0"] < 2 < s["x1"] for s in boxes)

    page.nav(t("page.gates", "en"))
    assert urlparse(page.page.url).path == "/gates"
    assert _query(page.page.url) == {"preset": "official", "bidirectional": "true"}
    main = page.main()
    expect(main.get_by_role("combobox", name=t("gates.layer", "en"))).to_have_value("1")
    expect(main.get_by_role("radio", name=t("gates.dir.1", "en"))).to_be_checked()
    slider = main.get_by_role("slider", name=t("gates.step", "en"))
    expect(slider).to_have_attribute("aria-valuetext", re.compile(r"^2\\?: x2$"))
    assert _worked_heading(page).endswith("t = 2")
    _assert_clean(page)


def test_language_switch_in_the_sidebar(server, page):
    page.open(f"{server}/shapes?preset=pets")
    lang_box = page.sidebar().get_by_role("combobox", name=t("arg.lang", "en"))
    lang_box.click()
    page.after(lambda: page.page.get_by_role("option", name=LANG_NAMES["zh"]).click())
    page.page.wait_for_function("location.search.includes('lang=zh')")
    assert _query(page.page.url) == {"preset": "pets", "lang": "zh"}
    expect(page.main().get_by_role("heading", name=t("page.shapes", "zh"), exact=True)
           ).to_be_visible()
    sidebar = page.sidebar()
    expect(sidebar.get_by_role("combobox", name=t("arg.preset", "zh"))).to_be_visible()
    expect(sidebar.locator("[data-testid=stSidebarNav]")).to_contain_text(t("page.gates", "zh"))

    page.nav(t("page.gates", "zh"))  # the language stays when moving between pages
    assert _query(page.page.url)["lang"] == "zh"
    expect(page.main().get_by_role("heading", name=t("page.gates", "zh"), exact=True)
           ).to_be_visible()
    _assert_clean(page)


def test_teacher_url_hides_and_locks_on_every_page(server, page):
    page.open(f"{server}/?preset=stacked&hide=preset,lang,cell&lock=1&lang=zh")
    wanted = _query(page.page.url)
    assert wanted["hide"] == "preset,lang,cell" and wanted["lock"] == "1"
    for title in ("page.gates", "page.states"):
        page.nav(t(title, "zh"))
        assert _query(page.page.url) == wanted
        sidebar = page.sidebar()
        expect(sidebar).to_contain_text(t("sidebar.locked", "zh"))
        for name in ("preset", "lang", "cell"):
            assert sidebar.get_by_role("combobox", name=t(f"arg.{name}", "zh")).count() == 0
        inputs = sidebar.locator("[data-testid=stSidebarUserContent] input")
        assert inputs.count() > 0
        assert all(inputs.nth(i).is_disabled() for i in range(inputs.count()))
    # the page's own widgets stay usable: the class can still explore the locked model
    expect(page.main().get_by_role("combobox").first).to_be_enabled()
    _assert_clean(page)


def test_repaired_url_values_are_named_and_user_text_stays_literal(server, page):
    sentences = "<b>bold</b> *star*\n[link](http://x.invalid)"
    page.open(f"{server}/gates?preset=pets&hidden_size=100000&num_layers=-1&colour=red"
              f"&sentences={sentences.replace(chr(10), '%0A').replace('&', '%26')}")
    alerts = page.main().locator("[data-testid=stAlert]").all_inner_texts()
    assert any("hidden_size=100000" in a for a in alerts)
    assert any("num_layers=-1" in a for a in alerts)
    assert any("colour" in a for a in alerts)
    assert page.main().locator("b, a[href^='http://x.invalid']").count() == 0
    options = page.main().get_by_role("combobox", name=t("gates.sentence", "en"))
    expect(options).to_have_value(re.compile(r"^0: <b>bold</b> \*star\*$"))
    assert page.page.locator("[data-testid=stPlotlyChart] .main-svg").count() >= 1
    _assert_clean(page)
