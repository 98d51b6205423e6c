"""How fast lstm-viz is in a real browser, next to the Streamlit floor, in one run.

    python measure/perf.py                 # table; --repeats N --cold-repeats N --json FILE

Two measurements, each for the ``official`` preset and the largest configuration the caps
allow (LSTM, H_in = H_cell = 256, L = 64, N = 16, 4 layers, bidirectional, torch.randn),
and each next to the same measurement of measure/perf_floor_app.py: a bare Streamlit page
drawing one precomputed heatmap with as many cells (and as tall) as our largest figure on
that page.

* cold start: ``streamlit run`` started → /_stcore/health answers → a new browser context
  opens the page → the first chart's ``.main-svg`` exists (clock in this process).
* full load: a new, empty browser context opens the page of a warm server → the page has
  settled (script finished, no stale element or skeleton, every chart drawn); clock in the
  page (``performance.now()`` from the navigation's start). What a student who opens a
  teacher's link waits for.
* sidebar change: a new ``seed`` typed into the sidebar (Enter's keydown, clock in the page)
  → every chart has new data and the run has settled (checked every animation frame).
  A new seed each time, so every change is computed, never served from a cache. Also shown:
  Enter → the end of the script run (the app's script-state attribute), the server's share.

Runs alternate lstm-viz / floor so that a change in the machine's load hits both; medians
of the repeats. Reports; does not fail on the targets (issue 15: 2x, 3x for a change at the
largest configuration).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from lstm_viz.core.caps import Caps
from lstm_viz.i18n import t
from lstm_viz.state.query import to_query
from lstm_viz.state.repair import make_valid
from lstm_viz.state.settings import from_preset
from measure import results
from measure.perf_js import FIRST_CHART, LARGEST, LOADED, MARK, REDRAWN, WHY_NOT
from measure.results import add_save_option, save, script_argv
from serving.appserver import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    free_port,
    settle,
    streamlit_server,
    wait_healthy,
)

APP, FLOOR = ROOT / "app.py", ROOT / "measure" / "perf_floor_app.py"
TARGET = 2.0  # issue 15: full load and official changes ≤ 2x; the largest configuration ≤ 3x
PAGES = {"overview": "", "gates": "gates"}
@dataclass
class Row:
    metric: str
    case: str
    page: str
    ours: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    size: str = ""
    ours_run: list[float] = field(default_factory=list)  # Enter → the script run has ended
    floor_run: list[float] = field(default_factory=list)

    def medians(self) -> tuple[float, float, float]:
        a, b = statistics.median(self.ours), statistics.median(self.floor)
        return a, b, a / b


def large_query() -> dict[str, str]:
    caps = Caps()
    s = from_preset("official")
    for key, value in (("cell", "LSTM"), ("mode", "randn"), ("input_size", 256),
                       ("hidden_size", caps.max_hidden_size), ("seq_len", caps.max_seq_len),
                       ("batch", caps.max_batch), ("num_layers", caps.max_layers),
                       ("bidirectional", True)):
        s = s.set(key, value)
    found: list = []
    s = make_valid(s, caps, found)
    assert not found, found
    return to_query(s)


def query_string(query: dict[str, str]) -> str:
    return "&".join(f"{k}={v}" for k, v in query.items())


def cold_start(browser, app: Path, path: str) -> float:
    """Seconds from ``streamlit run`` to the first chart drawn on ``path``."""
    port = free_port()
    start = time.monotonic()
    with streamlit_server(app, port=port) as url:
        ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
        try:
            page = ctx.new_page()
            page.goto(f"{url}/{path}")
            page.wait_for_function(FIRST_CHART, timeout=120_000, polling="raf")
            took = time.monotonic() - start
        finally:
            ctx.close()
    return took


def full_load(browser, url: str) -> float:
    """Seconds from navigating a new browser context to ``url`` until it has settled."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = ctx.new_page()
        page.goto(url)
        handle = page.wait_for_function(LOADED, timeout=120_000, polling="raf")
        return handle.json_value() / 1000
    finally:
        ctx.close()


def load_rows(browser, app_url: str, floor_url: str, cases: dict, repeats: int) -> list[Row]:
    rows = []
    for case, query in cases.items():
        for name, path in PAGES.items():
            url = f"{app_url}/{path}?{query_string(query)}"
            ctx, ours = open_settled(browser, url)  # also warms the server's caches
            size = ours.evaluate(LARGEST)
            ctx.close()
            floor = f"{floor_url}/?rows={size['rows']}&cols={size['cols']}&height={size['height']}"
            row = Row("full load → charts drawn", case, name, size=f"{size['cells']} cells")
            for _ in range(repeats):
                row.ours.append(full_load(browser, url))
                row.floor.append(full_load(browser, floor))
            rows.append(row)
    return rows


def change(page, label: str, value: int) -> tuple[float, float]:
    """Seconds from typing ``value`` into the sidebar box ``label`` (Enter) to every chart
    redrawn, and to the end of the script run it started (the server's share)."""
    page.evaluate(MARK)
    box = page.locator("[data-testid=stSidebar]").get_by_label(label, exact=True)
    box.fill(str(value))
    box.press("Enter")
    try:
        handle = page.wait_for_function(REDRAWN, timeout=120_000, polling="raf")
    except Exception as err:  # say what was missing, then fail
        state = page.evaluate(WHY_NOT)
        raise RuntimeError(f"{page.url}: no redraw after {label}={value}: {state}") from err
    total, run = handle.json_value()
    return total / 1000, run / 1000


def open_settled(browser, url: str):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.goto(url)
    settle(page, 120_000)
    return ctx, page


