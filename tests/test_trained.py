"""The shipped trained models: a brief retrain learns each task, the shipped files reproduce
their recorded outputs and readable units, the presets run them (verified) in the app."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
import torch
from apptest_utils import open_app

from lstm_viz import trained
from lstm_viz.core.caps import Caps
from lstm_viz.i18n import t
from lstm_viz.state.pipeline import run
from lstm_viz.state.query import from_query, to_query
from lstm_viz.state.repair import make_valid
from lstm_viz.state.settings import from_preset
from lstm_viz.trained import readable
from lstm_viz.trained.model import ToyModel, accuracy, batch_ids
from lstm_viz.trained.probe import accuracy_by_distance, find_readable
from lstm_viz.trained.tasks import TASKS, make_data
from lstm_viz.training import Trainer, TrainSettings, train_cell

BRIEF = {"sentiment": ("LSTM", 3, 0.95), "brackets": ("LSTM", 3, 0.95),  # cell, epochs, and
         "memory": ("GRU", 6, 0.95)}  # the test accuracy to reach (memory: GRU learns first)
FAILS = {"memory-rnn"}  # the long-range task the plain RNN does not learn (docs/TRAINED.md)


def shipped(name: str) -> ToyModel:
    meta = trained.info(name)
    cfg = meta["config"]
    model = ToyModel(cfg["cell"], len(meta["vocab"]), meta["embedding_dim"],
                     cfg["hidden_size"], len(meta["classes"]), meta["per_step"])
    model.load_state_dict(trained.state_dict(name))  # strict: every name and shape
    return model.eval()


@pytest.mark.parametrize("task_name", list(TASKS))
def test_a_brief_retrain_learns_the_task(task_name):
    task, (cell, epochs, wanted) = TASKS[task_name], BRIEF[task_name]
    train_data, test_data = make_data(task, seed=0)
    assert not {" ".join(t) for t, _ in train_data} & {" ".join(t) for t, _ in test_data}
    recipe = replace(TrainSettings.shipped(task_name), epochs=epochs)
    untrained = Trainer(recipe, snapshots=False).models()[cell]
    model = train_cell(recipe, cell)
    assert accuracy(model, task, test_data) >= wanted
    assert accuracy(untrained, task, test_data) < wanted  # the threshold means learning


@pytest.mark.parametrize("name", trained.MODELS)
def test_the_shipped_file_reproduces_its_recorded_outputs(name):
    meta, model = trained.info(name), shipped(name)
    task = TASKS[meta["task"]]
    rec = meta["recorded"]
    tokens = [list(s) if task.tokens == "char" else s.split() for s in rec["sentences"]]
    with torch.no_grad():
        logits, h_n = model(*batch_ids(task, tokens))
    torch.testing.assert_close(h_n, torch.tensor(rec["h_n"]), atol=1e-5, rtol=0)
    torch.testing.assert_close(logits, torch.tensor(rec["head"]), atol=1e-5, rtol=0)
    if not task.per_step:  # the app's head (on the traced h_n) = the model's own
        torch.testing.assert_close(trained.head_probabilities(name, h_n[-1]),
                                   torch.softmax(torch.tensor(rec["head"]), -1), atol=1e-5, rtol=0)
    assert (meta["accuracy"]["test"] >= 0.95) == (name not in FAILS)


@pytest.mark.parametrize("name", [m for m in trained.MODELS if m.startswith("memory-")])
def test_the_accuracy_by_distance_recomputed_from_the_shipped_file_matches(name):
    meta = trained.info(name)
    found = accuracy_by_distance(shipped(name), TASKS["memory"], meta["seed"] + 2)
    assert found == pytest.approx(meta["accuracy"]["by_distance"], abs=1e-4)
    beyond = [v for k, v in found.items() if k != "0-0"]
    if name in FAILS:  # at chance (1 in 4) once the clue is a word or more back
        assert max(beyond) <= 0.35
    else:
        assert min(beyond) >= 0.95


@pytest.mark.parametrize("name", trained.MODELS)
def test_the_readable_units_recomputed_from_the_shipped_weights_match(name):
    meta, model = trained.info(name), shipped(name)
    task = TASKS[meta["task"]]
    found = find_readable(model, task, make_data(task, seed=0)[1])
    for key, finding in found.items():
        stored = meta["readable"][key]
        assert (finding.kind, finding.unit, finding.measure) == (
            stored["kind"], stored["unit"], stored["measure"]), key
        assert finding.score == pytest.approx(stored["score"], abs=1e-4)
    if name not in FAILS:
        assert abs(found["state"].score) >= 0.75  # strong enough to read off a heatmap
        assert abs(found["gate"].score) >= 1.5


def test_the_finders_find_a_planted_unit():
    rng = np.random.default_rng(0)
    depth = rng.integers(0, 4, (20, 6)).astype(float)  # (N, L)
    depth[:, 5] = np.nan  # padding
    h = rng.normal(size=(20, 6, 5))
    h[..., 3] = -0.5 * np.nan_to_num(depth) + 0.01 * rng.normal(size=(20, 6))
    f = readable.depth_finding({"h": h, "c": rng.normal(size=(20, 6, 5))}, depth)
    assert (f.kind, f.unit) == ("h", 3) and f.score < -0.99
    tokens = [["i", "do", "not", "like", "it"]] * 20
    gate = rng.uniform(0.4, 0.6, (20, 5, 4))
    gate[:, 2, 1] = 0.05  # unit 1 drops at "not"
    g = readable.trigger_finding({"f": gate}, tokens, ("not",), ("f",))
    assert (g.kind, g.unit, g.token) == ("f", 1, "not") and g.score < -3
    assert "unit 1" in readable.sentence(g, "en").lower() and "not" in readable.sentence(g, "zh")


@pytest.mark.parametrize("preset", ["trained-sentiment", "trained-brackets"])
def test_presets_run_the_trained_model_verified(preset):
    s = from_preset(preset)
    result = run(s)
    assert result.trace.verified, result.trace.max_abs_diff
    recorded = torch.tensor(trained.info(s.weights)["recorded"]["h_n"])
    torch.testing.assert_close(result.trace.h_n, recorded, atol=1e-5, rtol=0)  # the app = model
    assert from_query(to_query(s))[0] == s


def test_unknown_words_are_read_as_unk():
    s, notes = from_query({"preset": "trained-sentiment", "sentences": "I adore pizza\nnot"})
    assert not notes
    result = run(s)
    assert result.batch.tokens == [["i", "<unk>", "<unk>"], ["not"]]
    assert result.batch.ids[0].tolist() == [trained.info(s.weights)["vocab"].index("i"), 1, 1]
    assert trained.unknown_words(s.weights, [["I", "adore", "pizza"]]) == ["adore", "pizza"]
    assert result.trace.verified


def test_settings_that_contradict_the_weights_are_fixed_with_a_notice():
    s, notes = from_query({"preset": "trained-brackets", "hidden_size": "20", "cell": "GRU"})
    assert (s.config.cell, s.config.hidden_size) == ("LSTM", 8)
    assert {n.arg for n in notes} == {"cell", "hidden_size"}
    assert all("fixed by the weights" in n.rule for n in notes)
    s, notes = from_query({"preset": "official", "weights": "sentiment-gru"})
    assert (s.weights, s.config.cell, s.spec.encoding, s.spec.tokens) == (
        "sentiment-gru", "GRU", "embedding", "word")
    assert run(s).trace.verified


@pytest.mark.parametrize("value", ["upload", "upload:" + "ab" * 32, "../../etc/passwd"])
def test_weights_a_link_cannot_carry_fall_back_with_a_notice(value):
    s, notes = from_query({"preset": "trained-sentiment", "weights": value})
    assert s.weights == "sentiment-lstm"
    assert [n.arg for n in notes] == ["weights"]
    assert json.dumps(to_query(s))  # and the URL is clean again


def test_caps_below_the_model_fall_back_to_random_weights():
    notes = []
    s = make_valid(from_preset("trained-sentiment"), Caps(max_hidden_size=4), notes)
    assert s.weights == "random" and s.config.hidden_size == 4
    assert any(n.arg == "weights" for n in notes)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", ["gates", "states"])
@pytest.mark.parametrize("preset", ["trained-sentiment", "trained-brackets"])
def test_pages_point_out_the_readable_unit(preset, page, lang):
    at = open_app({"preset": preset, "lang": lang}, page)
    assert not at.exception and not at.error
    name = trained.info(from_preset(preset).weights)
    which = ("gate", "state") if page == "gates" else ("state",)
    expected = [readable.sentence(name["readable"][k], lang) for k in which]
    shown = " ".join(i.value.replace("\\", "") for i in at.info)
    assert all(e in shown for e in expected)
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    boxes = [s for s in spec["layout"].get("shapes", []) if s.get("name") == "readable"]
    assert {b["x0"] + 0.5 for b in boxes} == {name["readable"][k]["unit"] for k in which}
    if page == "states":  # the model's answer for sentence 0 (its first example)
        answer = {"trained-sentiment": t("trained.class.negative", lang), "trained-brackets":
                  "(→1 (→2 (→3 (→4 a→4 )→3 )→2 )→1 )→0"}[preset]
        assert any(answer in m.value.replace("\\", "") for m in at.markdown)


def test_the_sidebar_disables_what_the_weights_fix_and_switches_models():
    at = open_app({"preset": "trained-sentiment"})
    assert at.number_input(key="w_hidden_size").disabled
    assert not at.toggle(key="w_batch_first").disabled
    at.selectbox(key="w_weights").select("brackets-gru").run()
    assert not at.exception
    s = at.session_state["settings"]
    assert (s.weights, s.config.cell, s.spec.tokens) == ("brackets-gru", "GRU", "char")
    assert s.spec.sentences == trained.examples("brackets-gru")  # the task's own examples
    at.selectbox(key="w_weights").select("random").run()
    assert not at.exception and not at.number_input(key="w_hidden_size").disabled
