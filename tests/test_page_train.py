"""The Train page through AppTest: its settings are URL keys (a link reproduces them), Start
trains and the live view grows with the run's own numbers, two sessions with the same
settings watch one run that only its starter controls, Pause / Step / Stop, and a stopped
run opens in Gates (the session's own weights, verified) and in Memory."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest
from apptest_utils import open_app, plotly_array

from lstm_viz import training
from lstm_viz.i18n import LANGS, catalog, t
from lstm_viz.state.train_keys import settings_of

QUICK = {"t_task": "memory", "t_distance": "8", "t_epochs": "1", "t_hidden": "4"}  # ~1 s
LONG = {**QUICK, "t_epochs": "40"}


def _query(at) -> dict[str, str]:
    return {k: at.query_params[k][-1] if isinstance(at.query_params[k], list)
            else at.query_params[k] for k in at.query_params}


def _specs(at) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def _run(at):
    """The registry's run of the session's settings."""
    return training.shared().find(settings_of(at.session_state["page_values"]["train"]))


def poll(at, until, timeout: float = 90):
    """Rerun the page (as the live fragment does twice a second) until ``until(at)``."""
    deadline = time.monotonic() + timeout
    while not until(at):
        assert time.monotonic() < deadline, [e.value for e in (*at.info, *at.warning)]
        time.sleep(0.3)
        at.run()
        assert not at.exception
    return at


def started(query: dict, seed: int):
    at = open_app({**query, "t_seed": str(seed)}, "train")
    at.button(key="train_start").click().run()
    assert not at.exception and _run(at) is not None
    return at


@pytest.mark.parametrize("lang", LANGS)
def test_the_page_before_a_run_in_both_languages(lang):
    at = open_app({"lang": lang, "t_seed": "9001"}, "train")
    assert not at.exception and not at.error and not at.warning
    assert at.title[0].value == t("page.train", lang)
    assert t("train.none", lang) in [i.value for i in at.info]
    assert not at.button(key="train_start").disabled and at.button(key="train_stop").disabled
    shown = [str(e.value) for e in (*at.markdown, *at.caption, *at.info)]
    assert not [s for s in shown if s in catalog(lang)]  # no raw keys
    assert not at.get("plotly_chart")


def test_settings_write_the_url_and_a_link_reproduces_them():
    at = open_app(None, "train")
    at.number_input(key="w_t_epochs").set_value(7).run()
    at.number_input(key="w_t_lr").set_value(0.05).run()
    at.multiselect(key="w_t_cells").unselect("GRU").run()
    at.radio(key="w_t_optimizer").set_value("SGD").run()
    assert not at.exception and not at.warning
    query = _query(at)
    assert query == {"preset": "official", "t_cells": "RNN,LSTM", "t_optimizer": "SGD",
                     "t_lr": "0.05", "t_epochs": "7"}
    fresh = open_app(query, "train")
    assert fresh.session_state["page_values"] == at.session_state["page_values"]
    assert fresh.multiselect(key="w_t_cells").value == ["RNN", "LSTM"]
    at.selectbox(key="w_t_view").select("short").run()
    assert _query(at) == {"preset": "official", "t_view": "short"}
    assert at.number_input(key="w_t_distance").value == 10
    at.multiselect(key="w_t_cells").unselect("RNN").unselect("GRU").unselect("LSTM").run()
    assert not at.exception and at.multiselect(key="w_t_cells").value == ["RNN", "GRU", "LSTM"]
    assert any("t_cells" in w.value.replace("\\", "") for w in at.warning)  # all three, said


def test_start_trains_and_the_live_view_shows_the_runs_own_numbers():
    at = started(QUICK, 9002)
    assert _run(at).owner == at.session_state["train_session"]
    poll(at, lambda a: a.success)  # finished
    run = _run(at)
    assert run.status == "finished" and at.success[0].value.startswith(
        t("train.finished", "en", epochs=1)[:9])
    specs = _specs(at)
    assert len(specs) == 4  # loss & accuracy, by distance, gates, flow
    snaps = run.view()
    lstm_accuracy = next(d for d in specs[0]["data"] if d["name"] == "LSTM" and d["yaxis"] == "y2")
    np.testing.assert_allclose(plotly_array(lstm_accuracy["y"]),
                               [s.cells["LSTM"].test_accuracy for s in snaps], atol=1e-6)
    maps = [d for d in specs[1]["data"] if d["type"] == "heatmap"]
    np.testing.assert_allclose(plotly_array(maps[0]["z"]).T,
                               [s.cells["RNN"].by_distance for s in snaps], atol=1e-6)
    flow = next(d for d in specs[3]["data"] if d["name"] == "GRU")
    np.testing.assert_allclose(plotly_array(flow["y"]), snaps[-1].cells["GRU"].flow, rtol=1e-5)
    slider = at.select_slider(key=f"train_at_{run.job}")
    assert slider.value == len(snaps) - 1
    slider.set_value(0).run()
    assert not at.exception
    assert _specs(at)[3]["layout"]["title"]["text"] == t("train.flow.title", "en", epoch="0.00")
    assert at.button(key="train_start").disabled  # finished: kept, nothing to start


def test_two_sessions_with_the_same_link_watch_one_run_and_one_controls_it():
    owner = started(LONG, 9003)
    owner.button(key="train_pause").click().run()
    poll(owner, lambda a: _run(a).status == "paused" and a.get("progress"))
    student = open_app({**LONG, "t_seed": "9003"}, "train")
    assert _run(student) is _run(owner)
    assert t("train.watching", "en") in [c.value for c in student.caption]
    for key in ("train_start", "train_pause", "train_step", "train_stop"):
        assert student.button(key=key).disabled, key
    assert _run(owner).watchers.keys() >= {owner.session_state["train_session"],
                                          student.session_state["train_session"]}
    before = len(_run(owner).snapshots)
    owner.button(key="train_step").click().run()
    poll(owner, lambda a: len(_run(a).snapshots) == before + 1)
    owner.button(key="train_stop").click().run()
    poll(owner, lambda a: a.warning)
    assert _run(owner).status == "stopped" and _run(owner).reason == "owner"
    assert len(_run(owner).snapshots) == before + 1  # kept
    assert owner.button(key="train_start").label == t("train.again", "en")


def test_a_stopped_run_opens_in_gates_and_in_memory():
    at = started(QUICK, 9004)
    poll(at, lambda a: a.success)
    at.radio(key=f"train_open_cell_{_run(at).job}").set_value("GRU").run()
    at.button(key="train_open_gates").click().run()
    assert not at.exception and at.title[0].value == t("page.gates", "en")
    s = at.session_state["settings"]
    assert s.weights.startswith("upload:") and s.config.cell == "GRU"
    assert (s.config.hidden_size, s.spec.tokens) == (4, "word") and not at.warning
    assert at.success and "verified" not in at.error  # the badge: recomputed and matched
    gru = _run(at).snapshots[-1].cells["GRU"].weights
    held = at.session_state["uploads"][s.weights][0]
    assert all(held.rnn[k].equal(gru[f"rnn.{k}"]) for k in held.rnn)
    at.switch_page("app_pages/train.py").run()
    at.button(key="train_open_memory").click().run()
    assert not at.exception and at.title[0].value == t("page.memory", "en")
    assert any("Train page" in i.value for i in at.info) and at.success
    badge = t("memory.verified", "en", n=len(_run(at).settings.cells), diff="@").split("@")[0]
    assert [s.value for s in at.success if s.value.startswith(badge)]
    assert len(plotly_array(_specs(at)[0]["data"][0]["z"])) == 3  # its three cells
    at.button(key="memory_shipped").click().run()
    assert "memory_models" not in at.session_state


@pytest.mark.parametrize("query", [
    {"t_lr": "nan"}, {"t_lr": "1e9"}, {"t_epochs": "1000000000"}, {"t_hidden": "999"},
    {"t_distance": "-1"}, {"t_cells": "CNN,<b>"}, {"t_task": "../../etc/passwd"},
    {"t_view": "x" * 5000}, {"t_seed": "１２"}, {"t_batch": ["8", "9999"]},
    {"t_optimizer": "adamw"}, {"t_clip": "-inf"}, {"t_forget": "1e400"},
])
def test_bad_settings_in_a_link_are_repaired_with_a_notice(query):
    at = open_app(query, "train")
    assert not at.exception and not at.error
    shown = " ".join(w.value for w in at.warning).replace("\\", "")
    assert all(key in shown for key in query)
    assert training.repair(settings_of(at.session_state["page_values"]["train"]))[1] == []


def test_a_full_server_queues_the_next_training_and_says_its_place():
    size = training.shared().size
    owners = [started(LONG, 9100 + k) for k in range(size)]  # every place taken (paused)
    for at in owners:
        at.button(key="train_pause").click().run()
    waiting = started(LONG, 9199)
    run = _run(waiting)
    assert run.status == "queued" and training.shared().position(run) == 1
    said = t("train.queued", "en", position=1, size=size)
    assert said in [i.value for i in waiting.info]
    owners[0].button(key="train_stop").click().run()  # a place frees: it starts by itself
    poll(waiting, lambda a: _run(a).status == "running")
    for at in (*owners[1:], waiting):
        at.button(key="train_stop").click().run()
    for at in (*owners, waiting):
        poll(at, lambda a: _run(a).status == "stopped")


def test_a_link_into_the_page_from_inside_the_app_brings_its_settings():
    """A lesson's "see it on the Train page" link (page_link with the run's t_* keys)."""
    at = open_app({"t_epochs": "3"}, "gates")
    for key, value in {"t_epochs": "8", "t_lr": "1e9"}.items():
        at.query_params[key] = value
    at.switch_page("app_pages/train.py").run()
    assert not at.exception
    values = at.session_state["page_values"]["train"]
    assert (values["t_epochs"], values["t_lr"]) == (8, 1.0)
    assert at.number_input(key="w_t_epochs").value == 8
    assert any("t_lr" in w.value.replace("\\", "") for w in at.warning)  # repaired, said so
    at.switch_page("app_pages/gates.py").run()
    at.switch_page("app_pages/train.py").run()  # a plain navigation: the session's stay
    assert at.session_state["page_values"]["train"]["t_epochs"] == 8
