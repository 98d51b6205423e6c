"""Sessions never see each other: threads sharing the cached module and the seeded RNG.

``st.cache_resource`` hands every session the SAME module object (ui/run.py). Nothing may
change it: ``trace`` and the claims switch it to eval() and back, which is harmless only
because the cached module is built in eval mode and nothing ever calls train(True); the
tests below trace one module from several threads at once and compare with a serial run.

Two real browser sessions against one server: tests/browser/test_isolation_browser.py.
"""

from __future__ import annotations

import threading

import torch

from lstm_viz.core.build import build_module, seeded_module
from lstm_viz.core.config import RNNConfig
from lstm_viz.core.inputs import make_batch
from lstm_viz.core.trace import trace
from lstm_viz.explain.claims import check_claims
from lstm_viz.state.query import from_query

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def _threads(target, args_list) -> list:
    """Run ``target(*args)`` for each args in parallel threads; results in order."""
    results: list = [None] * len(args_list)
    errors: list = []

    def work(k, args):
        try:
            results[k] = target(*args)
        except BaseException as err:  # re-raised below, in the test thread
            errors.append(err)

    threads = [threading.Thread(target=work, args=(k, a)) for k, a in enumerate(args_list)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    if errors:
        raise errors[0]
    return results


def _summary(tr) -> list[torch.Tensor]:
    values = [v for (k, d) in sorted(tr.values) for _, v in sorted(tr.values[(k, d)].items())]
    return [tr.h_n, *(v.nan_to_num() for v in values)]


def test_threads_tracing_one_shared_module_get_serial_results():
    """Eight traces of one module (as eight sessions sharing the cache) in four threads."""
    config = RNNConfig("LSTM", 12, 48, 2, bidirectional=True)
    module = build_module(config, seed=3).module
    params = {k: v.clone() for k, v in module.state_dict().items()}
    batches = []
    for k in range(8):
        s, _ = from_query({"preset": "official", "mode": "randn", "input_size": "12",
                           "hidden_size": "48", "num_layers": "2", "bidirectional": "1",
                           "seed": str(3 + k), "batch": str(2 + k % 3), "seq_len": str(5 + k),
                           "h0": "randn"})
        batches.append(make_batch(s.spec, config))
    serial = [_summary(trace(module, b.input, b.hx)) for b in batches]

    def traced(batch):
        out = []
        for _ in range(3):  # interleave with the other threads a few times
            tr = trace(module, batch.input, batch.hx)
            check_claims(module, tr, batch.padded, batch.lengths, batch.hx,
                         tuple(batch.padded.shape))
            out.append(_summary(tr))
        return out

    parallel = _threads(traced, [(b,) for b in batches])
    for want, got in zip(serial, parallel, strict=True):
        for run in got:
            assert all(torch.equal(a, b) for a, b in zip(want, run, strict=True))
    assert module.training is False
    assert all(torch.equal(params[k], v) for k, v in module.state_dict().items())


def test_concurrent_builds_get_the_weights_of_their_own_seed():
    """Seeding torch's global RNG is locked (lstm_viz.core.rng); without the lock 28/60 were
    wrong."""
    config = RNNConfig("LSTM", 32, 64, 2)
    expected = {seed: seeded_module(config, seed).state_dict() for seed in (1, 2, 3, 4)}

    def build(seed):
        wrong = 0
        for _ in range(10):
            got = seeded_module(config, seed).state_dict()
            wrong += any(not torch.equal(got[k], expected[seed][k]) for k in got)
        return wrong

    assert sum(_threads(build, [(s,) for s in expected])) == 0


def test_concurrent_random_batches_come_from_their_own_seed():
    settings = {k: from_query({"preset": "official", "mode": "randn", "seed": str(k),
                               "batch": "16", "seq_len": "64", "input_size": "256",
                               "h0": "randn"})[0] for k in (1, 2, 3)}
    expected = {k: make_batch(s.spec, s.config).padded for k, s in settings.items()}

    def draw(k):
        return sum(not torch.equal(make_batch(settings[k].spec, settings[k].config).padded,
                                   expected[k]) for _ in range(40))

    assert sum(_threads(draw, [(k,) for k in settings])) == 0


# --- two real sessions against a real server --------------------------------------------------
