"""The Lessons page through AppTest: every lesson played to the end in both languages (a
wrong answer, its diagnosis, the right answer, the reveal), teacher links and locks, the
drill, and hostile answers (nothing raises, nothing typed is rendered as markup)."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lstm_viz.i18n import LANGS, t
from lstm_viz.lessons.checker import shape_text
from lstm_viz.lessons.questions import ask
from lstm_viz.lessons.steps import count, lesson_ids, settings_for, step_of
from lstm_viz.state.pipeline import build, run
from tests.apptest_utils import open_app

LESSONS = [lid for lid in lesson_ids() if lid != "drill"]
ANSWER_EXAMPLES = int(os.environ.get("LSTM_VIZ_FUZZ_APP_EXAMPLES", 300)) // 3


def learn(query: dict) -> object:
    """The app opened at /learn with ``query`` (URL keys, as a teacher's link has them)."""
    return open_app(query, "learn")


def question_now(at, lesson: str, k: int):
    """The question the page asks now, computed again from the session's Settings."""
    s = at.session_state["settings"]
    built = build(s)
    return ask(step_of(lesson, k, s.spec.seed), run(s, built), built.module)


def some_wrong(q):
    """A misconception's answer if there is one, else some other wrong answer."""
    if q.wrong:
        return next(iter(q.wrong.items()))
    if q.kind == "shape":
        return None, (q.expected[0] + 1, *q.expected[1:])
    if q.kind == "number":
        return None, q.expected + 1
    return None, next(o for o in q.options if o != q.expected)


def answer(at, q, value):
    """Type (shape, number) or pick (choice, unit, step) ``value`` and press Check."""
    if q.kind in ("shape", "number"):
        at.text_input[0].input(shape_text(value) if q.kind == "shape" else str(value))
    else:
        at.radio[0].set_value(value)
    return press(at, "learn_check")


def press(at, prefix: str):
    """Click the (only) button whose key starts with ``prefix`` and rerun."""
    return next(b for b in at.button if (b.key or "").startswith(prefix)).click().run()


def healthy(at):
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    for md in at.markdown:  # no element of the page may render HTML
        assert not md.proto.allow_html


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("lesson", LESSONS)
def test_every_lesson_to_the_end_wrong_then_right(lesson, lang):
    at = learn({"lesson": lesson, "lang": lang})
    for k in range(count(lesson)):
        healthy(at)
        assert at.header[0].value == t("learn.step_of", lang, k=k + 1, count=count(lesson))
        q = question_now(at, lesson, k)
        mid, wrong = some_wrong(q)
        answer(at, q, wrong)
        healthy(at)
        said = " ".join(w.value for w in at.warning)
        assert t("learn.wrong", lang) in said
        if mid:  # the diagnosis names this very mistake
            named = t(f"lesson.mis.{mid}", lang).split("{")[0][:25]
            assert named.replace("(", "\\(")[:10] in said or named[:10] in said, (mid, said)
        answer(at, q, q.expected)
        healthy(at)
        assert t("learn.right", lang).split("{")[0] in at.success[0].value
        assert at.code and at.code[0].value  # what torch returned
        assert at.session_state["lesson_log"][f"{lesson}/0/{k}"]["done"] == "right"
        if k + 1 < count(lesson):
            at.button(key="learn_next").click().run()
    assert any(t("learn.done", lang) in s.value for s in at.success)
    right, attempted = count(lesson), count(lesson)
    assert at.metric[0].value == f"{right} / {attempted}"


def test_a_teachers_link_opens_exactly_that_step():
    at = learn({"lesson": "003-batch-first", "step": "2", "lang": "zh"})
    healthy(at)
    assert at.header[0].value == t("learn.step_of", "zh", k=3, count=count("003-batch-first"))
    s = at.session_state["settings"]
    assert (s.preset, s.lang) == ("batch-first", "zh")
    assert dict(at.query_params)["lesson"] == "003-batch-first"
    assert dict(at.query_params)["step"] == "2"
    assert any(t("lesson.ask.shape", "zh", name="output") in m.value for m in at.markdown)


def test_a_shared_link_keeps_its_configuration_and_offers_the_steps_back():
    at = learn({"lesson": "003-batch-first", "step": "2", "preset": "batch-first",
                "hidden_size": "7"})
    healthy(at)
    assert at.session_state["settings"].config.hidden_size == 7
    assert any(t("learn.changed", "en") in i.value for i in at.info)
    q = question_now(at, "003-batch-first", 2)
    assert q.expected == (5, 4, 7)  # asked of the student's configuration
    next(b for b in at.button if b.label == t("learn.restore", "en")).click().run()
    healthy(at)
    assert at.session_state["settings"].config.hidden_size == 3


@pytest.mark.parametrize(("query", "bad"), [({"lesson": "nope", "step": "1"}, "lesson=nope"),
                                            ({"lesson": "002-packing", "step": "99"}, "step=99"),
                                            ({"lesson": "002-packing", "step": "-1"}, "step=-1")])
def test_bad_lesson_or_step_is_repaired_with_a_notice(query, bad):
    at = learn(query)
    healthy(at)
    assert any(bad in w.value.replace("\\", "") for w in at.warning)


def test_lock_fixes_the_lesson_but_not_the_steps():
    at = learn({"lesson": "004-stacked", "lock": "1"})
    healthy(at)
    assert at.selectbox(key="learn_lesson").disabled
    at.button(key="learn_next").click().run()
    healthy(at)
    assert dict(at.query_params)["step"] == "1" and at.session_state["settings"].lock


def test_a_locked_deployment_keeps_the_lesson_link(monkeypatch):
    for name in [n for n in os.environ if n.startswith("LSTM_VIZ_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("LSTM_VIZ_LOCK", "1")
    monkeypatch.setenv("LSTM_VIZ_PRESET", "pets")
    at = learn({"lesson": "002-packing", "step": "4", "hidden_size": "9"})
    healthy(at)
    s = at.session_state["settings"]
    assert s.lock and s.preset == "packing" and s.config.hidden_size == 4
    assert dict(at.query_params)["step"] == "4"


def test_the_drill_gives_everyone_the_same_questions():
    first, second = learn({"lesson": "drill", "seed": "5"}), learn({"lesson": "drill", "seed": "5"})
    for k in range(3):
        healthy(first)
        assert first.session_state["settings"] == second.session_state["settings"]
        own, _ = settings_for(step_of("drill", k, 5), first.session_state["settings"])
        assert first.session_state["settings"] == own  # the question's configuration
        assert not first.info  # nothing says the configuration was changed
        q = question_now(first, "drill", k)
        assert q.kind == "shape"
        answer(first, q, q.expected)
        assert first.success
        for at in (first, second):
            at.button(key="learn_next").click().run()
    assert first.session_state["settings"].spec.seed == 5


def test_unreadable_answers_get_a_message_and_do_not_count():
    at = learn({"lesson": "000-shapes", "step": "2"})
    for text, code in (("", "empty"), ("abc", "letters"), ("5, 3", "arity"),
                       ("(5, -3, 20)", "negative"), ("9" * 20_000, "too_long")):
        at.text_input[0].input(text)
        press(at, "learn_check")
        healthy(at)
        assert at.warning, code
    assert at.metric[0].value == "0 / 0"


@pytest.fixture(scope="module")
def hostile_page():
    return learn({"lesson": "000-shapes", "step": "2"})


# A browser cannot send a lone surrogate (UTF-8 only), so the text leaves them out.
HOSTILE = st.text(st.characters(exclude_categories=("Cs",)), max_size=300) | st.sampled_from([
    "<script>alert(1)</script>", "<b id='inj'>5</b>, 3, 20", "**5**, 3, 20", "$x$", ":red[5]",
    "[5](javascript:alert(1))", "\x00\x07\x1b[31m5\u202e, 3, 20", "５，３，<i>２０</i>",
    "{0}{name}", "\n\n# 5", "1e400", "0x10, 3, 20"])


@settings(max_examples=ANSWER_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=HOSTILE)
def test_hostile_answers_through_the_app(hostile_page, text):
    at = hostile_page
    if not at.text_input:  # an example happened to be the right answer: ask again
        at.session_state["lesson_log"] = {}
        at.run()
    at.text_input[0].input(text)
    press(at, "learn_check")
    healthy(at)
    shown = " ".join(e.value for e in (*at.warning, *at.info, *at.markdown))
    assert "<script" not in shown and "<b id" not in shown


def test_one_students_answers_stay_in_their_session():
    a, b = learn({"lesson": "000-shapes"}), learn({"lesson": "000-shapes"})
    q = question_now(a, "000-shapes", 0)
    answer(a, q, q.expected)
    b.run()
    assert a.metric[0].value == "1 / 1" and b.metric[0].value == "0 / 0"


def test_a_deployments_smaller_caps_change_the_numbers_not_the_checking(monkeypatch):
    """LSTM_VIZ_MAX_HIDDEN_SIZE=8: lesson 000's LSTM(10, 20, 2) becomes LSTM(10, 8, 2) (with a
    notice), and the question is asked of that module."""
    from ui import state

    monkeypatch.setenv("LSTM_VIZ_MAX_HIDDEN_SIZE", "8")
    state.caps.clear()
    try:
        at = learn({"lesson": "000-shapes", "step": "2"})
        healthy(at)
        assert at.session_state["settings"].config.hidden_size == 8
        assert any("hidden_size" in w.value.replace("\\", "") for w in at.warning)  # named
        q = question_now(at, "000-shapes", 2)
        assert q.expected == (5, 3, 8)
        answer(at, q, q.expected)
        assert at.success
    finally:
        monkeypatch.undo()
        state.caps.clear()


@pytest.mark.parametrize("lang", LANGS)
def test_the_race_step_names_its_training_not_the_sidebars_module(lang):
    """A training answers the race step: its caption names that run's recipe (the Train
    page's), never the sidebar's nn.LSTM, which plays no part in it."""
    from lstm_viz.explain.tables import summary
    from lstm_viz.lessons import race

    k = next(k for k in range(count("trained-sentiment"))
             if step_of("trained-sentiment", k, 0).target in race.TARGETS)
    at = learn({"lesson": "trained-sentiment", "step": str(k), "lang": lang})
    healthy(at)
    q = question_now(at, "trained-sentiment", k)
    captions = [c.value for c in at.caption]
    assert t("lesson.race.caption", lang, **race.values(q.step.params)) in captions
    s = at.session_state["settings"]
    result = run(s, build(s))
    assert summary(s.config, s.spec, result.batch.N, result.batch.L, lang) not in captions
