"""Renderers of the training figures (issue 21): ``measure/train_bench.py``'s results and the
class beside two trainings (``measure/load.py --trainings``), JSON in, Markdown out
(registered with ``measure.markdown.renderer``, as every table of ``measure/tables.py``)."""

from __future__ import annotations

from measure.markdown import Record, caption, ratio, renderer, several, table


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


several("train_load", tuple(TRAIN_LOAD.values()))


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


@renderer("train_load")
def train_load(record: Record) -> str:
    runs = {kind: record["figures"][name] for kind, name in TRAIN_LOAD.items()}
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