def warm_rows(browser, app_url: str, floor_url: str, cases: dict, repeats: int) -> list[Row]:
    rows = []
    seed_label = t("arg.seed", "en")
    for case, query in cases.items():
        for name, path in PAGES.items():
            ctx, ours = open_settled(browser, f"{app_url}/{path}?{query_string(query)}")
            ours.locator("[data-testid=stSidebar] summary").filter(
                has_text=t("sidebar.run", "en")).click()
            size = ours.evaluate(LARGEST)
            fctx, floor = open_settled(browser, f"{floor_url}/?rows={size['rows']}"
                                                f"&cols={size['cols']}&height={size['height']}")
            row = Row("sidebar change → charts redrawn", case, name,
                      size=f"{size['cells']} cells")
            for r in range(repeats):
                for samples, runs, page, label, seed in (
                        (row.ours, row.ours_run, ours, seed_label, 1000 + r),
                        (row.floor, row.floor_run, floor, "seed", 1 + r)):
                    total, run = change(page, label, seed)
                    samples.append(total)
                    runs.append(run)
            rows.append(row)
            ctx.close()
            fctx.close()
    return rows


def cold_rows(browser, app_url: str, cases: dict, repeats: int) -> list[Row]:
    rows = []
    for case, query in cases.items():
        ctx, ours = open_settled(browser, f"{app_url}/?{query_string(query)}")
        size = ours.evaluate(LARGEST)
        ctx.close()
        floor_path = f"?rows={size['rows']}&cols={size['cols']}&height={size['height']}"
        row = Row("cold start → first chart", case, "overview", size=f"{size['cells']} cells")
        for _ in range(repeats):
            row.ours.append(cold_start(browser, APP, f"?{query_string(query)}"))
            row.floor.append(cold_start(browser, FLOOR, floor_path))
        rows.append(row)
    return rows


def machine() -> dict:
    """``measure.results.machine()`` with the date, Chromium's version and the load average."""
    chromium = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True)
    return {**results.machine(), "date": time.strftime("%Y-%m-%d %H:%M %Z"),
            "chromium": chromium.stdout.strip(), "load_before": os.getloadavg()}


def target(row: Row) -> float:
    """The ratio issue 15 asks for: 3x for a change at the largest configuration, else 2x."""
    return 3.0 if row.case == "large" and row.metric.startswith("sidebar") else TARGET


def table(rows: list[Row]) -> str:
    head = (f"{'metric':32} {'case':9} {'page':9} {'size':>12} {'lstm-viz s':>10} "
            f"{'floor s':>8} {'ratio':>6}  {'meets':10}  run end s (ours / floor)")
    lines = [head, "-" * len(head)]
    for r in rows:
        a, b, ratio = r.medians()
        run = (f"{statistics.median(r.ours_run):.2f} / {statistics.median(r.floor_run):.2f}"
               if r.ours_run else "")
        lines.append(f"{r.metric:32} {r.case:9} {r.page:9} {r.size:>12} {a:10.2f} {b:8.2f} "
                     f"{ratio:5.2f}x  {'yes' if ratio <= target(r) else 'no':10}  {run}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=7, help="sidebar changes per case")
    parser.add_argument("--cold-repeats", type=int, default=5, help="cold starts per case")
    parser.add_argument("--cases", nargs="+", default=["official", "large"])
    parser.add_argument("--pages", nargs="+", choices=list(PAGES), default=list(PAGES))
    parser.add_argument("--loads", type=int, default=7, help="full loads per case and page")
    parser.add_argument("--json", type=Path, help="also write every sample here")
    add_save_option(parser, "perf")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    all_cases = {"official": {"preset": "official"}, "large": large_query()}
    cases = {c: all_cases[c] for c in args.cases}
    for name in [p for p in PAGES if p not in args.pages]:
        del PAGES[name]
    info = machine()
    print(json.dumps(info), flush=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        with streamlit_server(APP) as app_url:
            cold = cold_rows(browser, app_url, cases, args.cold_repeats) \
                if args.cold_repeats else []
            with streamlit_server(FLOOR) as floor_url:
                wait_healthy(floor_url)
                loads = load_rows(browser, app_url, floor_url, cases, args.loads) \
                    if args.loads else []
                warm = warm_rows(browser, app_url, floor_url, cases, args.repeats) \
                    if args.repeats else []
        browser.close()
    rows = cold + loads + warm
    info["load_after"] = os.getloadavg()
    print(table(rows))
    print(f"load average (1, 5, 15 min) before {info['load_before']}, "
          f"after {info['load_after']}")
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "cases": cases,
                                         "rows": [r.__dict__ for r in rows]}, indent=1))
    if args.save:
        save(args.save, {"chromium": info["chromium"], "cold_repeats": args.cold_repeats,
                         "loads": args.loads, "repeats": args.repeats,
                         "rows": [summary(r) for r in rows]},
             script_argv(__file__, argv), load_at_start=[round(v, 2) for v in info["load_before"]])
    return 0


def summary(row: Row) -> dict:
    """A row's medians, ratio and target for the results file (samples kept too)."""
    ours, floor, ratio = row.medians()
    run = {"ours_run_s": statistics.median(row.ours_run),
           "floor_run_s": statistics.median(row.floor_run)} if row.ours_run else {}
    return {"metric": row.metric, "case": row.case, "page": row.page, "size": row.size,
            "ours_s": ours, "floor_s": floor, "ratio": ratio, "target": target(row), **run,
            "ours_samples": row.ours, "floor_samples": row.floor}


if __name__ == "__main__":
    sys.exit(main())
