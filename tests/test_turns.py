"""ui.turns: one session's page run at a time per process (docs/PERFORMANCE.md: a burst of
changes finishes first come, first served instead of all at the end)."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

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
