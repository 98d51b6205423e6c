"""``set_threads``: one compute thread per script run, limits set once per thread, and the
process's libraries scanned once (threadpoolctl's scan was ~3.5 % of a rerun's CPU)."""

from __future__ import annotations

import threading

import torch
from threadpoolctl import threadpool_info, threadpool_limits

from lstm_viz.state import pipeline


def _in_a_thread(fn):
    out = []
    th = threading.Thread(target=lambda: out.append(fn()))
    th.start()
    th.join(timeout=60)
    return out[0]


def _blas_threads() -> set[int]:
    return {lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"}


def test_set_threads_once_per_thread_with_one_library_scan(monkeypatch):
    monkeypatch.setenv("LSTM_VIZ_TORCH_THREADS", "1")

    def run():
        first = pipeline.set_threads()
        controller = pipeline._controller
        again = pipeline.set_threads()
        return first, again, torch.get_num_threads(), _blas_threads(), controller

    first, again, torch_threads, blas, controller = _in_a_thread(run)
    assert (first, again, torch_threads) == (1, 1, 1)
    assert blas <= {1}
    assert _in_a_thread(run)[4] is controller  # a new thread: no new scan


def test_set_threads_follows_a_changed_setting(monkeypatch):
    before, blas = torch.get_num_threads(), max(_blas_threads(), default=1)
    try:
        monkeypatch.setenv("LSTM_VIZ_TORCH_THREADS", "2")
        assert _in_a_thread(lambda: (pipeline.set_threads(), torch.get_num_threads())) == (2, 2)
    finally:  # OpenBLAS's limit is process-wide: give the other tests theirs back
        torch.set_num_threads(before)
        threadpool_limits(blas, user_api="blas")
