"""Renderers: one function per results file (and table), its JSON in, Markdown out.

``python scripts/tables.py`` puts each renderer's Markdown between the markers
``<!-- results:<key> -->`` and ``<!-- /results -->`` of README.md and docs/*.md
(measure/doctables.py). A key is ``<name>`` or ``<name>:<table>``; ``<name>`` is the results
file docs/results/<name>.json (``measure.results.save``) unless ``SOURCES`` names another
reader. A new measuring tool adds its renderer here with ``@renderer("<key>")`` and ends
the table with ``caption(record)``: the command, date, machine and load average it came from.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path

from measure import results

ROOT = Path(__file__).resolve().parents[1]
TRAINED = ROOT / "lstm_viz" / "trained"

Record = dict
RENDERERS: dict[str, Callable[[Record], str]] = {}
SOURCES: dict[str, Callable[[], Record]] = {}


def renderer(key: str):
    def register(fn: Callable[[Record], str]) -> Callable[[Record], str]:
        if key in RENDERERS:
            raise ValueError(f"two renderers for {key!r}")
        RENDERERS[key] = fn
        return fn
    return register


def source(name: str):
    """Register where the results ``name`` come from when not docs/results/<name>.json."""
    def register(fn: Callable[[], Record]) -> Callable[[], Record]:
        SOURCES[name] = fn
        return fn
    return register


def render(key: str) -> str:
    """The Markdown of ``key`` from its results (KeyError: no such renderer)."""
    if key not in RENDERERS:
        raise KeyError(f"no renderer {key!r} in measure/tables.py")
    name = key.split(":", 1)[0]
    record = SOURCES[name]() if name in SOURCES else results.load(name)
    return RENDERERS[key](record)


# --- helpers -------------------------------------------------------------------------------

def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def signed(x: float, digits: int = 2) -> str:
    """``+0.97`` / ``−2.05`` (a real minus sign)."""
    return f"{x:+.{digits}f}".replace("-", "−")


def pct(x: float) -> str:
    return f"{x:.1%}"


def ratio(x: float, digits: int = 2) -> str:
    return f"{x:.{digits}f}×"


def when(record: Record) -> str:
    """``2026-12-07 21:10 UTC``."""
    return datetime.fromisoformat(record["date"]).strftime("%Y-%m-%d %H:%M UTC")


def loads(values: Sequence[float]) -> str:
    return " / ".join(f"{v:.2f}" for v in values)


def caption(record: Record) -> str:
    """Where a table's figures come from: command, date, machine, load average."""
    m = record["machine"]
    start = (f"{loads(record['load_average_start'])} at the start, "
             if record.get("load_average_start") else "")
    return (f"<sub>`{record['command']}` · {when(record)} · {m['cpu']}, {m['cores']} cores, "
            f"Python {m['python']}, torch {m['torch']}, Streamlit {m['streamlit']} · load "
            f"average (1 / 5 / 15 min) {start}{loads(record['load_average'])} at the end · "
            f"docs/results/{record['name']}.json</sub>")


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


# --- class mode (issue 20): measure/load.py --workload classroom, measure/dashboard_cpu.py ----

def _s(spread: dict, key: str) -> str:
    return f"{spread[key]:.2f} s" if key in spread else "–"


PHASES = {"baseline": "alone (no class mode)", "class": "class mode",
          "faults": "class mode, a replica killed and PostgreSQL restarted"}


def _phase_rows(record: Record) -> list[list[object]]:
    rows = []
    for p in record["figures"]["phases"]:
        feedback = p["answer_to_feedback"]
        kept = (f"{p['stored']} / {p['confirmed']} (lost {p['lost']}; {p['unconfirmed']} "
                f"unconfirmed, {p['stored_unconfirmed']} of them stored)"
                if "stored" in p else f"– / {p['confirmed']}")
        board = p.get("answer_to_dashboard", {})
        rows.append([PHASES.get(p["phase"], p["phase"]), kept,
                     f"{_s(feedback, 'p50_s')} / {_s(feedback, 'p95_s')} / "
                     f"{_s(feedback, 'max_s')}",
                     f"{_s(board, 'p50_s')} / {_s(board, 'p95_s')} / {_s(board, 'max_s')}"
                     if board else "–",
                     p["reconnects"], p["error_count"]])
    return rows


@renderer("class-load")
def class_load(record: Record) -> str:
    f = record["figures"]
    head = ["run", "answers stored / confirmed", "answer → feedback p50 / p95 / max",
            "answer → dashboard p50 / p95 / max", "reconnects", "errors"]
    out = [table(head, _phase_rows(record))]
    if "p95_ratio" in f:
        out.append(f"p95 answer → feedback in class mode: **{ratio(f['p95_ratio'])}** the same "
                   f"class alone (target ≤ 2×). {f['students']} students on 2 replicas behind "
                   f"HAProxy with PostgreSQL, lesson {f['lesson']}, an answer every "
                   f"{f['pace'][0]:g}–{f['pace'][1]:g} s each.")
    faults = next((p["faults"] for p in f["phases"] if p["faults"]), [])
    if faults:
        out.append("Faults, seconds into that run: " + "; ".join(
            f"{what} at {at:g} s" for what, at in faults) + ".")
    return "\n\n".join(out) + "\n\n" + caption(record)


@renderer("class-load:sizing")
def class_load_sizing(record: Record) -> str:
    rows = []
    for p in record["figures"]["phases"]:
        cpu = {k: v for k, v in p["server_cpu_s"].items() if v is not None}
        share = " / ".join(f"{k} {v / p['wall_s']:.2f}" for k, v in cpu.items())
        rows.append([PHASES.get(p["phase"], p["phase"]), p["students"], f"{p['wall_s']:.0f} s",
                     share,
                     _s(p["answer_to_feedback"], "p95_s")])
    head = ["run", "students", "length", "cores used per replica", "p95 answer → feedback"]
    return table(head, rows) + "\n\n" + caption(record)


@renderer("class-dashboard")
def class_dashboard(record: Record) -> str:
    rows = []
    for store, m in record["figures"].items():
        app = m["app"]
        rows.append([store, f"{m['students']} × {m['steps']}", m["rows"],
                     f"{m['engine_cpu_ms']:.1f} ms", f"**{app['cpu_ms_per_refresh']:.1f} ms**",
                     f"{app['wall_p50_s'] * 1000:.0f} / {app['wall_p95_s'] * 1000:.0f} ms"])
    head = ["store", "students × steps", "answers", "reads + aggregation (CPU)",
            "one refresh, server CPU (target ≤ 100 ms)", "refresh wall p50 / p95"]
    return table(head, rows) + "\n\n" + caption(record)
