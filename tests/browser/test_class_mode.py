"""Class mode in real Chromium: a teacher and three students, each in a browser context of
their own. They join; they answer step 1 (right, a named misconception, an answer nobody
foresaw) and the teacher's dashboard shows each answer within 3 s of its Enter; projector
mode shows no names; pacing holds a student back; a second vote shows both rounds; the CSV
holds every answer."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest
from playwright.sync_api import expect

from lstm_viz.i18n import t
from tests.browser.conftest import Page
from tests.browser.test_accessibility import report, violations

pytestmark = pytest.mark.browser
SHOWN_WITHIN_S = 3.0
METRIC = """(label) => { for (const m of document.querySelectorAll('[data-testid=stMetric]')) {
  if (m.querySelector('[data-testid=stMetricLabel]')?.innerText.trim() === label)
    return m.querySelector('[data-testid=stMetricValue]').innerText.trim(); } return null; }"""
BARS = """(title) => { for (const gd of document.querySelectorAll('.js-plotly-plot')) {
  if ((gd._fullLayout.title?.text || '').includes(title))  // Streamlit's theme adds <b>
    return gd._fullData.map(d => ({name: d.name, x: Array.from(d.x), y: Array.from(d.y || []),
                                    ticks: gd._fullLayout.yaxis.ticktext || null})); }
  return null; }"""
GRID_TICKS = """() => { for (const gd of document.querySelectorAll('.js-plotly-plot'))
  if (gd._fullData[0]?.type === 'heatmap') return Array.from(gd._fullLayout.yaxis.ticktext);
  return null; }"""


def en(key: str, **values) -> str:
    return t(key, "en", **values)


def query(p: Page) -> dict:
    return {k: v[-1] for k, v in parse_qs(urlparse(p.page.url).query).items()}


def answer(p: Page, text: str, settle: bool = True) -> float:
    """Type an answer and press Enter (then wait for the feedback, if ``settle``); the
    monotonic time of the Enter."""
    box = p.page.get_by_role("textbox", name=en("learn.answer"))
    box.fill(text)
    sent = time.monotonic()
    if settle:
        p.after(lambda: box.press("Enter"))
    else:
        box.press("Enter")
    return sent


def dashboard_shows(teacher: Page, answers: int, sent: float) -> float:
    """Wait until the dashboard counts ``answers``; the seconds since ``sent``."""
    teacher.page.wait_for_function(f"() => ({METRIC})({en('teach.answers')!r}) === "
                                   f"'{answers}'", timeout=15_000, polling=50)
    return time.monotonic() - sent


def vote_bars(teacher: Page) -> list[dict]:
    title = en("teach.step_label", k=1, lesson=en("lesson.000-shapes.title"), j=1)
    return teacher.page.evaluate(BARS, title)


def test_a_teacher_and_three_students(browser, server):
    contexts = [browser.new_context(viewport={"width": 1400, "height": 1100}, locale="en-US",
                                    accept_downloads=True) for _ in range(4)]
    try:
        teacher, ada, bo, cy = (Page(c) for c in contexts)
        teacher.open(f"{server}/teach")
        teacher.page.get_by_label(en("teach.name")).fill("Period 3")
        teacher.after(teacher.page.get_by_role("button", name=en("teach.open")).click)
        teacher.page.wait_for_function("location.search.includes('key=')", timeout=20_000)
        code = query(teacher)["class"]
        link = teacher.main().locator("code", has_text="/learn?class=").inner_text()
        assert link.endswith(f"/learn?class={code}")

        for student, nick in ((ada, "Ada"), (bo, "Bo"), (cy, "Cy")):
            student.open(f"{server}/learn?class={code}")
            if student is ada:  # the join form: no accessibility violation
                assert violations(ada.page) == [], report(violations(ada.page))
            student.page.get_by_label(en("class.nickname")).fill(nick)
            student.after(student.page.get_by_role("button", name=en("class.join")).click)
            student.page.wait_for_function("location.search.includes('student=')",
                                           timeout=20_000)
            expect(student.main().get_by_text(nick, exact=True)).to_be_visible()

        # Step 1 asks for N (3): right, N and L swapped (5), and an answer nobody foresaw.
        took = []
        for count, (student, typed) in enumerate(((ada, "3"), (bo, "5"), (cy, "7")), 1):
            took.append(dashboard_shows(teacher, count, answer(student, typed, settle=False)))
            student.settle()  # the student's own feedback, drawn
        assert max(took) <= SHOWN_WITHIN_S, f"answer → dashboard took {took} s"
        expect(bo.main().get_by_text("You swapped N (sentences) and L")).to_be_visible()
        bars = vote_bars(teacher)
        assert bars[0]["x"] == ["right", en("class.mis.nl_swapped"), "other"]
        assert bars[0]["y"] == [1, 1, 1]
        expect(teacher.main().get_by_text("`7` × 1").or_(
            teacher.main().get_by_text("7 × 1"))).to_be_visible()

        # Projector mode: no names anywhere; then shown on request.
        for name in ("Ada", "Bo", "Cy"):
            assert teacher.main().get_by_text(name, exact=True).count() == 0
        assert teacher.page.evaluate(GRID_TICKS) == ["", "", ""]
        teacher.after(teacher.page.get_by_text(en("teach.names")).click)
        teacher.page.wait_for_function(f"() => JSON.stringify(({GRID_TICKS})()) === "
                                       "'[\"Ada\",\"Bo\",\"Cy\"]'", timeout=10_000)
        teacher.after(teacher.page.get_by_text(en("teach.names")).click)

        # Pacing: the class stays on step 1; Ada, done with it, cannot go on.
        teacher.page.get_by_role("combobox", name=en("teach.furthest")).click()
        teacher.after(teacher.page.get_by_role("option", name=en(
            "teach.step_label", k=1, lesson=en("lesson.000-shapes.title"), j=1)).click)
        expect(ada.page.get_by_role("button", name=en("learn.next"))).to_be_disabled(
            timeout=10_000)
        expect(ada.main().get_by_text(en("class.wait_next"))).to_be_visible()
        assert query(ada)["step"] == "0"

        # A second vote on step 1: everyone answers again; round 1 beside round 2.
        teacher.after(teacher.page.get_by_role("button", name=en("teach.vote", round=2)).click)
        for student, typed in ((ada, "3"), (bo, "3"), (cy, "5")):
            expect(student.main().get_by_text(en("class.second_vote", round=2))).to_be_visible(
                timeout=10_000)
            student.settle()
            answer(student, typed)
        dashboard_shows(teacher, 6, time.monotonic())
        deadline = time.monotonic() + 10
        while len(vote_bars(teacher)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        first, second = vote_bars(teacher)
        assert (first["name"], second["name"]) == ("round 1", "round 2")
        assert dict(zip(second["x"], second["y"], strict=True)) == {
            "right": 2, en("class.mis.nl_swapped"): 1, "other": 0}

        # The CSV: every answer, as typed, with its round.
        with teacher.page.expect_download() as download:
            teacher.page.get_by_role("button", name=en("teach.csv")).click()
        table = pd.read_csv(download.value.path(), encoding="utf-8-sig", keep_default_na=False,
                            dtype=str)
        assert len(table) == 6
        assert sorted(zip(table["name"], table["typed"], table["round"], strict=True)) == sorted([
            ("Ada", "3", "1"), ("Bo", "5", "1"), ("Cy", "7", "1"),
            ("Ada", "3", "2"), ("Bo", "3", "2"), ("Cy", "5", "2")])
        for p in (teacher, ada):  # the dashboard, a joined lesson: axe-core
            p.page.mouse.move(0, 0)  # no tooltip left open by the last click
            p.page.wait_for_timeout(300)
            found = violations(p.page)
            assert found == [], report(found)
        for p in (teacher, ada, bo, cy):
            assert p.real_errors() == [], p.real_errors()
    finally:
        for c in contexts:
            c.close()
