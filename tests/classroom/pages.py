"""Helpers for class mode through AppTest: a teacher opens a class on /teach, students join
on /learn?class=…, answer, reload."""

from __future__ import annotations

from lstm_viz.i18n import t
from tests.apptest_utils import open_app
from tests.test_page_learn import answer as type_answer
from tests.test_page_learn import question_now, some_wrong


def healthy(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    for md in at.markdown:
        assert not md.proto.allow_html


def press(at, label: str):
    """Click the button whose label is ``label`` and rerun."""
    return next(b for b in at.button if b.label == label).click().run()


def open_class(name: str = "Period 3", lessons: list[str] | None = None, lang: str = "en",
               **form) -> tuple[object, str, str]:
    """A teacher's AppTest on /teach after opening a class: (app, code, key)."""
    at = open_app({"lang": lang}, "teach")
    at.text_input(key="teach_name").input(name)
    if lessons is not None:
        at.multiselect(key="teach_lessons").set_value(lessons)
    for key, value in form.items():
        at.session_state[key] = value
    press(at, t("teach.open", lang))
    healthy(at)
    query = dict(at.query_params)
    return at, query.get("class"), query.get("key")


def join(code: str, nickname: str = "", lang: str = "en", **query):
    """A student's AppTest after joining class ``code`` (their URL in ``query_params``)."""
    at = open_app({"class": code, "lang": lang, **query}, "learn")
    healthy(at)
    at.text_input(key="class_nickname").input(nickname)
    press(at, t("class.join", lang))
    healthy(at)
    return at


def reopen(at, page: str = "learn"):
    """The same URL in a new session: a reload, a new tab, another replica."""
    return open_app(dict(at.query_params), page)


def answer_wrong_then_right(at, lesson: str = "000-shapes", k: int = 0):
    """Answer step ``k`` with a misconception (or another wrong answer), then right."""
    q = question_now(at, lesson, k)
    _, wrong = some_wrong(q)
    type_answer(at, q, wrong)
    healthy(at)
    type_answer(at, q, q.expected)
    healthy(at)
    return q
