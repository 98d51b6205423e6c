"""Classroom load: N concurrent sessions against one lstm-viz server, each changing its settings.

Each session speaks Streamlit's own websocket protocol (serving/stclient.py) the way the
browser does: one ``rerun_script`` to open the app, then reruns that carry changed sidebar
widget states or go to another page. The clock runs from sending a rerun to its
``script_finished``: the whole script (module build, trace, figures) and every delta on the
wire, but no browser drawing (docs/PERFORMANCE.md measures that). What the students do is
measure/workloads.py: ``--workload class`` (issue 15: random pages, presets and
configurations, a change every ``--pace`` 2-8 s each) or ``--workload calm`` (the earlier
profile: an official or a medium link, a new seed or hidden_size every ~``--think`` s).

The server is started here (``.streamlit/config.toml``; ``server.disconnectedSessionTTL``
shortened with ``--ttl``), its RSS (``VmRSS`` of /proc/<pid>/status) sampled every 0.2 s.
SIGUSR1 makes it run ``gc.collect()``, SIGUSR2 ``malloc_trim(0)`` (glibc), to tell memory
Python still holds from memory the allocator has not handed back.

    python measure/load.py --sessions 1 30 --changes 12                      # issue 15's class
    python measure/load.py --replicas 2 --sessions 1 60 --changes 12         # two replicas
    python measure/load.py --workload calm --sessions 1 10 30 --changes 6 --think 10  # calm
    python measure/load.py --workload classroom --sessions 60 --pace 5 15 --save  # class mode

``--replicas 2``: measure/two_replicas.py's two replicas behind HAProxy instead; a session GETs
the page through it first, as a browser does, and sends the ``LVSERVER`` cookie it got with its
websocket. RSS and CPU per replica (plain ``streamlit run``: no gc / malloc_trim signals).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from measure.results import add_save_option, load_average, save
from measure.two_replicas import two_replicas
from measure.workloads import CALM_LINKS, calm_student, class_student, trainer_student
from serving.appserver import ROOT, free_port, stop, wait_healthy


def serve(port: int, ttl: int) -> None:
    """Run the app in this process (the child): SIGUSR1 → gc.collect(), SIGUSR2 → malloc_trim."""
    import ctypes
    import gc

    from streamlit.web.cli import main

    libc = ctypes.CDLL("libc.so.6")
    signal.signal(signal.SIGUSR1, lambda *_: gc.collect())
    signal.signal(signal.SIGUSR2, lambda *_: libc.malloc_trim(0))
    sys.argv = ["streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
                "--server.address", "127.0.0.1", "--server.headless", "true",
                "--server.disconnectedSessionTTL", str(ttl)]
    os.chdir(ROOT)
    main()


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def cpu_s(pid: int) -> float:
    """User + system CPU seconds the process has used (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def descendants_cpu(pid: int) -> float:
    """CPU seconds of every process below ``pid`` (a training's worker processes, which a
    forkserver forked), read from /proc."""
    parent = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parent[int(stat.parent.name)] = int(fields[1])
    below, found = {pid}, True
    while found:
        found = {p for p, pp in parent.items() if pp in below and p not in below}
        below |= found
    total = 0.0
    for p in below - {pid}:
        with contextlib.suppress(OSError):  # gone meanwhile
            total += cpu_s(p)
    return total


class RssSampler(threading.Thread):
    """The peak RSS of each of ``pids`` (name → pid) and of their sum while running (0.2 s)."""

    def __init__(self, pids: dict):
        super().__init__(daemon=True)
        self.pids, self.stop = pids, threading.Event()
        self.peaks, self.peak = dict.fromkeys(pids, 0.0), 0.0

    def run(self) -> None:
        while not self.stop.is_set():
            now = {name: rss_mb(pid) for name, pid in self.pids.items()}
            self.peaks = {name: max(self.peaks[name], mb) for name, mb in now.items()}
            self.peak = max(self.peak, sum(now.values()))
            self.stop.wait(0.2)


def percentile(values: list, q: float) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def close_and_reap(url: str, pids: dict, ttl: int, trim_wait: float = 65) -> dict:
    """RSS (MB, summed over ``pids``) after the sessions closed: TTL passed, reaped, the app's
    own trimmer (``ui.trimmer``, every 60 s), then (own server only) gc and malloc_trim."""
    each, balanced = {}, len(pids) > 1
    note = lambda key: each.update({key: {k: rss_mb(p) for k, p in pids.items()}})  # noqa: E731
    note("closed_mb")
    time.sleep(ttl + 2)
    note("after_ttl_mb")
    # Expired disconnected sessions leave Streamlit's TTLCache on its next write: one short
    # session (open, close) per server makes that write, as the next student would.
    for name in pids:
        asyncio.run(calm_student(url, 999, "official", 0, 0, random.Random(0),
                                 name if balanced else None))
    time.sleep(2)
    note("after_ttl_next_session_mb")
    time.sleep(trim_wait)
    note("after_app_trimmer_mb")
    for sig, key in () if balanced else ((signal.SIGUSR1, "after_gc_mb"),
                                         (signal.SIGUSR2, "after_trim_mb")):
        os.kill(pids["server"], sig)
        time.sleep(1.5)
        note(key)
    out = {key: sum(mb.values()) for key, mb in each.items()}
    return {**out, "replicas_mb": each} if balanced else out


def _student(args, url: str, index: int, link: str, rng: random.Random, replica,
             alone: bool = False):
    """One student of the workload; ``alone``: the single-user baseline of the class
    profile, with ``--baseline-changes`` changes (its p95 needs more samples)."""
    if args.workload == "class":
        changes = args.baseline_changes if alone else args.changes
        return class_student(url, index, changes, tuple(args.pace), rng, replica)
    return calm_student(url, index, link, args.changes, args.think, rng, replica)


async def crowd(url: str, n: int, args, balanced: bool = False) -> list:
    """``n`` students at once (calm: alternately on the official and the medium link). One
    student (``n == 1``) is the single-user baseline (calm: an official session, then a
    medium one). ``balanced``: they reach the balancer in random order (not link by link,
    round robin)."""
    rng, replica = random.Random(args.seed), "" if balanced else None  # "": ask the balancer
    links = list(CALM_LINKS)
    if n == 1:
        firsts = links if args.workload == "calm" else links[:1]
        return [await _student(args, url, i, link, random.Random(rng.random()), replica, True)
                for i, link in enumerate(firsts)]
    students = [_student(args, url, i, links[i % 2], random.Random(rng.random()), replica)
                for i in range(n)]
    order = rng.sample(range(n), n) if balanced else range(n)
    stop = asyncio.Event()  # --trainings: they train from before the class until after it
    trainers = [asyncio.ensure_future(trainer_student(url, n + k, stop, args.training_epochs,
                                                      replica)) for k in range(args.trainings)]
    if trainers:
        await asyncio.sleep(args.training_lead)
    done = await asyncio.gather(*(students[i] for i in order))
    stop.set()
    done += await asyncio.gather(*trainers)
    return sorted(done, key=lambda s: s.index)


def measure(url: str, pids: dict, n: int, args) -> dict:
    """One row: ``n`` students against the servers ``pids`` (name → pid)."""
    start_mb, cpu0, workers0 = ({k: f(p) for k, p in pids.items()}
                                for f in (rss_mb, cpu_s, descendants_cpu))
    load0, sampler, t0 = os.getloadavg(), RssSampler(pids), time.monotonic()
    client0 = time.process_time()  # this process: the students' websockets (one asyncio loop)
    sampler.start()
    sessions = asyncio.run(crowd(url, n, args, len(pids) > 1))
    wall = time.monotonic() - t0
    sampler.stop.set()
    sampler.join()
    cpu = {k: round(cpu_s(p) - cpu0[k], 1) for k, p in pids.items()}
    runs = sum(1 + sum(map(len, s.times.values())) for s in sessions
               if s.kind != "trainer")  # opening + changes
    row = {"sessions": n, "wall_s": round(wall, 1), "runs": runs,
           "server_cpu_s": round(sum(cpu.values()), 1),
           "client_cpu_s": round(time.process_time() - client0, 1), "load_before": load0,
           "start_mb": sum(start_mb.values()), "peak_mb": sampler.peak,
           "errors": [e for s in sessions for e in s.errors]}
    for name in sorted({kind for s in sessions for kind in s.times}):
        times = [t for s in sessions for t in s.times.get(name, [])]
        row[name] = {"count": len(times), "p50_s": percentile(times, 50),
                     "p95_s": percentile(times, 95), "max_s": max(times)}
    slow = sorted(((c[1], c[0] - t0, c[2], s.replica) for s in sessions for c in s.changes
                   if s.kind != "trainer"),
                  reverse=True)[:8]  # the slowest changes: seconds, sent at (s into the row)
    row["slowest"] = [[round(sec, 2), round(at, 1), what, rep] for sec, at, what, rep in slow]
    trainers = [s for s in sessions if s.kind == "trainer"]
    if trainers:  # how far the trainings got, and the CPU of the server's worker processes
        row["trainings"] = [{"started": s.trainings, "last": s.progress} for s in trainers]
        row["worker_cpu_s"] = round(sum(descendants_cpu(p) for p in pids.values()) -
                                    sum(workers0.values()), 1)
    row["changes"] = sorted([round(c[0] - t0, 3), round(c[1], 3), c[2], s.index, s.replica]
                            for s in sessions for c in s.changes)  # --json only: see rows()
    if len(pids) > 1:  # sessions per replica (by their cookie) and per kind, CPU, RSS
        kinds = {s.kind for s in sessions}
        row["replicas"] = {k: {"sessions": {c: sum(s.replica == k and s.kind == c
                                                   for s in sessions) for c in kinds},
                               "cpu_s": cpu[k], "start_mb": start_mb[k],
                               "peak_mb": sampler.peaks[k]} for k in pids}
    row.update(close_and_reap(url, pids, args.ttl, args.trim_wait))
    return row


def rows(url: str, pids: dict, args) -> None:
    """Warm each server up (torch imported), then one row per N; print them, --json them."""
    load_at_start = load_average()
    print(f"servers {pids} on {url}; load {load_at_start}", flush=True)
    fresh_mb, out = sum(rss_mb(p) for p in pids.values()), []
    for name in pids:  # import torch, warm up
        asyncio.run(calm_student(url, 998, "medium", 0, 0, random.Random(0),
                                 name if len(pids) > 1 else None))
    print(f"RSS fresh {fresh_mb:.0f} MB, after one warm-up session "
          f"{sum(rss_mb(p) for p in pids.values()):.0f} MB", flush=True)
    for n in args.sessions:
        out.append(measure(url, pids, n, args))
        out[-1]["load_after"] = os.getloadavg()
        print(json.dumps({k: v for k, v in out[-1].items() if k != "changes"}), flush=True)
    if args.json:
        args.json.write_text(json.dumps({"fresh_mb": fresh_mb, "rows": out}, indent=2))
    if args.save:
        settings = {k: getattr(args, k) for k in ("workload", "replicas", "changes",
                                                   "baseline_changes", "pace", "think", "ttl",
                                                   "trainings", "training_epochs")}
        settings["training_workers"] = (args.training_workers or os.environ.get(
            "LSTM_VIZ_TRAINING_WORKERS", "process"))
        kept = [{k: v for k, v in row.items() if k != "changes"} for row in out]
        save(args.save, {**settings, "fresh_mb": fresh_mb, "rows": kept}, sys.argv,
             load_at_start=load_at_start)


def replicated(args) -> None:
    """``--replicas 2``: measure/two_replicas.py's topology; then which replica HAProxy sent
    each websocket to, and what its cookie did (VN: a valid cookie, kept)."""
    os.environ["STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL"] = str(args.ttl)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    with tempfile.TemporaryDirectory() as tmp, two_replicas(Path(tmp)) as topo:
        rows(topo.url, topo.pids, args)
        streams = [f"{r.server} {r.cookie}" for r in topo.requests()
                   if r.path.startswith("/_stcore/stream")]
        print(f"HAProxy websockets: { {k: streams.count(k) for k in sorted(set(streams))} }")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workload", choices=("class", "calm", "classroom"), default="class",
                    help="class (default): issue 15's; calm: the earlier links (workloads.py); "
                         "classroom: class mode on 2 replicas + PostgreSQL (class_load.py)")
    ap.add_argument("--phases", nargs="+", default=["baseline", "class", "faults"],
                    choices=("baseline", "class", "faults"),
                    help="classroom: which phases to run (default all three, in order)")
    ap.add_argument("--sessions", type=int, nargs="+", default=[1, 30])
    ap.add_argument("--changes", type=int, default=12, help="changes per session")
    ap.add_argument("--baseline-changes", type=int, default=40,
                    help="class: changes of the single user (N = 1) row (default 40)")
    ap.add_argument("--pace", type=float, nargs=2, default=[2.0, 8.0],
                    help="class: seconds between a student's changes, uniform (default 2 8)")
    ap.add_argument("--think", type=float, default=10.0,
                    help="calm: mean seconds between changes (default 10)")
    ap.add_argument("--ttl", type=int, default=10, help="server.disconnectedSessionTTL (s)")
    ap.add_argument("--trim-wait", type=float, default=65,
                    help="seconds to wait for the app's trimmer after a row (default 65)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--trainings", type=int, default=0,
                    help="this many people watching a training of their own on /train beside "
                         "the class (rows of more than one student; workloads.py)")
    ap.add_argument("--training-epochs", type=int, default=40,
                    help="epochs of each training (default 40: it outlasts a row)")
    ap.add_argument("--training-workers", choices=("process", "thread"),
                    help="where the server runs trainings (LSTM_VIZ_TRAINING_WORKERS; "
                         "default: the app's, process)")
    ap.add_argument("--training-lead", type=float, default=5.0,
                    help="seconds the trainings run before the class starts (default 5)")
    ap.add_argument("--replicas", type=int, choices=(1, 2), default=1,
                    help="2: two replicas behind HAProxy (measure/two_replicas.py)")
    ap.add_argument("--json", type=Path)
    add_save_option(ap, "load")
    ap.add_argument("--log", type=Path, help="the server's output (default: discarded)")
    ap.add_argument("--serve", type=int, help=argparse.SUPPRESS)  # internal: the server child
    args = ap.parse_args()
    if args.serve:
        return serve(args.serve, args.ttl)
    if args.workload == "classroom":  # its own topology: 2 replicas, HAProxy, PostgreSQL
        from measure.class_load import run
        return run(args)
    if args.replicas == 2:
        return replicated(args)
    port = free_port()
    env = {**os.environ, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}
    if args.training_workers:
        env["LSTM_VIZ_TRAINING_WORKERS"] = args.training_workers
    log = open(args.log, "w") if args.log else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen([sys.executable, __file__, "--serve", str(port), "--ttl",
                             str(args.ttl)], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, timeout=120)
        rows(url, {"server": proc.pid}, args)
    finally:
        stop(proc)


if __name__ == "__main__":
    main()
