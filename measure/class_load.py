"""Class mode under load (issue 20): ``python measure/load.py --workload classroom``.

    python measure/load.py --workload classroom --sessions 60 --pace 5 15 --save

Topology: a PostgreSQL server of its own (serving/postgres.py, a temporary folder), two
replicas (measure/two_replicas.py) whose ``LSTM_VIZ_DATABASE_URL`` points at it, HAProxy in
front. Three phases, one after the other, each with N students doing lesson 000
(measure/class_workload.py):

1. ``baseline``: the lesson on their own (no class mode) — the latency to compare with;
2. ``class``: the same lesson in a class, the teacher's dashboard open;
3. ``faults``: again in a new class; at 35 % of the phase one replica is killed (SIGKILL), at
   65 % PostgreSQL is stopped (fast shutdown: connections cut) and started 3 s later.

Each phase reports the answers whose feedback came back (confirmed) and the rows the store
holds for them, matched per student, step and answer (lost = confirmed with no row), the
answers unconfirmed when a connection broke, answer → feedback p50 / p95 / max, the
students' polling fragment, the dashboard's refresh and answer → dashboard (a row's check
time to the first refresh that counted it), server CPU per replica, reconnects and errors.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from lstm_viz.classroom import migrate, records, store
from lstm_viz.classroom.connect import make_engine
from measure.class_workload import LESSON, answer_key, student, teacher
from measure.load import cpu_s, percentile
from measure.results import load_average, save
from measure.two_replicas import two_replicas
from serving.postgres import Postgres, bin_dir

PHASES = ("baseline", "class", "faults")
KILL_AT, RESTART_AT, DOWN_S = 0.35, 0.65, 3.0


def _spread(values: list[float]) -> dict:
    if not values:
        return {"count": 0}
    return {"count": len(values), "p50_s": round(percentile(values, 50), 3),
            "p95_s": round(percentile(values, 95), 3), "max_s": round(max(values), 3)}


def _expected_s(args, steps: int) -> float:
    """About how long a student takes for the lesson (for timing the faults)."""
    return steps * (sum(args.pace) / 2 * 1.4 + 2)


async def _faults(topo, pg: Postgres, after: float, done: list) -> None:
    await asyncio.sleep(after * KILL_AT)
    topo.kill("app1")
    done.append(("app1 killed", round(after * KILL_AT, 1)))
    await asyncio.sleep(after * (RESTART_AT - KILL_AT))
    await asyncio.to_thread(pg.stop, "fast")
    done.append(("postgresql stopped", round(after * RESTART_AT, 1)))
    await asyncio.sleep(DOWN_S)
    await asyncio.to_thread(pg.start)
    done.append(("postgresql started", round(after * RESTART_AT + DOWN_S, 1)))


async def _crowd(topo, pg, args, keys, queries, teacher_query, faults: bool):
    rng = random.Random(args.seed)
    stop, happened = asyncio.Event(), []
    board = asyncio.create_task(teacher(topo.url, teacher_query, stop)) if teacher_query \
        else None
    extra = [asyncio.create_task(_faults(topo, pg, _expected_s(args, len(keys)), happened))] \
        if faults else []
    crowd = [student(topo.url, i, q, keys, tuple(args.pace), random.Random(rng.random()),
                     teacher_query is not None) for i, q in enumerate(queries)]
    order = rng.sample(range(len(crowd)), len(crowd))  # the balancer sees them in random order
    students = sorted(await asyncio.gather(*(crowd[i] for i in order)), key=lambda s: s.index)
    stop.set()
    dashboard = await board if board else None
    for task in extra:
        await task
    return students, dashboard, happened


def _stored(engine, cls, students_by_token: dict, wait_s: float) -> list[records.Answer]:
    """The class's rows, once they stop arriving (outboxes drained) or after ``wait_s``."""
    deadline, seen = time.monotonic() + wait_s, -1
    while True:
        try:
            rows = records.answers_of(engine, cls.id)
        except Exception:  # the server may still be starting
            rows = []
        if len(rows) == seen or time.monotonic() > deadline:
            return rows
        seen = len(rows)
        time.sleep(4.0)


def _matched(students, rows, tokens: dict) -> dict:
    """Confirmed answers against stored rows, per (student, step, typed)."""
    said = Counter((tokens[s.token], step, typed) for s in students for step, typed in s.said)
    kept = Counter((a.student_id, a.step, a.typed) for a in rows)
    lost = sum(max(0, n - kept[k]) for k, n in said.items())
    return {"confirmed": sum(said.values()), "stored": len(rows), "lost": lost,
            "unconfirmed": sum(s.unconfirmed for s in students),
            "stored_unconfirmed": len(rows) - (sum(said.values()) - lost)}


