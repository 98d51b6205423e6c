"""Renderers: one function per results file (and table), its JSON in, Markdown out.

``python scripts/tables.py`` puts each renderer's Markdown between the markers
``<!-- results:<key> -->`` and ``<!-- /results -->`` of README.md and docs/*.md
(measure/doctables.py). A key is ``<name>`` or ``<name>:<table>``; ``<name>`` is the results
file docs/results/<name>.json (``measure.results.save``) unless a ``source`` names another
reader. A new measuring tool adds its renderer here with ``@renderer("<key>")`` and ends the
table with ``caption(record)``: the command, date, machine and load average it came from.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from measure.markdown import (
    RENDERERS,
    Record,
    caption,
    pct,
    ratio,
    render,
    renderer,
    signed,
    source,
    table,
)

__all__ = ["RENDERERS", "render"]  # what measure/doctables.py asks
ROOT = Path(__file__).resolve().parents[1]
TRAINED = ROOT / "lstm_viz" / "trained"


# --- the trained models (lstm_viz/trained/*.json, written by scripts/train_toy.py) ----------

@source("trained")
def _trained() -> Record:
    models = {p.stem: json.loads(p.read_text(encoding="utf-8"))
              for p in sorted(TRAINED.glob("*.json"))}
    return {"name": "trained", "figures": models}


ORDER = ("sentiment", "brackets", "memory")
CELLS = ("lstm", "gru", "rnn")
CHANCE_LEFT = 0.5  # a model whose test accuracy stays below this did not learn its task


def _models(record: Record, tasks: Sequence[str] = ORDER) -> list[dict]:
    found = record["figures"]
    return [found[f"{task}-{cell}"] for task in tasks for cell in CELLS
            if f"{task}-{cell}" in found]


def _module(meta: dict) -> str:
    c = meta["config"]
    return f"`{c['cell']}({c['input_size']}, {c['hidden_size']})`"


def _readable(meta: dict) -> str:
    state, gate = meta["readable"]["state"], meta["readable"]["gate"]
    what = {"label": "the label", "depth": "the depth",
            "first": f"“the first word was {state['token']}”"}[state["measure"]]
    text = (f"{state['kind']}[{state['unit']}] with {what} r = {signed(state['score'])}; "
            f"{gate['kind']}[{gate['unit']}] at “{gate['token']}” d = {signed(gate['score'])}")
    if meta["accuracy"]["test"] < CHANCE_LEFT:
        text += " (it did not learn the task: these are noise)"
    return text


@renderer("trained")
def trained_accuracy(record: Record) -> str:
    rows = []
    for meta in _models(record):
        acc = meta["accuracy"]
        unit = "strings" if meta["per_step"] else ""
        rows.append([f"`{meta['name']}`", _module(meta),
                     f"{meta['train_size']} / {meta['test_size']} {unit}".strip(),
                     pct(acc["train"]), pct(acc["test"]),
                     pct(acc["test_long"]) if "test_long" in acc else "–", _readable(meta)])
    return table(["model", "module", "train / test", "train acc.", "test acc.",
                  "longer strings", "readable units (found on the test set)"], rows) + (
        "\n\n" + trained_caption(record))


def trained_caption(record: Record) -> str:
    versions = sorted({m["torch"] for m in record["figures"].values()})
    return (f"<sub>lstm_viz/trained/*.json, written by `python scripts/train_toy.py` "
            f"(seed 0, one thread, torch {', '.join(versions)})</sub>")


@renderer("trained:by_distance")
def trained_by_distance(record: Record) -> str:
    models = _models(record, ["memory"])[::-1]  # rnn, gru, lstm: the story's order
    spans = list(models[0]["accuracy"]["by_distance"])
    header = ["model", *(s.split("-")[0] if s.split("-")[0] == s.split("-")[1]
                         else s.replace("-", "–") for s in spans)]
    rows = [[f"`{m['name']}` ({_module(m)})", *(pct(m["accuracy"]["by_distance"][s])
                                               for s in spans)] for m in models]
    return table(header, rows) + "\n\n" + trained_caption(record)


@renderer("trained:rnn_at_0")
def trained_rnn_at_0(record: Record) -> str:
    """The plain RNN's accuracy on one-word sentences (a figure inside a sentence)."""
    return pct(record["figures"]["memory-rnn"]["accuracy"]["by_distance"]["0-0"])


# --- measure/bench.py: trace against the bare module ----------------------------------------

