"""/learn?class=… through AppTest: joining, every check recorded before its feedback, the
student's answers restored in a new session (a reload, a new tab, another replica), bad
links, the teacher's own preview, a drill class, and a store that goes away and comes back."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import pytest

from lstm_viz.classroom import codes, migrate, records, store
from lstm_viz.classroom.connect import make_engine
from lstm_viz.i18n import t
from serving.postgres import Postgres, bin_dir
from tests.apptest_utils import open_app
from tests.classroom.pages import answer_wrong_then_right, healthy, join, open_class, reopen
from tests.test_page_learn import answer as type_answer
from tests.test_page_learn import question_now
from ui import classroom


def shown(at) -> str:
    """Every text on the page, Markdown escapes removed."""
    return " ".join(e.value for kind in ("markdown", "caption", "warning", "info", "success")
                    for e in getattr(at, kind)).replace("\\", "")


def stored(tmp: Path, code: str) -> list[records.Answer]:
    engine = make_engine(f"sqlite:///{tmp / 'classroom.db'}")
    try:
        return records.answers_of(engine, store.find_class(engine, code).id)
    finally:
        engine.dispose()


def test_join_answer_and_every_check_is_recorded(class_store):
    _, code, _ = open_class()
    at = join(code, "<b>Ada</b> **x**")
    assert any("\\<b\\>Ada\\<\\/b\\> \\*\\*x\\*\\*" in c.value for c in at.caption)  # as text
    at.text_input[0].input("abc")  # unreadable: recorded, no attempt
    next(b for b in at.button if (b.key or "").startswith("learn_check")).click().run()
    healthy(at)
    q = answer_wrong_then_right(at)
    rows = stored(class_store, code)
    assert [(a.step, a.attempt, a.status, a.round) for a in rows] == [
        (0, 0, "invalid", 1), (0, 1, "wrong", 1), (0, 2, "right", 1)]
    assert (rows[0].typed, rows[0].read) == ("abc", "")
    assert rows[2].read == str(q.expected) and rows[1].misconception == next(iter(q.wrong))
    assert t("class.not_reached", "en", n=1) not in shown(at)


def test_a_new_session_of_the_same_link_is_the_same_student(class_store):
    _, code, _ = open_class()
    at = join(code, "Ada")
    answer_wrong_then_right(at)
    at.button(key="learn_next").click().run()
    again = reopen(at)  # a reload, a new tab, another replica: the URL carries the student
    healthy(again)
    assert "Ada" in shown(again) and dict(again.query_params)["step"] == "1"
    assert again.metric[0].value == "1 / 1"
    again.button(key="learn_prev").click().run()
    healthy(again)
    assert again.success and not again.text_input  # step 1 restored: right, revealed
    assert len(stored(class_store, code)) == 2  # nothing recorded twice


@pytest.mark.parametrize("case", ["bad token", "other class", "unknown class", "bad code"])
def test_bad_class_links_are_repaired_with_a_notice(class_store, case):
    _, code, _ = open_class("A")
    _, other, _ = open_class("B")
    stranger = join(other, "Bo")
    query = {"bad token": {"class": code, "student": "<script>x</script>"},
             "other class": {"class": code,
                             "student": dict(stranger.query_params)["student"]},
             "unknown class": {"class": "ZZZZZZ"}, "bad code": {"class": "' OR 1=1 --"}}[case]
    at = open_app(query, "learn")
    healthy(at)
    if case in ("bad token", "other class"):
        assert at.text_input(key="class_nickname")  # join (again)
        assert "student" not in dict(at.query_params)
    else:
        assert "class" not in dict(at.query_params) and at.text_input  # the lesson, alone
        assert (t("class.no_class", "en", code="ZZZZZZ") if case == "unknown class"
                else "class=") in shown(at)


def test_the_teacher_previewing_records_nothing(class_store):
    teacher, code, _ = open_class()
    teacher.switch_page("app_pages/learn.py").run()
    healthy(teacher)
    assert t("class.teacher_preview", "en") in shown(teacher)
    answer_wrong_then_right(teacher)
    assert stored(class_store, code) == []


def test_a_drill_class_gives_everyone_its_seed_and_its_questions(class_store):
    _, code, _ = open_class(teach_kind="drill", teach_seed=7, teach_questions=3)
    ada, bo = join(code, "Ada"), join(code, "Bo")
    for at in (ada, bo):
        assert at.session_state["settings"].spec.seed == 7
        assert dict(at.query_params)["lesson"] == "drill"
    for k in range(3):
        q = question_now(ada, "drill", k)
        type_answer(ada, q, q.expected)
        healthy(ada)
        if k < 2:
            ada.button(key="learn_next").click().run()
    assert not [b for b in ada.button if b.key == "learn_next"]  # 3 questions, no more
    assert len(stored(class_store, code)) == 3


@pytest.fixture
def own_postgres(monkeypatch):
    binaries = bin_dir()
    if binaries is None:
        pytest.skip("PostgreSQL is not installed: scripts/test.sh installs Debian's postgresql")
    root = Path(tempfile.mkdtemp(prefix="lstm-viz-postgres-"))
    server = Postgres(root, binaries).start()
    monkeypatch.setenv("LSTM_VIZ_DATABASE_URL", server.url())
    yield server
    server.stop("immediate")
    shutil.rmtree(root, ignore_errors=True)


def test_the_store_goes_away_and_comes_back(own_postgres):
    """PostgreSQL stops mid-class: the student still gets feedback and is told the answer has
    not reached the class; the dashboard says the store is unreachable; no traceback. It
    starts again: the answer arrives, once."""
    teacher, code, _ = open_class()
    ada = join(code, "Ada")
    own_postgres.stop("fast")
    q = question_now(ada, "000-shapes", 0)
    type_answer(ada, q, q.expected)
    healthy(ada)
    assert ada.success  # the feedback
    assert t("class.not_reached", "en", n=1) in shown(ada)
    teacher.run()
    healthy(teacher)
    assert t("teach.store_down", "en") in shown(teacher)
    own_postgres.start()
    deadline = time.monotonic() + 30
    while classroom.waiting(ada.session_state["class_sent"]) and time.monotonic() < deadline:
        time.sleep(0.5)  # the outbox's background sender
    engine = make_engine(own_postgres.url())
    assert migrate.current(engine)
    rows = records.answers_of(engine, store.find_class(engine, code).id)
    assert [(a.status, a.attempt) for a in rows] == [("right", 1)]
    engine.dispose()
    time.sleep(classroom.RETRY_S)
    ada.run()
    healthy(ada)
    assert t("class.not_reached", "en", n=1) not in shown(ada)
    teacher.run()
    assert teacher.metric[1].value == "1"
    assert codes.read_code(code) == code