def _to_dashboard(rows: list[records.Answer], refreshes: list) -> list[float]:
    """Per stored row: seconds from its check to the first refresh that counted it."""
    out = []
    for rank, a in enumerate(rows, 1):
        shown = next((f for f, n, _ in refreshes if n >= rank and f >= a.at), None)
        if shown is not None:
            out.append(shown - a.at)
    return out


def phase(name: str, topo, pg, engine, args, keys) -> dict:
    n = max(args.sessions)
    cls = key = None
    if name != "baseline":
        cls, key = store.open_class(engine, f"load {name}", [LESSON])
        joined = [store.join(engine, cls, f"s{k}") for k in range(n)]
        queries = [f"class={cls.code}&student={s.token}&lang=en" for s in joined]
        tokens = {s.token: s.id for s in joined}
    else:
        queries, tokens = [f"lesson={LESSON}&lang=en"] * n, {}
    cpu0 = {k: cpu_s(p) for k, p in topo.pids.items()}
    load0, t0 = load_average(), time.monotonic()
    students, board, happened = asyncio.run(_crowd(
        topo, pg, args, keys, queries,
        f"class={cls.code}&key={key}&lang=en" if cls else None, name == "faults"))
    wall = time.monotonic() - t0
    cpu = {}
    for k, p in topo.pids.items():
        try:
            cpu[k] = round(cpu_s(p) - cpu0[k], 1)
        except OSError:  # killed
            cpu[k] = None
    times = [x for s in students for x in s.times.get(s.kind, [])]
    row = {"phase": name, "students": n, "wall_s": round(wall, 1), "load_before": load0,
           "load_after": load_average(), "server_cpu_s": cpu, "answer_to_feedback": _spread(
               times), "reconnects": sum(s.reconnects for s in students),
           "errors": [e for s in students for e in s.errors][:20],
           "error_count": sum(len(s.errors) for s in students), "faults": happened,
           "slowest": sorted(([round(c[1], 2), round(c[0] - t0, 1), c[2], s.replica]
                              for s in students for c in s.changes), reverse=True)[:8]}
    if cls is not None:
        rows = _stored(engine, cls, tokens, wait_s=90)
        row.update(_matched(students, rows, tokens))
        row["poll"] = _spread([x for s in students for x in s.polls])
        row["dashboard_refresh"] = _spread([d for _, _, d in board.refreshes])
        row["answer_to_dashboard"] = _spread(_to_dashboard(rows, board.refreshes))
        row["dashboard_errors"] = board.errors[:5]
    else:
        row["confirmed"] = sum(s.confirmed for s in students)
    print(row, flush=True)
    return row


def run(args) -> None:
    """All of it: PostgreSQL, two replicas, HAProxy; the phases; the results file."""
    binaries = bin_dir()
    if binaries is None:
        sys.exit("PostgreSQL is not installed (apt-get install postgresql)")
    if tuple(args.pace) == (2.0, 8.0):  # the class workload's default: ours is 5-15 s
        args.pace = [5.0, 15.0]
    keys, load_at_start = answer_key(), load_average()
    root = Path(tempfile.mkdtemp(prefix="lstm-viz-class-load-"))
    root.chmod(0o755)  # the server runs as the postgres user when we are root
    (root / "pg").mkdir()
    pg = Postgres(root / "pg", binaries).start()
    try:
        engine = make_engine(pg.url())
        migrate.upgrade(engine)
        os.environ["LSTM_VIZ_DATABASE_URL"] = pg.url()
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        out = []
        with two_replicas(root) as topo:
            for name in args.phases:
                out.append(phase(name, topo, pg, engine, args, keys))
        engine.dispose()
    finally:
        pg.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)
    base = next((r for r in out if r["phase"] == "baseline"), None)
    ours = next((r for r in out if r["phase"] == "class"), None)
    figures = {"lesson": LESSON, "pace": list(args.pace), "students": max(args.sessions),
               "phases": out}
    if base and ours and base["answer_to_feedback"].get("p95_s"):
        figures["p95_ratio"] = round(ours["answer_to_feedback"]["p95_s"]
                                     / base["answer_to_feedback"]["p95_s"], 2)
        print(f"p95 answer → feedback, class mode / alone: {figures['p95_ratio']}×")
    if args.save:
        save("class-load" if args.save == "load" else args.save, figures, sys.argv,
             load_at_start=load_at_start)
