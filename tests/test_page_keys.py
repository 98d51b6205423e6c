"""A page's own URL keys (lessons: lesson, step; Memory: m_*): not unknown, kept when locked."""

from lstm_viz.state.page_keys import page_keys
from lstm_viz.state.query import from_query, to_query
from lstm_viz.state.teacher_env import url_defaults


def test_page_keys_are_not_unknown_and_not_settings():
    settings, notices = from_query({"preset": ["official"], "lesson": ["003-batch-first"],
                                    "step": ["2"], "lang": ["zh"]})
    assert notices == []
    assert set(to_query(settings)) == {"preset", "lang"}
    _, notices = from_query({"lesson": ["x"], "bogus": ["1"]})
    assert [n.arg for n in notices] == ["bogus"]


def test_a_locked_deployment_keeps_a_lesson_link():
    params = url_defaults({"lesson": ["003-batch-first"], "step": ["2"], "hidden_size": ["7"]},
                          {"LSTM_VIZ_LOCK": "1", "LSTM_VIZ_PRESET": "pets"})
    assert params["lesson"] == ["003-batch-first"] and params["step"] == ["2"]
    assert "hidden_size" not in params and params["preset"] == ["pets"]


def test_keys_by_page():
    assert page_keys("learn") == ("lesson", "step", "class", "student")
    assert page_keys("teach") == ("class", "key", "names")
    assert page_keys("shapes") == ()
    assert set(page_keys("learn")) <= set(page_keys())


def test_memory_keys_are_page_keys_and_survive_a_lock():
    """The Memory page's m_* keys (a PageKeys spec) share the one registry with the lessons'."""
    assert {"m_view", "m_sentence", "m_gate"} <= set(page_keys("memory"))
    assert not set(page_keys("memory")) & set(page_keys("learn"))
    _, notices = from_query({"m_view": ["long"], "m_step": ["30"]})
    assert notices == []
    params = url_defaults({"m_view": ["long"], "m_step": ["30"], "hidden_size": ["7"]},
                          {"LSTM_VIZ_LOCK": "1"})
    assert params["m_view"] == ["long"] and params["m_step"] == ["30"]
    assert "hidden_size" not in params
