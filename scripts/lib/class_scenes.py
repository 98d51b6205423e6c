"""The class-mode scenes of scripts/screenshots.py: a class played in the app first.

A teacher opens a class on /teach; four students join in browser contexts of their own and
answer step 1 (right, N and L swapped, an unforeseen answer), two of them step 2 too. Then
the scenes are shot from their URLs (the state is in the class store, the identity in the
URL): ``teach-projector`` (the dashboard, names hidden), ``learn-class`` (a student's joined
lesson, restored), then, after the teacher opens a second vote and three students answer
again, ``teach-vote`` (round 1 beside round 2).
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

from lstm_viz.i18n import t
from serving.appserver import settle

SCENES = ("teach-projector", "learn-class", "teach-vote")
NAMES = {"en": ("Period 3", ("Ada", "Bo", "Cy", "Dee")),
         "zh": ("三年级二班", ("小明", "小红", "小刚", "小丽"))}
ROUND_1 = (("3",), ("5", "3"), ("7",), ("3",))  # step 1: right; N/L swapped then right; …
STEP_2 = (("(2, 3, 20)",), ("(2, 5, 20)", "(2, 3, 20)"), (), ())
ROUND_2 = (None, "3", "3", "5")


def _query(page) -> str:
    return urlparse(page.url).query


def _answer(page, lang: str, typed: str) -> None:
    box = page.get_by_role("textbox", name=t("learn.answer", lang))
    box.fill(typed)
    box.press("Enter")
    page.wait_for_timeout(600)
    settle(page)


def _open_class(browser, url: str, lang: str):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    page = ctx.new_page()
    page.goto(f"{url}/teach?lang={lang}")
    settle(page)
    page.get_by_label(t("teach.name", lang)).fill(NAMES[lang][0])
    page.get_by_role("button", name=t("teach.open", lang)).click()
    page.wait_for_function("location.search.includes('key=')", timeout=30_000)
    settle(page)
    return ctx, page


def _join(browser, url: str, code: str, lang: str, name: str):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.goto(f"{url}/learn?class={code}&lang={lang}")
    settle(page)
    page.get_by_label(t("class.nickname", lang)).fill(name)
    page.get_by_role("button", name=t("class.join", lang)).click()
    page.wait_for_function("location.search.includes('student=')", timeout=30_000)
    settle(page)
    return ctx, page


def shots(browser, url: str, lang: str) -> Iterator[tuple[str, str, str]]:
    """Play the class; yield (scene, page path, query) when each scene is ready to shoot."""
    contexts = []
    try:
        ctx, teacher = _open_class(browser, url, lang)
        contexts.append(ctx)
        query = parse_qs(_query(teacher))
        code, key = query["class"][-1], query["key"][-1]
        students = []
        for name in NAMES[lang][1]:
            ctx, page = _join(browser, url, code, lang, name)
            contexts.append(ctx)
            students.append(page)
        for page, first, second in zip(students, ROUND_1, STEP_2, strict=True):
            for typed in first:
                _answer(page, lang, typed)
            if second:
                page.get_by_role("button", name=t("learn.next", lang)).click()
                page.wait_for_timeout(800)
                settle(page)
                for typed in second:
                    _answer(page, lang, typed)
        board = f"class={code}&key={key}&lang={lang}"
        teacher.wait_for_timeout(2500)  # a dashboard refresh
        yield "teach-projector", "teach", board
        yield "learn-class", "learn", _query(students[2])
        teacher.reload()
        settle(teacher)
        teacher.get_by_role("button", name=t("teach.vote", lang, round=2)).click()
        for page, typed in zip(students, ROUND_2, strict=True):
            if typed is None:
                continue
            if "step=0" not in _query(page):  # went on to step 2: back to the vote
                page.get_by_role("button", name=t("learn.prev", lang)).click()
                page.wait_for_timeout(800)
                settle(page)
            page.get_by_text(t("class.second_vote", lang, round=2)).wait_for(timeout=20_000)
            settle(page)
            _answer(page, lang, typed)
        teacher.wait_for_timeout(2500)
        yield "teach-vote", "teach", board
    finally:
        for ctx in contexts:
            ctx.close()
