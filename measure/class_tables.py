"""Renderers of class mode's figures (issue 20): ``measure/load.py --workload classroom``
(measure/class_load.py) and ``measure/dashboard_cpu.py``, JSON in, Markdown out (registered
with ``measure.markdown.renderer``, as every table of ``measure/tables.py``)."""

from __future__ import annotations

from measure.markdown import Record, caption, ratio, renderer, table


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


@renderer("class-load:short")
def class_load_short(record: Record) -> str:
    """One sentence for the README: lost answers, the p95 ratio, answer → dashboard."""
    f = record["figures"]
    phases = {p["phase"]: p for p in f["phases"]}
    lost = sum(p.get("lost", 0) for p in f["phases"])
    board = phases["class"]["answer_to_dashboard"]
    return (f"class mode, {f['students']} students on two replicas with PostgreSQL: {lost} "
            f"answers lost (a replica killed and PostgreSQL restarted included), p95 answer → "
            f"feedback {ratio(f['p95_ratio'])} the same class without it, an answer on the "
            f"teacher's dashboard within {board['p95_s']:.1f} s (p95)")
