"""The shell through AppTest: URL state, widgets, hide/lock, language, bad values."""

import pytest

from lstm_viz.i18n import t
from lstm_viz.state.query import from_query
from tests.apptest_utils import PAGES, open_app


def _query(at) -> dict[str, str]:
    return {k: at.query_params[k][-1] if isinstance(at.query_params[k], list)
            else at.query_params[k] for k in at.query_params}


def test_default_page_runs_the_official_preset():
    at = open_app()
    assert not at.exception and not at.error
    assert _query(at) == {"preset": "official"}
    assert at.number_input(key="w_hidden_size").value == 20
    assert at.success and "max abs difference" in at.success[0].value


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_from_a_url(page):
    at = open_app({"preset": "packing"}, page)
    assert not at.exception and not at.error
    assert _query(at)["preset"] == "packing"


def test_widget_change_updates_the_url_and_a_fresh_session_reproduces_it():
    at = open_app({"preset": "official"})
    at.number_input(key="w_hidden_size").set_value(7).run()
    at.toggle(key="w_bidirectional").set_value(True).run()
    at.selectbox(key="w_cell").set_value("GRU").run()
    query = _query(at)
    assert query == {"preset": "official", "hidden_size": "7", "bidirectional": "true",
                     "cell": "GRU"}
    fresh = open_app(query)
    assert fresh.session_state["settings"] == at.session_state["settings"]
    assert fresh.number_input(key="w_hidden_size").value == 7
    assert fresh.toggle(key="w_bidirectional").value is True


def test_settings_survive_page_switches():
    at = open_app({"preset": "pets"})
    at.number_input(key="w_hidden_size").set_value(3).run()
    for page in ("shapes", "gates", "overview"):
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception
        assert at.session_state["settings"].config.hidden_size == 3
        assert _query(at)["hidden_size"] == "3"


def test_preset_change_resets_to_that_preset():
    at = open_app({"preset": "official", "hidden_size": "9"})
    at.selectbox(key="w_preset").set_value("stacked").run()
    assert _query(at) == {"preset": "stacked"}
    assert at.number_input(key="w_num_layers").value == 3


def test_hide_removes_controls_and_lock_disables_them():
    at = open_app({"preset": "official", "hide": "bidirectional,proj_size", "lock": "1"})
    keys = {w.key for w in at.sidebar.toggle} | {w.key for w in at.sidebar.number_input}
    assert "w_bidirectional" not in keys and "w_proj_size" not in keys
    assert all(w.disabled for w in at.sidebar.number_input)
    assert t("sidebar.locked", "en") in [c.value for c in at.sidebar.caption]


def test_language_switch_changes_labels_and_url():
    at = open_app({"preset": "official"})
    assert at.number_input(key="w_hidden_size").label == t("arg.hidden_size", "en")
    at.selectbox(key="w_lang").set_value("zh").run()
    assert _query(at)["lang"] == "zh"
    assert at.title[0].value == t("page.overview", "zh")
    assert at.toggle(key="w_packed").label == t("arg.packed", "zh")


def test_lang_from_url():
    at = open_app({"lang": "zh"}, "shapes")
    assert at.title[0].value == t("page.shapes", "zh")


@pytest.mark.parametrize("query", [
    {"hidden_size": "-5"}, {"hidden_size": "100000"}, {"num_layers": "abc"},
    {"preset": "nope"}, {"proj_size": "50"}, {"dropout": "2"}, {"cell": "GRU", "proj_size": "3"},
    {"preset": "packing", "enforce_sorted": "true"}, {"device": "cuda"}, {"lang": "fr"},
])
def test_bad_query_values_give_a_friendly_message(query):
    at = open_app(query, "shapes")
    assert not at.exception and not at.error
    _, notices = from_query(query)
    shown = " ".join(w.value for w in at.warning) + " ".join(i.value for i in at.info)
    for n in notices:
        assert n.arg.replace("_", "\\_") in shown or n.arg in shown
    if query.get("device") == "cuda":
        assert "cuda" in shown


def test_two_changes_in_one_run_both_apply():
    """A busy server merges two widget changes into one script run (both callbacks run
    before it); the second callback must still find its widget's value."""
    at = open_app()
    at.number_input(key="w_seed").set_value(77)
    at.number_input(key="w_hidden_size").set_value(30)
    at.run()
    assert not at.exception and not at.error
    s = at.session_state["settings"]
    assert (s.spec.seed, s.config.hidden_size) == (77, 30)
    assert at.number_input(key="w_hidden_size").value == 30
    assert _query(at)["seed"] == "77" and _query(at)["hidden_size"] == "30"
