"""What the first student after a server start waits for, with and without the warm-up.

    python measure/first_visit.py                # 3 starts each, alternately
    python measure/first_visit.py --repeats 1

Starts ``python scripts/serve.py`` (the Docker image's entry point) on a free port, as a
deployment does, alternately with the warm-up (serving/warm.py; the clock waits for its
"warmed" log line) and without it (``LSTM_VIZ_WARM=0``). Then one student opens the app
(serving/stclient.py, the websocket protocol; no browser) and visits every page of the
default preset: the seconds from each rerun to its script_finished. Also: server start →
/_stcore/health, and health → warm-up done. Medians over the starts.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from measure.results import add_save_option, load_average, save, script_argv
from serving.appserver import ROOT, free_port, stop, wait_healthy
from serving.stclient import Session
from serving.warm import PAGES


async def visit(url: str) -> list[float]:
    s = Session(url)
    async with s.connect() as s.ws:
        times = [await s.rerun(page=page) for page in PAGES]
    if s.errors:
        raise RuntimeError(s.errors[:3])
    return times


def start(warm: bool, log: Path) -> dict:
    """One server start: health, warm-up (if on), the first student's pages."""
    port = free_port()
    env = {**os.environ, "LSTM_VIZ_WARM": "1" if warm else "0",
           "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}
    t0 = time.monotonic()
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "scripts/serve.py", "--server.port", str(port),
                                 "--server.address", "127.0.0.1"], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            health = wait_healthy(url, proc, timeout=180)
            warmed = None
            while warm and warmed is None and time.monotonic() - t0 < 300:
                if "lstm-viz: warmed" in log.read_text():
                    warmed = time.monotonic() - t0 - health
                time.sleep(0.1)
            return {"health_s": health, "warm_s": warmed, "pages_s": asyncio.run(visit(url))}
        finally:
            stop(proc)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=3)
    add_save_option(ap, "first_visit")
    args = ap.parse_args(argv)
    rows = {True: [], False: []}
    load_at_start = load_average()
    print(f"load average before: {load_at_start}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.repeats):
            for warm in (False, True):
                rows[warm].append(start(warm, Path(tmp) / "serve.log"))
                print(warm, rows[warm][-1], flush=True)
    names = [p or "overview" for p in PAGES]
    medians = {}
    print(f"{'':16}{'health s':>9}{'warm-up s':>10}  " + "".join(f"{n:>10}" for n in names))
    for warm, label in ((False, "no warm-up"), (True, "warm-up")):
        got = rows[warm]
        pages = [statistics.median(r["pages_s"][k] for r in got) for k in range(len(PAGES))]
        medians["warm-up" if warm else "no warm-up"] = {
            "health_s": statistics.median(r["health_s"] for r in got),
            "warm_s": statistics.median(r["warm_s"] for r in got) if warm else None,
            "pages_s": dict(zip(names, pages, strict=True))}
        warm_s = f"{statistics.median(r['warm_s'] for r in got):10.1f}" if warm else f"{'–':>10}"
        print(f"{label:16}{statistics.median(r['health_s'] for r in got):9.1f}{warm_s}  "
              + "".join(f"{p:10.2f}" for p in pages))
    print(f"first student's page (s from rerun to script_finished), medians of {args.repeats}; "
          f"load average after: {os.getloadavg()}")
    if args.save:
        starts = {"no warm-up": rows[False], "warm-up": rows[True]}
        save(args.save, {"repeats": args.repeats, "medians": medians, "starts": starts},
             script_argv(__file__, argv), load_at_start=load_at_start)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
