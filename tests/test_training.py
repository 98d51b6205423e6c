"""The training engine (lstm_viz.training): the same settings give the same bytes; cells trained
side by side equal a plain PyTorch loop of each cell alone (and so the shipped models); every
snapshot's accuracy is what its own weights give; a diverging run stops and keeps its
snapshots; any settings are repaired to valid ones with a notice per change."""

from __future__ import annotations

import math
import os
from dataclasses import fields, replace

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_viz import trained
from lstm_viz.core.connectivity import gradient_flows
from lstm_viz.trained.model import ToyModel, accuracy, batch_ids
from lstm_viz.trained.tasks import TASKS, make_data
from lstm_viz.training import LIMITS, Trainer, TrainSettings, repair, train_cell
from lstm_viz.training.data import SEEN, buckets
from lstm_viz.training.loop import SNAPSHOTS_PER_EPOCH
from lstm_viz.training.settings import CELLS
from measure.train_bench import BareLoop

SMALL = TrainSettings(max_distance=12, epochs=2, hidden_size=6, batch_size=64)  # ~2 s


def bare_loop(settings: TrainSettings, cell: str) -> ToyModel:
    """The recipe as a plain PyTorch loop, one cell alone (measure/train_bench.py's, what
    scripts/train_toy.py ran before the engine): the reference every cell of the engine must
    equal, byte for byte."""
    loop = BareLoop(replace(settings, cells=(cell,)))
    for _ in range(settings.epochs):
        loop.epoch()
    return loop.models[cell].eval()