@renderer("bench")
def bench(record: Record) -> str:
    f = record["figures"]
    rows = [[r["case"], r["threads"], f"{r['trace_ms']:.3f}", f"{r['bare_ms']:.3f}",
             f"**{ratio(r['ratio'])}**", ratio(r["target"], 1),
             "yes" if r["meets_target"] else "no", "yes" if r["verified"] else "**NO**"]
            for r in f["rows"]]
    return (table(["case", "threads", "trace ms", "bare ms", "ratio", "target", "meets",
                   "verified"], rows)
            + f"\n\nMedians of {f['repeats']} after {f['warmup']} warm-up runs, "
              f"{f['clock']} clock.\n\n" + caption(record))


@renderer("trace_parts")
def trace_parts(record: Record) -> str:
    rows = []
    for case, p in record["figures"]["cases"].items():
        floor = p["bare"] + p["layers"] + p["products"]
        rel = [f"{p[k]:.3g} ms ({p[k] / p['bare']:.1f}×)" for k in ("layers", "products")]
        rows.append([case, f"{p['bare']:.3g} ms", *rel,
                     f"**{floor / p['bare']:.1f}×**", f"{p['trace'] / p['bare']:.1f}×",
                     f"{(p['trace'] - floor) / p['bare']:.1f}×"])
    return (table(["case", "bare", "layers below the last", "gate products", "floor = sum",
                   "trace", "rest"], rows)
            + f"\n\n{record['figures']['clock'].capitalize()} time, medians of "
              f"{record['figures']['repeats']}.\n\n" + caption(record))


# --- measure/memory_bench.py: the Memory page ------------------------------------------------

@renderer("memory_bench")
def memory_engine(record: Record) -> str:
    f = record["figures"]
    columns = ["replicate", "per step", "jacrev", "flows", "trace"]
    rows = [[f"`{name}`", *(f"{ms[c]:.1f}" for c in columns)]
            for name, ms in f["engine_ms"].items()]
    return (table([f"model (L = {f['words']} words)", "connectivity: replicate",
                   "one pass per step", "`torch.func.jacrev`", "gradient flows", "trace"], rows)
            + f"\n\nms, medians of {f['repeats']}, one thread.\n\n" + caption(record))


@renderer("memory_bench:pages")
def memory_pages(record: Record) -> str:
    f, p = record["figures"], record["figures"]["pages"]
    met = "met" if p["ratio"] <= p["target"] else "not met"
    return (table(["page rerun after a new sentence (AppTest)", "ms", "ratio", "target"], [
        ["Gates (`weights=memory-lstm`)", f"{p['gates_ms']:.0f}", "1", ""],
        ["Memory (three models)", f"{p['memory_ms']:.0f}", f"**{ratio(p['ratio'])}**",
         f"≤ {p['target']:g}×: {met}"]])
        + f"\n\nL = {f['words']} words, medians of {f['repeats']}.\n\n" + caption(record))


# --- measure/server_cpu.py: server CPU per rerun against a floor page -------------------------

@renderer("server_cpu")
def server_cpu(record: Record) -> str:
    f = record["figures"]
    what = "a new seed every rerun" if f["change"] else "the official preset, unchanged"
    rows = [[r["page"], r["elements"], f"{r['ours_cpu_ms']:.1f}", f"{r['floor_cpu_ms']:.1f}",
             f"**{ratio(r['ratio'])}**", "yes" if r["ratio"] <= f["target"] else "no",
             f"{r['load_before'][0]:.1f} → {r['load_after'][0]:.1f}"] for r in f["rows"]]
    return (table(["page", "elements", "lstm-viz CPU ms", "floor CPU ms", "ratio",
                   f"≤ {f['target']:g}×", "load (1 min)"], rows)
            + f"\n\nServer CPU per rerun ({what}), {f['rounds']} rounds of {f['reruns']} "
              f"reruns of each page and of the floor page, alternately.\n\n" + caption(record))


RENDERERS["server_cpu-change"] = server_cpu


# --- measure/load.py: a class of simulated students -------------------------------------------

def kinds(row: dict) -> list[str]:
    return [k for k in ("class", "official", "medium") if k in row]


def _latency(row: dict, key: str, digits: int = 3) -> str:
    return " / ".join(f"{row[k][key]:.{digits}f}" for k in kinds(row))


