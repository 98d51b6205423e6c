"""Summaries: tables and lists made from several results files (PERFORMANCE.md's goals,
DEPLOY.md's sizing). Registered like measure/tables.py's renderers."""

from __future__ import annotations

from measure.markdown import Record, caption, ratio, renderer, several, table, when
from measure.tables import kinds

# --- the summaries: several results files in one table or list --------------------------------

several("summary", ("server_cpu", "load-class", "load-replicas", "load-calm", "bench",
                    "trace_parts", "perf", "first_visit", "memory_bench"))
several("sizing", ("load-class", "load-replicas"))


def _p95(rec: Record) -> tuple[dict, dict, list[str]]:
    """(single user's row, the largest class's row, its kinds) of a load results file."""
    rows = rec["figures"]["rows"]
    return rows[0], rows[-1], kinds(rows[-1])


def _class_row(rec: Record, limit: float = 4.0) -> list[str]:
    one, many, kinds = _p95(rec)
    ratios = [many[k]["p95_s"] / one[k]["p95_s"] for k in kinds]
    p95 = " / ".join(f"{many[k]['p95_s']:.3f} s" for k in kinds)
    ok = max(ratios) <= limit and not many["errors"]
    return [f"**p95 {p95} = {' / '.join(ratio(r, 1) for r in ratios)}**, "
            f"{len(many['errors'])} errors in {sum(many[k]['count'] for k in kinds)} changes",
            "yes" if ok else "no"]


def _perf_row(f: dict, metric: str, case: str, pages=("overview", "gates")) -> list[str]:
    rows = [r for r in f["rows"] if r["metric"].startswith(metric) and r["case"] == case
            and r["page"] in pages]
    text = ", ".join(f"{r['page']} {ratio(r['ratio'], 1)}" for r in rows)
    met = [r["ratio"] <= r["target"] for r in rows]
    return [text, "yes" if all(met) else "no" if not any(met) else "partly"]


@renderer("summary")
def summary(record: Record) -> str:
    r = {k: v["figures"] for k, v in record["figures"].items()}
    cpu = [row["ratio"] for row in r["server_cpu"]["rows"]]
    bench = {(row["case"], row["threads"]): row["ratio"] for row in r["bench"]["rows"]}
    floors = {c: (p["bare"] + p["layers"] + p["products"]) / p["bare"]
              for c, p in r["trace_parts"]["cases"].items()}
    first, mem = r["first_visit"]["medians"], r["memory_bench"]["pages"]
    warm, cold = (next(iter(first[k]["pages_s"].values())) for k in ("warm-up", "no warm-up"))
    rows = [
        ["1. server CPU per rerun, official preset, each page", "≤ 2× a bare page sending "
         "the same elements", f"**{ratio(min(cpu))}–{ratio(max(cpu))}**",
         "yes" if max(cpu) <= 2 else "no"],
        ["2a. 30 students, a change every 2–8 s, one process", "p95 ≤ 4× the single user, "
         "no errors", *_class_row(record["figures"]["load-class"])],
        ["2b. 60 students, two replicas behind HAProxy", "the same",
         *_class_row(record["figures"]["load-replicas"])],
        ["2c. 30 students of the calm class (official / medium links)", "the same",
         *_class_row(record["figures"]["load-calm"])],
        ["3. `trace` ÷ bare forward, one thread", "≤ 2× official, ≤ 1.5× large",
         f"**{ratio(bench[('official', 1)], 1)} official, {ratio(bench[('large', 1)], 1)} "
         f"large**; the design's floor {ratio(floors['official'], 1)} / "
         f"{ratio(floors['large'], 1)}", "no"],
        ["4a. browser, full load", "≤ 2× the floor page",
         *_perf_row(r["perf"], "full load", "official")],
        ["4b. sidebar change → charts redrawn, official", "≤ 2×",
         *_perf_row(r["perf"], "sidebar", "official")],
        ["4c. the same at the largest configuration", "≤ 3×",
         *_perf_row(r["perf"], "sidebar", "large")],
        ["5. the first student after a start", "no imports or preset runs to pay",
         f"first page {warm:.2f} s after the warm-up ({cold:.2f} s without)",
         "yes" if warm < cold else "no"],
        ["6. the Memory page's rerun", "≤ 3× the Gates page's",
         f"**{ratio(mem['ratio'])}** ({mem['memory_ms']:.0f} / {mem['gates_ms']:.0f} ms)",
         "yes" if mem["ratio"] <= mem["target"] else "no"],
    ]
    dates = sorted(when(v) for v in record["figures"].values())
    return (table(["goal", "target", "measured", "met"], rows)
            + f"\n\nMeasured {dates[0]} – {dates[-1]}; each figure's command, machine and "
              "load average are under its table below.")


@renderer("sizing")
def sizing(record: Record) -> str:
    one_rec, two_rec = record["figures"]["load-class"], record["figures"]["load-replicas"]
    one, many, _ = _p95(one_rec)
    _, many2, _ = _p95(two_rec)
    single2 = two_rec["figures"]["rows"][0]
    cpu_ms = 1000 * many["server_cpu_s"] / many["runs"]
    per_student = (many["peak_mb"] - many["start_mb"]) / many["sessions"]
    core = many["server_cpu_s"] / many["wall_s"]
    core2 = many2["server_cpu_s"] / many2["wall_s"] / 2
    return "\n".join([
        f"* **{many['sessions']} students on one replica** (one app process): p95 "
        f"{many['class']['p95_s']:.2f} s from a change to the page's last element, "
        f"{ratio(many['class']['p95_s'] / one['class']['p95_s'], 1)} a single student's, "
        f"{len(many['errors'])} errors; the process used {core:.2f} of a core. "
        f"**{many2['sessions']} students on two replicas** behind HAProxy "
        f"(`deploy/compose.yaml`'s topology, one 2-core box): p95 "
        f"{many2['class']['p95_s']:.2f} s, "
        f"{ratio(many2['class']['p95_s'] / single2['class']['p95_s'], 1)} a single "
        f"student's, {core2:.2f} core per replica.",
        f"* **CPU: ~{cpu_ms:.0f} ms per change** at class-sized settings (server CPU ÷ "
        f"reruns), so a replica, which uses at most about one core, runs up to "
        f"~{1000 / cpu_ms:.0f} reruns per second. Kept at most half busy: **students per "
        f"replica ≈ {500 / cpu_ms:.0f} × t**, with t the seconds between one student's "
        f"changes.",
        f"* **RAM: ~{one['start_mb']:.0f} MB per replica after its first session, plus "
        f"~{per_student:.1f} MB per student** on it (RSS {many['start_mb']:.0f} → "
        f"{many['peak_mb']:.0f} MB for {many['sessions']}), plus the caches.",
        "",
        caption(one_rec), "", caption(two_rec)])


@renderer("sizing:short")
def sizing_short(record: Record) -> str:
    """One sentence for the README: what one and two replicas carried."""
    one_rec, two_rec = record["figures"]["load-class"], record["figures"]["load-replicas"]
    many = one_rec["figures"]["rows"][-1]
    many2 = two_rec["figures"]["rows"][-1]
    return (f"{many['sessions']} students on one app process: p95 "
            f"{many['class']['p95_s']:.2f} s from a change to the redrawn page, "
            f"{len(many['errors'])} errors; {many2['sessions']} on two replicas: p95 "
            f"{many2['class']['p95_s']:.2f} s, {len(many2['errors'])} errors")
