"""How long the Memory page takes: ``python measure/memory_bench.py``.

Two tables, one compute thread (as the app runs), medians over ``--repeats``, the things
compared run in turn repeat by repeat:

1. ``connectivity`` of each trained memory model on one sentence of L words (default 64,
   the classroom cap), three ways: by replication (one backward pass of L·H_out copies,
   what ``lstm_viz.connectivity`` does), one backward pass per output step
   (``rows_per_pass=H_out``), and ``torch.func.jacrev`` of the module through
   ``functional_call`` (vmap over the backward pass). Plus ``gradient_flows`` (h; h and c
   of the LSTM in one run, as the page asks) and ``trace``.
2. The page's rerun after the sentence changed, against the Gates page's rerun for the same
   sentence (sidebar weights = memory-lstm), both through Streamlit's AppTest (the whole
   script: run, figures, elements), each repeat with a new sentence so no cache helps.
   Target: Memory ≤ 3× Gates. A report: the exit status does not depend on it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from lstm_viz.core.connectivity import connectivity, gradient_flows
from lstm_viz.core.trace import trace
from lstm_viz.explain import memory as mem
from measure.results import add_save_option, load_average, save, script_argv


def interleaved_ms(fns: dict, repeats: int) -> dict[str, float]:
    """Median ms of each function, run in turn repeat by repeat (a load that comes and goes
    on a shared machine then hits them alike), after one warm-up call each."""
    times = {name: [] for name in fns}
    for fn in fns.values():
        fn()
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: 1000 * statistics.median(ts) for name, ts in times.items()}


def jacrev_connectivity(module, x: torch.Tensor) -> torch.Tensor:
    """(L, L) by torch.func.jacrev of output w.r.t. x (L, 1, H_in): the vmap way."""
    from torch.func import functional_call, jacrev

    params = dict(module.named_parameters())
    J = jacrev(lambda v: functional_call(module, params, (v,))[0])(x)  # (L,1,W, L,1,H_in)
    return J[:, 0, :, :, 0].square().sum((1, 3)).sqrt()


def engine_table(L: int, repeats: int) -> dict[str, dict[str, float]]:
    tokens = mem.generate(L - 1, 0).split()
    print(f"engine, one sentence of L={L} words, ms (median of {repeats}):")
    print(f"{'model':12} {'replicate':>10} {'per step':>10} {'jacrev':>10} "
          f"{'flows':>8} {'trace':>8}")
    table = {}
    for name in mem.MODELS:
        m, x = mem.module(name), mem.embed(name, tokens)
        ref = connectivity(m, x)[0]
        torch.testing.assert_close(jacrev_connectivity(m, x).float(), ref)  # same numbers
        ms = interleaved_ms({
            "replicate": lambda m=m, x=x: connectivity(m, x),
            "per step": lambda m=m, x=x: connectivity(m, x, rows_per_pass=m.hidden_size),
            "jacrev": lambda m=m, x=x: jacrev_connectivity(m, x),
            "flows": lambda m=m, x=x, s=("h", "c") if "lstm" in name else ("h",):
                gradient_flows(m, x, states=s),
            "trace": lambda m=m, x=x: trace(m, x)}, repeats)
        table[name] = ms
        print(f"{name:12} " + " ".join(f"{v:10.1f}" if k < 3 else f"{v:8.1f}"
                                        for k, v in enumerate(ms.values())))
    return table


def _rerun_ms(apps: dict, repeats: int) -> dict[str, float]:
    """Median ms of ``at.run()`` after ``change(k)`` (a new sentence each repeat) for each
    {name: (at, change)}, in turn repeat by repeat."""
    times = {name: [] for name in apps}
    for k in range(repeats):
        for name, (at, change) in apps.items():
            change(k)
            start = time.perf_counter()
            at.run()
            times[name].append(time.perf_counter() - start)
            assert not at.exception, at.exception
    return {name: 1000 * statistics.median(ts) for name, ts in times.items()}


def page_table(L: int, repeats: int) -> dict[str, float]:
    from apptest_utils import open_app

    sentences = [mem.generate(L - 1, 100 + k) for k in range(repeats + 1)]
    gates = open_app({"weights": "memory-lstm", "sentences": sentences[-1]}, "gates")
    base = gates.session_state["settings"]

    def new_gates_sentence(k: int) -> None:
        gates.session_state["settings"] = base.set("sentences", sentences[k])

    memory = open_app({"m_sentence": sentences[-1]}, "memory")

    def new_memory_sentence(k: int) -> None:
        values = memory.session_state["page_values"]
        values["memory"] = {**values["memory"], "m_sentence": sentences[k]}
        memory.session_state["page_values"] = values
        memory.session_state["w_m_sentence"] = sentences[k]

    ms = _rerun_ms({"gates": (gates, new_gates_sentence),
                    "memory": (memory, new_memory_sentence)}, repeats)
    g, m = ms["gates"], ms["memory"]
    print(f"\npage rerun after a new sentence of L={L} words (AppTest, median of {repeats}):")
    print(f"  Gates (weights=memory-lstm)  {g:8.0f} ms")
    print(f"  Memory (three models)        {m:8.0f} ms   ratio {m / g:.2f}x (target ≤ 3x: "
          f"{'met' if m <= 3 * g else 'not met'})")
    return {"gates_ms": g, "memory_ms": m, "ratio": m / g, "target": 3.0}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=mem.MAX_WORDS, help="L (default 64)")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--skip-pages", action="store_true", help="only the engine table")
    add_save_option(parser, "memory_bench")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    load_at_start = load_average()
    figures = {"words": args.words, "repeats": args.repeats,
               "engine_ms": engine_table(args.words, args.repeats)}
    if not args.skip_pages:
        figures["pages"] = page_table(args.words, args.repeats)
    if args.save:
        save(args.save, figures, script_argv(__file__, argv), load_at_start=load_at_start)
    return 0


if __name__ == "__main__":
    sys.exit(main())