@renderer("load")
def load(record: Record) -> str:
    f = record["figures"]
    single = f["rows"][0]
    rows = []
    for r in f["rows"]:
        over = " / ".join(ratio(r[k]["p95_s"] / single[k]["p95_s"], 1) for k in kinds(r))
        cores = r["server_cpu_s"] / r["wall_s"]
        rows.append([r["sessions"], _latency(r, "p50_s"), f"**{_latency(r, 'p95_s')}**",
                     over if r is not single else "1", _latency(r, "max_s", 2),
                     len(r["errors"]), sum(r[k]["count"] for k in kinds(r)),
                     f"{r['server_cpu_s']:.1f} s / {r['wall_s']:.0f} s ({cores:.2f} core)",
                     f"{r['start_mb']:.0f} → {r['peak_mb']:.0f}",
                     f"{r['load_before'][0]:.1f} → {r['load_after'][0]:.1f}"])
    shown = " / ".join(kinds(single))
    return (table(["students", f"p50 s ({shown})", "p95 s", "p95 ÷ single user", "max s",
                   "errors", "changes", "server CPU", "RSS MB start → peak", "load (1 min)"],
                  rows)
            + f"\n\n{_workload(f)}\n\n" + caption(record))


def _workload(f: dict) -> str:
    where = ("two replicas behind HAProxy" if f["replicas"] == 2 else "one app process")
    if f["workload"] == "calm":
        pace = f"a change every ~{f['think']:g} s (official and medium links)"
    else:
        pace = (f"a change every {f['pace'][0]:g}–{f['pace'][1]:g} s; the single user makes "
                f"{f['baseline_changes']}, the others {f['changes']} each")
    return f"The {f['workload']} workload on {where}: {pace}."


for _name in ("load-class", "load-replicas", "load-calm"):
    RENDERERS[_name] = load


# --- measure/perf.py: in the browser -----------------------------------------------------------

@renderer("perf")
def perf(record: Record) -> str:
    f = record["figures"]
    rows = [[r["metric"], r["case"], r["page"], r["size"], f"{r['ours_s']:.2f}",
             f"{r['floor_s']:.2f}", f"**{ratio(r['ratio'])}**",
             f"≤ {r['target']:g}×: {'yes' if r['ratio'] <= r['target'] else 'no'}",
             f"{r['ours_run_s']:.2f} / {r['floor_run_s']:.2f}" if "ours_run_s" in r else ""]
            for r in f["rows"]]
    return (table(["measured", "case", "page", "largest chart", "lstm-viz s", "floor s",
                   "ratio", "target", "run end s (ours / floor)"], rows)
            + f"\n\nMedians of {f['cold_repeats']} cold starts, {f['loads']} full loads and "
              f"{f['repeats']} sidebar changes per row, lstm-viz and the floor alternately; "
              f"{f['chromium']}, headless.\n\n" + caption(record))


# --- measure/first_visit.py: the first student after a start -----------------------------------

@renderer("first_visit")
def first_visit(record: Record) -> str:
    f = record["figures"]
    pages = list(next(iter(f["medians"].values()))["pages_s"])
    rows = [[label, f"{m['health_s']:.1f} s",
             f"{m['warm_s']:.1f} s" if m["warm_s"] is not None else "–",
             *(f"**{v:.2f}**" if k == 0 else f"{v:.2f}"
               for k, v in enumerate(m["pages_s"].values()))]
            for label, m in f["medians"].items()]
    return (table(["server started", "health after start", "warm-up after health", *pages],
                  rows)
            + f"\n\nSeconds from a rerun to its `script_finished` for the first student's visit "
              f"of every page, medians of {f['repeats']} starts each.\n\n" + caption(record))


@renderer("first_visit:warm")
def first_visit_warm(record: Record) -> str:
    """How long the warm-up takes after the health check (a figure inside a sentence)."""
    return f"{record['figures']['medians']['warm-up']['warm_s']:.1f} s"


# --- measure/payload.py: what each page sends ---------------------------------------------------

@renderer("payload")
def payload(record: Record) -> str:
    f = record["figures"]
    kb = lambda n: f"{n / 1024:.1f}"  # noqa: E731
    rows = [[r["config"], r["page"], r["charts"], kb(r["chart_bytes"]), kb(r["largest_chart"]),
             kb(r["page_bytes"]), f"{f['budget'][r['config']] / 1024:.0f}"] for r in f["rows"]]
    return (table(["configuration", "page", "charts", "chart KB", "largest chart KB",
                   "page KB", "chart budget KB"], rows) + "\n\n" + caption(record))


from measure import class_tables, train_tables  # noqa: E402,F401 (they register their tables)
