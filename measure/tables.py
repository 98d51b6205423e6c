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


# --- issue 21: training (measure/train_bench.py; measure/load.py --trainings) ---------------

@renderer("train_bench")
def train_bench(record: Record) -> str:
    f = record["figures"]
    rows = []
    for r in f["rows"]:
        learn = r.get("learn") or {}
        learned = ("not within the run" if learn.get("seconds") is None else
                   f"epoch {learn['epoch']:g}: **{learn['seconds']:.1f} s**")
        rows.append([r["threads"], f"{r['engine_s']:.3f}", f"{r['bare_s']:.3f}",
                     f"**{ratio(r['ratio'])}**", "yes" if r["ratio"] <= f["target_ratio"]
                     else "no", f"{r['loop_s']:.3f} ({ratio(r['loop_ratio'])})",
                     "yes" if r["same_bytes"] else "**NO**", learned,
                     "yes" if learn.get("seconds") is not None
                     and learn["seconds"] <= f["target_learn_s"] else "no"])
    epochs = f["rows"][0]["epochs"]
    per_epoch = f["rows"][0]["snapshots_per_epoch"]
    return (table(["threads", "engine s / epoch", "bare loop s / epoch", "ratio (target "
                   f"≤ {f['target_ratio']:g}×)", "meets", "engine without snapshots",
                   "same bytes",
                   "LSTM right at every distance", f"≤ {f['target_learn_s']:g} s"], rows)
            + f"\n\nThe memory task's defaults (RNN, GRU and LSTM side by side, the shipped "
              f"recipe); medians of {epochs} epochs each, the two loops in turn; the engine "
              f"with its snapshots ({per_epoch:g} per epoch), measured and copied. \"Right at "
              "every distance\": ≥ 95 % of the held-out sentences in every distance column "
              "of a snapshot, training from scratch.\n\n" + caption(record))


TRAIN_LOAD = {"none": "train-load-none", "thread": "train-load-thread",
              "process": "train-load-process"}  # runner → its results file


@source("train_load")
def _train_load() -> Record:
    return {"name": "train_load",
            "figures": {kind: results.load(name) for kind, name in TRAIN_LOAD.items()}}


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


@renderer("train_load")
def train_load(record: Record) -> str:
    runs = record["figures"]
    base = runs["none"]["figures"]["rows"][-1]["class"]["p95_s"]
    rows = []
    for kind, run in runs.items():
        row, f = run["figures"]["rows"][-1], run["figures"]
        trainer = row.get("trainer")
        ratio_p95 = row["class"]["p95_s"] / base
        rows.append([f"{f.get('trainings', 0)}" + ("" if kind == "none" else f" ({kind})"),
                     row["sessions"], _ms(row["class"]["p50_s"]),
                     _ms(row["class"]["p95_s"]), f"**{ratio(ratio_p95)}**",
                     "–" if kind == "none" else ("yes" if ratio_p95 <= 2 else "no"),
                     _ms(row["class"]["max_s"]), _ms(trainer["p95_s"]) if trainer else "–",
                     f"{row['server_cpu_s']:g} / {row.get('worker_cpu_s', 0):g}",
                     len(row["errors"])])
    return (table(["trainings (where)", "students", "class p50 ms", "class p95 ms",
                   "p95 / without", "≤ 2×", "class max ms", "live view p95 ms",
                   "CPU s: server / workers", "errors"], rows)
            + "\n\n" + "<br>".join(caption(run) for run in runs.values()))
