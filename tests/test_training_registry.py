"""One training per settings per process (lstm_viz.training.registry): two sessions share one
run and only its starter controls it; at most ``size`` run, the rest wait in a FIFO queue; a
run nobody watches stops after the grace period with its snapshots kept; ended runs are kept
in a bounded LRU; the thread and the process runner behave the same."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from lstm_viz.training import Registry, TrainSettings
from lstm_viz.training.registry import read_env

QUICK = TrainSettings(task="sentiment", hidden_size=4, embedding_dim=4, epochs=1)  # < 1 s
LONG = replace(QUICK, epochs=40)  # long enough to be paused, stepped and stopped


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def until(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.fixture
def registry():
    made = []

    def make(size: int = 2, kind: str = "thread", **kwargs) -> Registry:
        made.append(Registry(size, kind, **kwargs))
        return made[-1]

    yield make
    for r in made:
        r.close()


def test_two_sessions_with_the_same_settings_share_one_run_and_one_controls_it(registry):
    r = registry()
    run = r.start(LONG, "teacher")
    assert r.control(run, "teacher", "pause")
    assert r.start(replace(LONG), "student") is run and r.find(LONG) is run
    assert run.job == 1 and run.watchers.keys() == {"teacher", "student"}
    assert not r.control(run, "student", "stop") and run.status == "paused"
    until(lambda: run.snapshots)
    assert r.control(run, "teacher", "stop")
    until(lambda: run.status == "stopped")
    assert run.reason == "owner" and run.snapshots


def test_a_paused_run_steps_to_its_next_snapshot(registry):
    r = registry()
    run = r.start(LONG, "a")
    assert r.control(run, "a", "pause")
    until(lambda: run.snapshots)
    time.sleep(0.3)
    before = len(run.snapshots)
    assert not r.control(run, "a", "pause")  # paused already
    assert r.control(run, "a", "step")
    until(lambda: len(run.snapshots) > before)
    time.sleep(0.3)
    assert run.status == "paused" and len(run.snapshots) <= before + 2
    r.control(run, "a", "stop")


def test_at_most_size_run_and_the_rest_queue_in_order(registry):
    r = registry(size=1)
    first = r.start(LONG, "a")
    r.control(first, "a", "pause")
    second, third = (r.start(replace(LONG, seed=k), "b") for k in (1, 2))
    assert (first.status, second.status, third.status) == ("paused", "queued", "queued")
    assert [r.position(x) for x in (first, second, third)] == [0, 1, 2]
    assert not second.snapshots and r.running() == 1
    assert r.control(third, "b", "stop") and third.status == "stopped"  # leaves the queue
    assert r.control(first, "a", "stop")
    until(lambda: second.status == "running")
    assert r.position(second) == 0 and r.running() == 1
    until(lambda: second.snapshots)
    r.control(second, "b", "stop")


def test_a_run_nobody_watches_stops_after_the_grace_period(registry):
    clock = Clock()
    r = registry(size=1, grace=30, clock=clock, reaper=False)
    watched, alone = r.start(LONG, "a"), r.start(replace(LONG, seed=1), "b")
    r.control(watched, "a", "pause")
    until(lambda: watched.snapshots)
    clock.now += 20
    r.watch(watched, "c")
    assert r.reap() == []
    clock.now += 20  # "a" and "b" last seen 40 s ago, "c" 20 s ago
    assert r.reap() == [alone] and alone.status == "stopped" and alone.reason == "abandoned"
    assert r.position(alone) == 0
    clock.now += 20
    assert r.reap() == [watched]
    until(lambda: watched.status == "stopped")
    assert watched.reason == "abandoned" and watched.snapshots  # kept to look at


def test_the_reaper_stops_an_abandoned_run_by_itself(registry):
    r = registry(grace=0.5)
    run = r.start(LONG, "a")
    until(lambda: run.status == "stopped", timeout=30)
    assert run.reason == "abandoned"


def test_ended_runs_are_kept_in_a_bounded_lru_and_a_stopped_one_trains_anew(registry):
    r = registry(size=1, keep=2)  # one at a time: they end in order
    pinned = r.start(replace(QUICK, seed=99), "lesson", pin=True)  # a lesson's: always kept
    runs = [r.start(replace(QUICK, seed=k), "a") for k in range(3)]
    for run in (pinned, *runs):
        assert run.ended.wait(60) and run.status == "finished"
    assert r.find(replace(QUICK, seed=0)) is None  # the oldest of three went
    assert r.find(replace(QUICK, seed=99)) is pinned
    assert r.start(replace(QUICK, seed=2), "b") is runs[2]  # kept: not trained again
    last = runs[2].snapshots[-1]
    assert last.step == runs[2].meta["total_steps"] and last.has_weights
    spe = runs[2].meta["steps_per_epoch"]
    assert all(s.has_weights == (s.step % spe == 0) for s in runs[2].snapshots)
    stopped = r.start(LONG, "a")
    r.control(stopped, "a", "stop")
    until(lambda: stopped.status == "stopped")
    again = r.start(LONG, "b")
    assert again is not stopped and again.owner == "b"
    r.control(again, "b", "stop")


def test_a_worker_process_trains_the_same_as_a_thread(registry):
    threaded, pooled = registry(kind="thread"), registry(kind="process")
    a, b = threaded.start(QUICK, "x"), pooled.start(QUICK, "x")
    assert a.ended.wait(60) and b.ended.wait(120)
    assert (a.status, b.status) == ("finished", "finished")
    assert [s.step for s in a.snapshots] == [s.step for s in b.snapshots]
    assert [c.test_accuracy for s in a.snapshots for c in s.cells.values()] == [
        c.test_accuracy for s in b.snapshots for c in s.cells.values()]
    run = pooled.start(LONG, "x")
    assert pooled.control(run, "x", "pause")  # sent before the worker took it: kept
    until(lambda: run.snapshots)
    time.sleep(0.5)
    assert len(run.snapshots) == 1 and pooled.control(run, "x", "step")
    until(lambda: len(run.snapshots) == 2)
    assert pooled.control(run, "x", "stop")
    until(lambda: run.status == "stopped")


def test_a_training_that_fails_ends_as_failed_not_as_a_crash(registry):
    r = registry()
    run = r.start(replace(QUICK, task="nope"), "a")  # repair would have refused it
    assert run.ended.wait(30) and run.status == "failed" and "KeyError" in run.detail
    ok = r.start(QUICK, "a")
    assert ok.ended.wait(60) and ok.status == "finished"


@pytest.mark.parametrize(("env", "wanted"), [
    ({}, None), ({"LSTM_VIZ_MAX_TRAININGS": "3"}, (3, "process")),
    ({"LSTM_VIZ_MAX_TRAININGS": "0", "LSTM_VIZ_TRAINING_WORKERS": "thread"}, (0, "thread")),
])
def test_the_environment_sets_the_cap_and_the_runner(env, wanted):
    size, kind = read_env(env)
    assert (size, kind) == wanted if wanted else size >= 1 and kind == "process"


@pytest.mark.parametrize("env", [{"LSTM_VIZ_MAX_TRAININGS": "-1"},
                                 {"LSTM_VIZ_MAX_TRAININGS": "²"},
                                 {"LSTM_VIZ_MAX_TRAININGS": "1e3"},
                                 {"LSTM_VIZ_TRAINING_WORKERS": "gpu"}])
def test_a_bad_variable_is_named(env):
    with pytest.raises(ValueError, match=next(iter(env))):
        read_env(env)


def test_no_training_runs_where_the_cap_is_zero(registry):
    r = registry(size=0)
    run = r.start(QUICK, "a")
    time.sleep(0.3)
    assert run.status == "queued" and r.position(run) == 1 and not run.snapshots
