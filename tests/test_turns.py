"""ui.turns: one session's page run at a time per process (docs/PERFORMANCE.md: a burst of
changes finishes first come, first served instead of all at the end)."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

from ui import turns
from ui.turns import turn


def test_runs_take_turns():
    inside, most, lock = [0], [0], threading.Lock()

    def run():
        for _ in range(20):
            with turn():
                with lock:
                    inside[0] += 1
                    most[0] = max(most[0], inside[0])
                time.sleep(0.001)
                with lock:
                    inside[0] -= 1

    threads = [threading.Thread(target=run) for _ in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert most[0] == 1


def test_a_failing_run_gives_its_turn_back():
    try:
        with turn():
            raise RuntimeError("a page's error (or Streamlit's rerun exception)")
    except RuntimeError:
        pass
    done = []

    def next_run():
        with turn():
            done.append(True)

    th = threading.Thread(target=next_run)
    th.start()
    th.join(timeout=5)
    assert done == [True]


def test_the_app_runs_its_pages_in_turn():
    app = (Path(__file__).resolve().parents[1] / "app.py").read_text()
    assert re.search(r"^with turn\(\):.*\n    page\.run\(\)", app, re.M)


def test_a_run_that_hangs_holds_the_others_up_only_for_the_wait():
    holding, release = threading.Event(), threading.Event()

    def hung_run():
        with turn():
            holding.set()
            release.wait(30)

    th = threading.Thread(target=hung_run)
    th.start()
    try:
        assert holding.wait(5)
        started = time.monotonic()
        with turn(wait=0.3):
            waited = time.monotonic() - started
        assert 0.25 <= waited < 5
    finally:
        release.set()
        th.join(timeout=30)
    assert not th.is_alive()
    assert turns._TURN.acquire(timeout=1)  # every turn was given back, the skipped one too
    turns._TURN.release()
