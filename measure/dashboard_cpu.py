"""Server CPU of one dashboard refresh for a class of 60 students × 10 steps (issue 20: ≤ 100 ms).

    python measure/dashboard_cpu.py --save            # SQLite and PostgreSQL, 40 refreshes

A class is filled in a fresh store — 60 students, the 10 steps of lesson 000, each student's
answers as the class workload makes them (half right at once, a named misconception or an
unforeseen answer otherwise, then right), and a second vote on two steps (~1 000 rows) —
on SQLite (a file) and on a PostgreSQL server of its own. For each store, two figures:

* ``engine``: what a refresh asks of the store and computes, in this process: the three
  reads, ``dashboard.build`` and the three chart specs; CPU (``time.process_time``) per
  refresh, the median of the repeats;
* ``app``: the real thing. One app server (``streamlit run``), the teacher's dashboard over
  Streamlit's websocket (serving/stclient.py), ``--refreshes`` fragment reruns one after
  another; the server process's CPU (/proc) per refresh, less what the same process uses
  idle for as long (measured just before), and the refreshes' wall time.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from lstm_viz.classroom import dashboard, migrate, records, store
from lstm_viz.classroom.connect import make_engine
from lstm_viz.figures.classroom import class_overview_spec, progress_grid_spec, vote_spec
from lstm_viz.lessons.steps import count
from measure.class_workload import LESSON
from measure.load import cpu_s, percentile
from measure.results import add_save_option, load_average, save, script_argv
from serving.appserver import server_process
from serving.postgres import Postgres, bin_dir
from serving.stclient import Session

NAMED = ("nl_swapped", "output_width_is_input", "lstm_three_gates", "weight_transposed")


def fill(engine, students: int, seed: int = 0):
    """A class of ``students`` who did every step of lesson 000; (class, key, rows)."""
    rng = random.Random(seed)
    cls, key = store.open_class(engine, "dashboard cpu", [LESSON])
    rows = []
    for s in (store.join(engine, cls, f"s{k}") for k in range(students)):
        for step in range(count(LESSON)):
            roll, attempt = rng.random(), 1
            if roll >= 0.5:
                named = rng.choice(NAMED) if roll < 0.8 else None
                rows.append(records.make(cls.id, s.id, LESSON, step, 1, 1, "(1, 2, 3)",
                                         "(1, 2, 3)", "wrong", named))
                attempt = 2
            rows.append(records.make(cls.id, s.id, LESSON, step, 1, attempt, "(5, 3, 20)",
                                     "(5, 3, 20)", "right"))
        for step in (0, 1):  # a second vote on two steps
            rows.append(records.make(cls.id, s.id, LESSON, step, 2, 1, "(5, 3, 20)",
                                     "(5, 3, 20)", "right"))
    for step in (0, 1):
        store.open_vote(engine, cls.id, LESSON, step)
    records.record(engine, rows)
    return cls, key, len(rows)


def engine_refresh(engine, cls) -> None:
    """What ui/class_dashboard.py's fragment asks of the store and computes."""
    steps = [(LESSON, k) for k in range(count(LESSON))]
    board = dashboard.build(steps, store.class_students(engine, cls.id),
                            records.answers_of(engine, cls.id), store.pulse(engine, cls.id))
    axes = {"title": "t", "x_title": "x", "y_title": "y"}
    class_overview_spec([str(k) for k in range(len(steps))],
                        [(v.votes[-1].answered, 0, 0, 0) for v in board.steps],
                        names=list("abcd"), **axes)
    vote = board.steps[0].votes
    vote_spec([g.kind for g in vote[0].groups], [(str(v.round), [g.students for g in
                                                                 vote[0].groups]) for v in vote],
              **axes)
    progress_grid_spec([[3] * len(steps) for _ in board.students],
                       [[""] * len(steps) for _ in board.students], [str(k) for k in steps],
                       [s.name for s in board.students], names=list("abcd"), **axes)


def engine_ms(engine, cls, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.process_time()
        engine_refresh(engine, cls)
        times.append(time.process_time() - start)
    return round(statistics.median(times) * 1000, 1)


async def _refreshes(url: str, query: str, n: int, pid: int) -> dict:
    s = Session(url, query=query)
    async with s.connect() as s.ws:
        await s.rerun(page="teach")
        fragment = next(iter(s.auto_rerun))
        for _ in range(3):  # warm: the first refreshes import and cache
            await s.rerun(fragment=fragment)
        idle0, start = cpu_s(pid), time.monotonic()
        await asyncio.sleep(n * 0.25)
        idle = (cpu_s(pid) - idle0) / (time.monotonic() - start)  # CPU s per s, idle
        walls, cpu0, start = [], cpu_s(pid), time.monotonic()
        for _ in range(n):
            walls.append(await s.rerun(fragment=fragment))
            await asyncio.sleep(0.05)
        spent = cpu_s(pid) - cpu0 - idle * (time.monotonic() - start)
        assert not s.errors, s.errors
    return {"refreshes": n, "cpu_ms_per_refresh": round(spent / n * 1000, 1),
            "idle_cpu_share": round(idle, 4), "wall_p50_s": round(percentile(walls, 50), 3),
            "wall_p95_s": round(percentile(walls, 95), 3), "answers_shown": s.metrics}


def measure(url_of_store: str, args, workdir: Path) -> dict:
    engine = make_engine(url_of_store)
    migrate.upgrade(engine)
    cls, key, rows = fill(engine, args.students)
    out = {"students": args.students, "steps": count(LESSON), "rows": rows,
           "engine_cpu_ms": engine_ms(engine, cls, args.repeats)}
    env = {"LSTM_VIZ_DATABASE_URL": url_of_store, "LSTM_VIZ_WARM": "0", "OMP_NUM_THREADS": "1"}
    with server_process(env=env, log=workdir / "server.log") as (url, proc):
        out["app"] = asyncio.run(_refreshes(url, f"class={cls.code}&key={key}&names=1",
                                            args.refreshes, proc.pid))
    engine.dispose()
    print(out, flush=True)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--students", type=int, default=60)
    ap.add_argument("--refreshes", type=int, default=40)
    ap.add_argument("--repeats", type=int, default=30, help="engine-only refreshes")
    ap.add_argument("--stores", nargs="+", default=["sqlite", "postgresql"],
                    choices=("sqlite", "postgresql"))
    add_save_option(ap, "class-dashboard")
    args = ap.parse_args(argv)
    load0, figures = load_average(), {}
    root = Path(tempfile.mkdtemp(prefix="lstm-viz-dashboard-cpu-"))
    root.chmod(0o755)  # PostgreSQL runs as another user when we are root
    try:
        for name in args.stores:
            if name == "sqlite":
                figures[name] = measure(f"sqlite:///{root / 'classroom.db'}", args, root)
                continue
            if bin_dir() is None:
                sys.exit("PostgreSQL is not installed (apt-get install postgresql)")
            (root / "pg").mkdir()
            pg = Postgres(root / "pg", bin_dir()).start()
            try:
                figures[name] = measure(pg.url(), args, root)
            finally:
                pg.stop("immediate")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    if args.save:
        save(args.save, figures, script_argv(__file__, argv), load_at_start=load0)


if __name__ == "__main__":
    main()
