"""How much slower ``trace`` is than the bare module: ``python measure/bench.py``.

For each case and thread setting, in one process and interleaved repeat by repeat:

- trace time: ``trace(module, input, hx)`` (runs the module once, then recomputes every gate);
- bare time: ``module(input, hx)`` under ``torch.no_grad()`` in eval mode;

"threads" sets both ``torch.set_num_threads`` and the BLAS threads of NumPy (threadpoolctl),
as ``lstm_viz.state.pipeline.set_threads`` does for the app.

and prints the medians and their ratio next to the case's target. It is a report: the exit
status does not depend on the targets.

Cases (PyTorch's letters):
- ``official``: the ``official`` preset, LSTM(10, 20, 2), input (L=5, N=3, H_in=10), h_0/c_0;
- ``large``: LSTM(256, 256, num_layers=2, bidirectional=True), input (L=64, N=16, 256),
  h_0/c_0 (4, 16, 256), i.e. the classroom caps for H_cell, L and N.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from lstm_viz.core.build import build_module
from lstm_viz.core.config import RNNConfig
from lstm_viz.core.inputs import InputSpec, make_batch
from lstm_viz.core.trace import trace
from lstm_viz.state.presets import PRESETS
from measure.results import add_save_option, load_average, machine, save, script_argv

OFFICIAL = PRESETS["official"]
CASES = {  # name → (config, input spec, target ratio trace / bare)
    "official": (OFFICIAL.config, OFFICIAL.spec, 2.0),
    "large": (RNNConfig("LSTM", 256, 256, 2, bidirectional=True),
              InputSpec(mode="randn", seq_len=64, batch=16, h0="randn"), 1.5),
}


@dataclass(frozen=True)
class Row:
    case: str
    threads: int
    trace_ms: float  # median over repeats
    bare_ms: float  # median over repeats
    ratio: float  # trace_ms / bare_ms
    target: float
    meets_target: bool
    verified: bool  # the trace reproduced the module to 1e-5


CLOCKS = {"wall": time.perf_counter, "cpu": time.thread_time}


def _ms(fn, clock=time.perf_counter) -> float:
    start = clock()
    fn()
    return (clock() - start) * 1e3


def measure(case: str, threads: int, repeats: int, warmup: int = 2, clock: str = "wall") -> Row:
    """Median trace and bare-forward times of ``case`` with ``threads`` compute threads
    (torch's intra-op threads and, for the trace's NumPy arithmetic, BLAS threads).
    ``clock`` "cpu" counts this thread's CPU time only: steadier on a shared machine, and
    the same as wall time with one thread on an idle one."""
    torch.set_num_threads(threads)
    with threadpool_limits(threads):
        return _measure(case, threads, repeats, warmup, CLOCKS[clock])


def _measure(case: str, threads: int, repeats: int, warmup: int, clock) -> Row:
    config, spec, target = CASES[case]
    module = build_module(config, seed=spec.seed).module  # eval mode, cpu
    batch = make_batch(spec, config)

    def bare():
        with torch.no_grad():
            module(batch.input, batch.hx)

    verified = trace(module, batch.input, batch.hx).verified
    for _ in range(warmup):
        bare()
        trace(module, batch.input, batch.hx)
    trace_ms, bare_ms = [], []
    for _ in range(repeats):  # interleaved, so drift hits both alike
        bare_ms.append(_ms(bare, clock))
        trace_ms.append(_ms(lambda: trace(module, batch.input, batch.hx), clock))
    t, b = statistics.median(trace_ms), statistics.median(bare_ms)
    return Row(case, threads, t, b, t / b, target, t / b <= target, verified)


def format_table(rows: list[Row]) -> str:
    head = (f"{'case':<9} {'threads':>7} {'trace ms':>9} {'bare ms':>9} {'ratio':>7} "
            f"{'target':>7}  meets  verified")
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(f"{r.case:<9} {r.threads:>7} {r.trace_ms:>9.3f} {r.bare_ms:>9.3f} "
                     f"{r.ratio:>6.2f}x {r.target:>6.1f}x  {'yes' if r.meets_target else 'no':<5}  "
                     f"{'yes' if r.verified else 'NO'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python measure/bench.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=30, help="timed runs per case (median)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed runs first (default 2)")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2],
                        help="torch.set_num_threads values to report (default: 1 2)")
    parser.add_argument("--cases", nargs="+", choices=list(CASES), default=list(CASES))
    parser.add_argument("--clock", choices=list(CLOCKS), default="wall",
                        help="wall (default) or cpu: this thread's CPU time (threads=1 only)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    add_save_option(parser, "bench")
    args = parser.parse_args(argv)
    if args.clock == "cpu" and args.threads != [1]:
        parser.error("--clock cpu measures one thread: use it with --threads 1")
    if args.repeats < 1 or args.warmup < 0 or any(t < 1 for t in args.threads):
        parser.error("--repeats and --threads must be >= 1, --warmup >= 0")
    before, load_at_start = torch.get_num_threads(), load_average()
    try:
        rows = [measure(c, t, args.repeats, args.warmup, args.clock) for t in args.threads
                for c in args.cases]
    finally:
        torch.set_num_threads(before)
    if args.json:
        print(json.dumps({"machine": machine(), "repeats": args.repeats, "warmup": args.warmup,
                          "clock": args.clock, "rows": [asdict(r) for r in rows]}, indent=2))
    else:
        m = machine()
        print(f"trace vs bare module forward, median of {args.repeats} after {args.warmup} warm-up "
              f"({args.clock} clock, torch {m['torch']}, {m['cores']} CPUs, load average "
              f"{' '.join(f'{v:.2f}' for v in os.getloadavg())})")
        print(format_table(rows))
    if args.save:
        figures = {"repeats": args.repeats, "warmup": args.warmup, "clock": args.clock,
                   "rows": [asdict(r) for r in rows]}
        save(args.save, figures, script_argv(__file__, argv), load_at_start=load_at_start)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
