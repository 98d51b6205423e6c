"""Server CPU per rerun of each lstm-viz page, next to a bare page that sends the same elements.

    python measure/server_cpu.py                 # official preset, every page
    python measure/server_cpu.py --reruns 20 --rounds 2 --pages gates states
    python measure/server_cpu.py --change        # every rerun of ours a new seed: a new run
    python measure/server_cpu.py --root /tmp/old # lstm-viz of another checkout, same floor code

Starts two servers on loopback ports: lstm-viz (app.py, .streamlit/config.toml) and the floor
(measure/floor_page_app.py, same config). One session at a time speaks Streamlit's websocket
protocol (serving/stclient.py; no browser). Per page: a warm-up rerun, then one rerun whose
every delta (sidebar included) is recorded and becomes the floor page's content: the same
figure specs, tables, text and widgets sent through Streamlit's public API by a page that
does nothing else. Then rounds of ``--reruns`` reruns of our page and of the floor page,
alternately (A, B, A, B…), so that a change in the machine's load hits both. Server CPU is
the user + system time of the server process (/proc/<pid>/stat, every thread: script runs,
the event loop, serialising and sending) over a block, divided by its reruns; wall is the
client's time from rerun to script_finished. Reports; the exit status does not depend on
the 2x target.

``--change``: each rerun of ours first sets a new ``seed`` (a run never seen: the module
is built, traced, checked and drawn again), against the same floor.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from measure.load import cpu_s
from measure.results import add_save_option, load_average, save, script_argv
from serving.appserver import ROOT, server_process
from serving.stclient import Session

FLOOR = ROOT / "measure" / "floor_page_app.py"
PAGES = {"overview": "", "shapes": "shapes", "gates": "gates", "states": "states",
         "packing": "packing"}
TARGET = 2.0


async def record(url: str, query: str, page: str, folder: Path, name: str) -> int:
    """Rerun ``page`` twice; write the second run's deltas to ``folder/name.pb``."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsgList

    s = Session(url, query=query)
    async with s.connect() as s.ws:
        await s.rerun(page=page)
        s.record = []
        await s.rerun()
    if s.errors:
        raise RuntimeError(f"{page or 'overview'}: {s.errors}")
    msgs = ForwardMsgList()
    msgs.messages.extend(s.record)
    (folder / f"{name}.pb").write_bytes(msgs.SerializeToString())
    return sum(m.delta.WhichOneof("type") == "new_element" for m in s.record)


async def block(url: str, pid: int, query: str, page: str, reruns: int,
                change: str | None = None, start: int = 0) -> tuple[float, list[float]]:
    """``reruns`` reruns in one session: (server CPU seconds, wall seconds of each)."""
    s = Session(url, query=query)
    async with s.connect() as s.ws:
        await s.rerun(page=page)  # open the session, outside the clock
        cpu0, walls = cpu_s(pid), []
        for k in range(reruns):
            value = 10_000 + start + k
            walls.append(await s.rerun(s.states({change: value}) if change else None))
            if change and f"{change}={value}" not in s.query.split("&"):
                s.errors.append(f"{change}={value} did not reach the app: ?{s.query}")
        cpu = cpu_s(pid) - cpu0
    if s.errors:
        raise RuntimeError(f"{page or 'overview'}: {s.errors[:3]}")
    return cpu, walls


def measure(ours: tuple, floor: tuple, page: str, args) -> dict:
    """Alternating blocks of our page and the floor's; per-rerun medians and sums."""
    (url, pid), (floor_url, floor_pid) = ours, floor
    cpu, wall = {"ours": 0.0, "floor": 0.0}, {"ours": [], "floor": []}
    load = os.getloadavg()
    for r in range(args.rounds):
        c, w = asyncio.run(block(url, pid, "preset=official", PAGES[page], args.reruns,
                                 "seed" if args.change else None, r * args.reruns))
        cpu["ours"] += c
        wall["ours"] += w
        c, w = asyncio.run(block(floor_url, floor_pid, f"page={page}", "", args.reruns))
        cpu["floor"] += c
        wall["floor"] += w
    n = args.rounds * args.reruns
    row = {"page": page, "reruns": n, "load_before": load, "load_after": os.getloadavg()}
    for who in ("ours", "floor"):
        row[f"{who}_cpu_ms"] = 1000 * cpu[who] / n
        row[f"{who}_wall_ms"] = 1000 * statistics.median(wall[who])
    row["ratio"] = row["ours_cpu_ms"] / max(row["floor_cpu_ms"], 1e-9)
    return row


def table(rows: list[dict], change: bool) -> str:
    what = "rerun with a new seed" if change else "rerun, official preset"
    head = (f"{'page':9} {'elements':>8} {'ours CPU ms':>11} {'floor CPU ms':>12} {'ratio':>6} "
            f"{'<=2x':>5} {'ours wall ms':>12} {'floor wall ms':>13}  load (1 min) before/after")
    lines = [f"server CPU per {what} (median wall per rerun from the client)", head,
             "-" * len(head)]
    for r in rows:
        lines.append(f"{r['page']:9} {r['elements']:>8} {r['ours_cpu_ms']:>11.1f} "
                     f"{r['floor_cpu_ms']:>12.1f} {r['ratio']:>5.2f}x "
                     f"{'yes' if r['ratio'] <= TARGET else 'no':>5} {r['ours_wall_ms']:>12.1f} "
                     f"{r['floor_wall_ms']:>13.1f}  {r['load_before'][0]:.2f} / "
                     f"{r['load_after'][0]:.2f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python measure/server_cpu.py", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", nargs="+", choices=list(PAGES), default=list(PAGES))
    ap.add_argument("--reruns", type=int, default=30, help="reruns per block (default 30)")
    ap.add_argument("--rounds", type=int, default=3, help="A/B rounds per page (default 3)")
    ap.add_argument("--change", action="store_true", help="each rerun of ours: a new seed")
    ap.add_argument("--root", type=Path, default=ROOT,
                    help="serve lstm-viz from this checkout (e.g. an older commit, to compare)")
    ap.add_argument("--json", type=Path, help="also write the rows here")
    add_save_option(ap, "server_cpu")
    args = ap.parse_args(argv)
    env = {"OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}
    load_at_start = load_average()
    print(f"load average before: {load_at_start}", flush=True)
    app = server_process(args.root / "app.py", env=env, cwd=args.root)
    with tempfile.TemporaryDirectory() as tmp, app as (url, proc):
        folder = Path(tmp)
        elements = {p: asyncio.run(record(url, "preset=official", PAGES[p], folder, p))
                    for p in args.pages}
        with server_process(FLOOR, env={**env, "LSTM_VIZ_FLOOR_DIR": tmp}) as (f_url, f_proc):
            for p in args.pages:  # the floor's first run of a page loads its recording
                asyncio.run(block(f_url, f_proc.pid, f"page={p}", "", 1))
            rows = []
            for p in args.pages:
                rows.append({"elements": elements[p],
                             **measure((url, proc.pid), (f_url, f_proc.pid), p, args)})
                print(json.dumps(rows[-1]), flush=True)
    print(table(rows, args.change))
    print(f"load average after: {os.getloadavg()}; {time.strftime('%Y-%m-%d %H:%M %Z')}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    if args.save:
        figures = {"change": args.change, "reruns": args.reruns, "rounds": args.rounds,
                   "target": TARGET, "rows": rows}
        save(args.save, figures, script_argv(__file__, argv), load_at_start=load_at_start)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
