"""Where ``trace``'s time goes, and the least its design can cost (python measure/trace_parts.py).

For the cases of measure/bench.py, at one thread, interleaved repeat by repeat (medians):

- bare: ``module(input, hx)`` under ``torch.no_grad()`` (what bench.py divides by);
- layers: the layers below the last run one at a time on the module's parameters
  (``lstm_viz.core.layers.layer_outputs``): the module's own per-layer states;
- products: every gate's matrix products, ``x W_ih^T`` and ``h_prev W_hh^T`` of every layer
  and direction, with the trace's own ``matmul`` on arrays prepared beforehand (the same
  multiply-adds the module does inside);
- trace: the whole ``trace(module, input, hx)``.

bare + layers + products is a floor for any trace that calls the module (its output is what
``trace`` returns), knows every layer's states and computes every gate of every step; the
rest (activations, c's recurrence, the checks, the float32 copies) is what is left to trim.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from lstm_viz.core.build import build_module, config_of
from lstm_viz.core.inputs import make_batch
from lstm_viz.core.layers import layer_outputs
from lstm_viz.core.recompute import matmul, module_weights
from lstm_viz.core.trace import trace
from lstm_viz.core.trace_input import prepare
from measure.bench import CASES
from measure.results import add_save_option, load_average, save, script_argv


def parts(case: str, repeats: int) -> dict[str, float]:
    """Median milliseconds of each part of ``case`` (thread CPU time, one thread)."""
    config, spec, _ = CASES[case]
    module = build_module(config, seed=spec.seed).module
    batch = make_batch(spec, config)
    cfg = config_of(module)
    with torch.no_grad():
        inp = prepare(module, cfg, batch.input, batch.hx)
        below = layer_outputs(module, cfg, batch.input, inp, cfg.num_layers)
    xs = [inp.x.numpy(), *(o.numpy() for o in below[:-1])]
    weights = module_weights(module, cfg, np.float32)
    N, L = inp.x.shape[:2]
    prev = np.zeros((cfg.D, N * L, cfg.H_out), np.float32)

    def bare():
        with torch.no_grad():
            module(batch.input, batch.hx)

    def layers():
        with torch.no_grad():
            layer_outputs(module, cfg, batch.input, inp, cfg.num_layers - 1)

    def products():
        for x, w in zip(xs, weights, strict=True):
            matmul(np.ascontiguousarray(x).reshape(N * L, -1), w["W_ih_T"])
            matmul(prev, w["W_hh_T"])

    fns = {"bare": bare, "layers": layers, "products": products,
           "trace": lambda: trace(module, batch.input, batch.hx)}
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(2):
        for fn in fns.values():
            fn()
    for _ in range(repeats):  # interleaved: drift hits every part alike
        for name, fn in fns.items():
            start = time.thread_time()
            fn()
            times[name].append((time.thread_time() - start) * 1e3)
    return {name: statistics.median(v) for name, v in times.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python measure/trace_parts.py", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--cases", nargs="+", choices=list(CASES), default=list(CASES))
    add_save_option(ap, "trace_parts")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    load_at_start = load_average()
    load = " ".join(f"{v:.2f}" for v in load_at_start)
    print(f"trace's parts, ms of thread CPU time (median of {args.repeats}, 1 thread, "
          f"load average {load}); ×: relative to bare")
    print(f"{'case':9} {'bare':>8} {'layers':>13} {'products':>13} {'floor':>13} "
          f"{'trace':>13} {'rest':>13}")
    measured = {}
    with threadpool_limits(1):
        for case in args.cases:
            p = measured[case] = parts(case, args.repeats)
            floor = p["bare"] + p["layers"] + p["products"]
            cols = [p["layers"], p["products"], floor, p["trace"], p["trace"] - floor]
            print(f"{case:9} {p['bare']:8.3f} " + " ".join(
                f"{v:8.3f} {v / p['bare']:3.1f}×" for v in cols))
    if args.save:
        save(args.save, {"repeats": args.repeats, "clock": "thread CPU", "cases": measured},
             script_argv(__file__, argv), load_at_start=load_at_start)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