def same_weights(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


@pytest.fixture(scope="module")
def small_run():
    rng = torch.get_rng_state()
    trainer = Trainer(SMALL)
    snapshots = list(trainer.run())
    assert torch.equal(rng, torch.get_rng_state())  # nothing global was touched
    return trainer, snapshots


def _same(a, b) -> bool:
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    if isinstance(a, torch.Tensor):
        return torch.equal(a, b)
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def test_two_runs_give_the_same_bytes(small_run):
    _, first = small_run
    again = list(Trainer(SMALL).run())
    assert len(again) == len(first) > 2
    for a, b in zip(first, again, strict=True):
        assert (a.step, a.epoch) == (b.step, b.epoch)
        for cell in SMALL.cells:
            for f in fields(a.cells[cell]):
                assert _same(getattr(a.cells[cell], f.name), getattr(b.cells[cell], f.name)), f


@pytest.mark.parametrize("recipe", [SMALL, replace(SMALL, optimizer="SGD", lr=0.5, clip=0.0,
                                                    unk_rate=0.0, forget_bias=0.0)])
def test_cells_side_by_side_equal_each_cell_trained_alone(recipe, small_run):
    trainer = small_run[0] if recipe is SMALL else Trainer(recipe)
    if recipe is not SMALL:
        list(trainer.run())
    for cell, model in trainer.models().items():
        assert same_weights(model.state_dict(), bare_loop(recipe, cell).state_dict()), cell


def test_the_shipped_memory_models_are_reproduced():
    recipe = TrainSettings.shipped("memory")
    assert recipe == TrainSettings()  # the page's defaults are the shipped recipe
    differ = [cell for cell in CELLS if not same_weights(
        train_cell(recipe, cell).state_dict(), trained.state_dict(f"memory-{cell.lower()}"))]
    if differ and not same_weights(bare_loop(recipe, "RNN").state_dict(),
                                   trained.state_dict("memory-rnn")):
        pytest.skip("this CPU's float arithmetic is not the one that made the shipped memory "
                    "models: the plain loop does not reproduce them either (the engine equals "
                    "the plain loop: test_cells_side_by_side_equal_each_cell_trained_alone)")
    assert not differ


def test_models_built_while_other_threads_draw_seeded_numbers_are_the_same():
    """A thread worker's training starts while Streamlit's session threads build seeded
    modules (``lstm_viz.core.rng.seeded``, one thread at a time): each cell's first weights are
    still those of a build alone (found by CI: a process worker and a thread worker started
    with the same settings disagreed at step 0)."""
    from concurrent.futures import ThreadPoolExecutor

    from lstm_viz import RNNConfig, seeded_module

    alone = {cell: m.state_dict() for cell, m in Trainer(SMALL).models().items()}
    config = RNNConfig("LSTM", 10, 20, num_layers=2)

    def build(k: int):
        if k % 2:
            return seeded_module(config, k)
        return {cell: m.state_dict() for cell, m in Trainer(SMALL).models().items()}

    with ThreadPoolExecutor(8) as pool:
        built = [b for b in pool.map(build, range(64)) if isinstance(b, dict)]
    assert all(same_weights(b[cell], alone[cell]) for b in built for cell in alone)


def test_snapshots_come_every_third_of_an_epoch_and_keep_the_weights_they_were_measured_on(
        small_run):
    trainer, snapshots = small_run
    spe, every = trainer.steps_per_epoch, trainer.every
    assert every == math.ceil(spe / SNAPSHOTS_PER_EPOCH) and SNAPSHOTS_PER_EPOCH == 3
    wanted = [0] + [e * spe + k for e in range(SMALL.epochs)
                    for k in [*range(every, spe, every), spe]]
    assert [s.step for s in snapshots] == sorted(set(wanted))
    assert [s.epoch for s in snapshots] == [s.step / spe for s in snapshots]
    assert math.isnan(snapshots[0].cells["LSTM"].loss)
    assert all(math.isfinite(c.loss) for s in snapshots[1:] for c in s.cells.values())
    assert same_weights(snapshots[-1].cells["GRU"].weights, trainer.models()["GRU"].state_dict())


def test_snapshot_accuracy_equals_a_recomputation_on_its_weights(small_run):
    _, snapshots = small_run
    task = TASKS[SMALL.task]
    train_data, test_data = make_data(task, SMALL.seed, max_distance=SMALL.max_distance)
    distances = [len(tokens) - 1 for tokens, _ in test_data]
    checked = 0
    for snap in snapshots[:: max(1, len(snapshots) // 4)]:
        for cell, state in snap.cells.items():
            model = ToyModel(cell, len(task.vocab), SMALL.embedding_dim, SMALL.hidden_size,
                             len(task.classes), False)
            model.load_state_dict(state.weights)
            assert state.test_accuracy == accuracy(model, task, test_data)
            assert state.train_accuracy == accuracy(model, task, train_data[:SEEN])
            for (lo, hi), value in zip(buckets(SMALL.max_distance), state.by_distance,
                                       strict=True):
                inside = [d for d, k in zip(test_data, distances, strict=True) if lo <= k <= hi]
                assert value == accuracy(model, task, inside) if inside else math.isnan(value)
            checked += 1
    assert checked >= 9


def test_gates_and_flow_of_a_snapshot_are_the_real_modules(small_run):
    trainer, snapshots = small_run
    data, last = trainer.data, snapshots[-1].cells
    model = trainer.models()["LSTM"]
    assert set(last["LSTM"].gates) == {"i", "f", "g", "o"} and not last["RNN"].gates
    assert set(last["GRU"].gates) == {"r", "z", "n"}
    assert all(0 < v < 1 for g in "ifo" for v in last["LSTM"].gates[g])
    probe_ids, _ = batch_ids(data.task, [data.probe])
    with torch.no_grad():
        x = model.embedding(probe_ids[0])[:, None]
    flow = gradient_flows(model.rnn, x)["h"][0]
    assert torch.allclose(torch.tensor(last["LSTM"].flow), flow)
    assert len(data.probe) == SMALL.max_distance + 1
    assert last["LSTM"].flow[-1] == pytest.approx(math.sqrt(SMALL.hidden_size))  # ‖I‖_F


def test_a_diverging_run_stops_and_keeps_its_snapshots():
    wild = TrainSettings(task="sentiment", optimizer="SGD", lr=1e30, clip=0.0, epochs=3)
    assert repair(wild)[0].lr == 1.0  # no page can ask for it: built directly
    trainer = Trainer(wild)
    snapshots = list(trainer.run())
    assert trainer.done and trainer.diverged is not None
    assert not math.isfinite(trainer.diverged.loss) and trainer.diverged.cell in CELLS
    assert [s.step for s in snapshots] == [0] and trainer.step < trainer.total_steps
    assert trainer.advance() is None  # it stays stopped


@pytest.mark.parametrize(("changes", "field", "used"), [
    ({"lr": math.nan}, "lr", 0.02), ({"lr": 1e9}, "lr", 1.0), ({"lr": -1.0}, "lr", 1e-5),
    ({"lr": math.inf}, "lr", 0.02), ({"epochs": 10**9}, "epochs", 40),
    ({"hidden_size": 10**6}, "hidden_size", 32), ({"max_distance": -1}, "max_distance", 0),
    ({"batch_size": 0}, "batch_size", 8), ({"seed": -5}, "seed", 0),
    ({"epochs": 2.5}, "epochs", 2), ({"cells": ("CNN",)}, "cells", CELLS),
    ({"cells": ("LSTM", "LSTM")}, "cells", ("LSTM",)), ({"cells": ()}, "cells", CELLS),
    ({"task": "../../etc/passwd"}, "task", "memory"), ({"optimizer": "adam"}, "optimizer", "Adam"),
    ({"clip": -3.0}, "clip", 0.0), ({"forget_bias": 1e300}, "forget_bias", 5.0),
    ({"unk_rate": "x"}, "unk_rate", 0.05), ({"hidden_size": True}, "hidden_size", 8),
])
def test_bad_settings_are_repaired_with_a_notice(changes, field, used):
    fixed, notices = repair(replace(TrainSettings(), **changes))
    assert getattr(fixed, field) == used
    assert [n.arg for n in notices] == [field]
    assert repair(fixed) == (fixed, [])


ANY = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**12, 10**12),
                st.text(max_size=8), st.booleans(), st.none())


@settings(max_examples=int(os.environ.get("LSTM_VIZ_FUZZ_EXAMPLES", 300)), deadline=None)
@given(st.fixed_dictionaries({}, optional={f.name: ANY for f in fields(TrainSettings)
                                           if f.name != "cells"}),
       st.lists(st.sampled_from([*CELLS, "cnn", "", "LSTM"]), max_size=5))
def test_any_settings_repair_to_valid_ones(values, cells):
    fixed, _ = repair(replace(TrainSettings(), **values, cells=tuple(cells)))
    assert fixed.task in TASKS and fixed.optimizer in ("Adam", "SGD")
    assert fixed.cells and set(fixed.cells) <= set(CELLS) and len(set(fixed.cells)) == len(
        fixed.cells)
    for name, limit in LIMITS.items():
        value = getattr(fixed, name)
        assert limit.low <= value <= limit.high and math.isfinite(value)
        assert isinstance(value, int) == limit.integer and not isinstance(value, bool)
    assert repair(fixed) == (fixed, [])
