"""/teach through AppTest: open a class (with a password where the deployment sets one), the
code, links and QR code, the dashboard after students answered, projector mode, pacing, a
second vote, delete — and what a link without the right key gets: nothing."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import text

from lstm_viz.classroom import codes, migrate, store
from lstm_viz.classroom.connect import make_engine
from lstm_viz.i18n import t
from tests.apptest_utils import open_app
from tests.classroom.pages import answer_wrong_then_right, healthy, join, open_class, press
from tests.classroom.test_migrate import V1_ROWS

pytestmark = pytest.mark.usefixtures("class_store")


def charts(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def shown(at) -> str:
    """Every text on the page, Markdown escapes removed."""
    return " ".join(e.value for kind in ("markdown", "caption", "code", "warning", "info",
                                         "success", "metric") for e in getattr(at, kind)
                    if isinstance(e.value, str)).replace("\\", "")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_open_a_class_and_get_its_code_links_and_qr(lang):
    at, code, key = open_class("Période 3 <b>", lang=lang)
    assert codes.read_code(code) == code and codes.read_key(key) == key
    assert at.header[0].value == "Période 3 \\<b\\>"  # escaped, shown as typed
    assert at.metric[0].value == code
    assert [c.value for c in at.code] == [f"http://localhost:8501/learn?class={code}"]
    assert key not in shown(at)  # projector mode: the teacher link is not on screen
    assert any("data:image/png;base64," in m.value and t("teach.qr_alt", lang, code=code) in m.value
               for m in at.markdown)  # the QR code, with its alt text
    assert charts(at) and t("teach.grid", lang) not in shown(at)  # nobody yet: no grid
    assert t("teach.nobody", lang) in shown(at)


def test_the_teacher_link_opens_the_dashboard_again_and_names_show_it():
    _, code, key = open_class()
    again = open_app({"class": code, "key": key, "names": "1"}, "teach")
    healthy(again)
    assert again.metric[0].value == code
    assert key in " ".join(c.value for c in again.code)  # names shown: the teacher link too


@pytest.mark.parametrize("bad", ["missing", "wrong", "other", "hash", "hostile"])
def test_no_dashboard_without_the_classs_key(bad):
    _, code, key = open_class("A")
    a = join(code, "Ada")
    answer_wrong_then_right(a)
    _, _, other_key = open_class("B")
    given = {"missing": None, "wrong": codes.new_key(), "other": other_key,
             "hash": codes.key_hash(key)[:40], "hostile": "' OR 1=1 --<script>"}[bad]
    at = open_app({"class": code, **({"key": given} if given else {})}, "teach")
    healthy(at)
    text = shown(at)
    assert "Ada" not in text and not at.get("plotly_chart") and not at.metric
    assert at.header[0].value == t("teach.open_title", "en")  # the open form instead
    if bad in ("wrong", "other", "hash"):
        assert t("teach.bad_link", "en") in text
    assert "key" not in dict(at.query_params)


def test_a_password_guards_opening_a_class(monkeypatch):
    monkeypatch.setenv("LSTM_VIZ_TEACHER_PASSWORD", "s3cret ✓")
    at, code, _ = open_class(teach_password="guess")
    assert code is None and t("teach.wrong_password", "en") in shown(at)
    at, code, _ = open_class(teach_password="s3cret ✓")
    assert code is not None


def test_the_dashboard_after_three_students_and_projector_mode():
    teacher, code, key = open_class("A", lessons=["000-shapes", "003-batch-first"])
    ada, bo, cy = join(code, "Ada"), join(code, ""), join(code, "王小明")
    answer_wrong_then_right(ada)  # N and L swapped, then right
    answer_wrong_then_right(bo)
    teacher.run()
    healthy(teacher)
    assert [m.value for m in teacher.metric][1:3] == ["3", "4"]
    overview, vote, grid = charts(teacher)
    right, named, other, none = overview["data"]
    assert (right["y"][0], named["y"][0], other["y"][0], none["y"][0]) == (0, 2, 0, 1)
    assert vote["data"][0]["x"][:2] == ["right", t("class.mis.nl_swapped", "en")]
    assert "N and L swapped" in teacher.table[0].value.iloc[0, 0]
    assert grid["layout"]["yaxis"]["ticktext"] == ["", "", ""]  # projector: no names
    assert grid["data"][0]["z"][0][:2] == [2, 0] and grid["data"][0]["text"][0][0] == "2"
    assert "Ada" not in shown(teacher)
    named_view = open_app({"class": code, "key": key, "names": "1"}, "teach")
    grid = charts(named_view)[2]
    assert grid["layout"]["yaxis"]["ticktext"] == ["Ada", "Student 2", "王小明"]
    assert len(grid["data"][0]["x"]) == 10 + 9  # both lessons' steps
    assert cy.session_state["class_bound"][1].number == 3


def test_pacing_pause_and_a_second_vote_reach_the_students():
    teacher, code, _ = open_class("A")
    ada = join(code, "Ada")
    answer_wrong_then_right(ada)
    teacher.selectbox(key="teach_furthest").set_value(0).run()
    healthy(teacher)
    ada.button(key="learn_next").click().run()  # the teacher holds the class at step 1
    healthy(ada)
    assert dict(ada.query_params)["step"] == "0" and ada.button(key="learn_next").disabled
    teacher.toggle(key="teach_paused").set_value(True).run()
    ada.run()
    assert t("class.paused", "en") in shown(ada) and not ada.text_input
    teacher.toggle(key="teach_paused").set_value(False).run()
    press(teacher, t("teach.vote", "en", round=2))  # step 1 again
    healthy(teacher)
    ada.run()
    healthy(ada)
    assert t("class.second_vote", "en", round=2) in shown(ada) and ada.text_input
    answer_wrong_then_right(ada)
    teacher.run()
    vote = charts(teacher)[1]
    assert [d["name"] for d in vote["data"]] == ["round 1", "round 2"]


def test_delete_ends_the_class_for_everyone():
    teacher, code, key = open_class("A")
    ada = join(code, "Ada")
    teacher.checkbox(key="teach_confirm").check()
    teacher.button(key="teach_delete").click().run()
    healthy(teacher)
    assert t("teach.deleted", "en") in shown(teacher) and "class" not in dict(teacher.query_params)
    ada.run()
    healthy(ada)
    assert t("class.ended", "en") in shown(ada) and ada.text_input  # on their own now
    gone = open_app({"class": code, "key": key}, "teach")
    assert t("teach.bad_link", "en") in shown(gone)


def test_the_new_app_opens_a_class_kept_in_a_schema_1_store(class_store):
    """An older store (schema 1, before pacing and votes) under LSTM_VIZ_DATA_DIR: the app
    upgrades it on first use and the teacher's link shows the class with its answers."""
    engine = make_engine(f"sqlite:///{class_store / 'classroom.db'}")
    migrate.upgrade(engine, "0001")
    key = codes.new_key()
    with engine.begin() as conn:
        for statement in V1_ROWS.split(";"):
            conn.execute(text(statement), {"code": "K7QX3M", "hash": codes.key_hash(key),
                                           "now": time.time()})
    engine.dispose()
    at = open_app({"class": "K7QX3M", "key": key, "names": "1"}, "teach")
    healthy(at)
    assert at.metric[0].value == "K7QX3M" and at.metric[2].value == "3"
    assert charts(at)[2]["layout"]["yaxis"]["ticktext"] == ["Ada", "Student 2"]
    assert migrate.version(make_engine(f"sqlite:///{class_store / 'classroom.db'}")) == "0002"
    assert store.find_class(make_engine(f"sqlite:///{class_store / 'classroom.db'}"),
                            "K7QX3M").paused is False


@pytest.mark.parametrize("url", ["mysql://nobody@nowhere/db", "postgresql+psycopg://u@127.0.0.1:1/x"])
def test_a_store_that_cannot_be_used_is_said_never_raised(monkeypatch, url):
    """A bad or unreachable LSTM_VIZ_DATABASE_URL (serve.py refuses the first at start; a
    plain ``streamlit run`` does not): both pages say so and go on."""
    monkeypatch.setenv("LSTM_VIZ_DATABASE_URL", url)
    at = open_app({}, "teach")
    healthy(at)
    assert t("teach.store_down_open", "en") in shown(at)
    student = open_app({"class": "K7QX3M", "student": "a" * 16}, "learn")
    healthy(student)
    assert t("class.unreachable", "en") in shown(student)
    assert student.text_input  # the lesson goes on
