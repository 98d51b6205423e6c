"""Measure what each page sends to the browser: Plotly specs and every element's protobuf.

    python measure/payload.py            # table for the official preset and the largest config
    python measure/payload.py --json     # the same numbers as JSON (for tests and docs)

Each page runs in-process through Streamlit's AppTest (the same script run a browser
triggers). "charts" is the sum of ``len(el.proto.spec)`` of the page's ``st.plotly_chart``
elements (the JSON the front end hands to plotly.js); "page" is the sum of the serialized
protobuf size of every element on the page (charts, tables as Arrow, text, widgets): what
the session's ForwardMsg deltas carry, less framing. Budgets (issue "Hostile input"):
charts ≤ 300 KB per page for the official preset, ≤ 2 MB for the largest allowed config.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit import logger as streamlit_logger  # noqa: E402

from lstm_viz.core.caps import Caps  # noqa: E402
from lstm_viz.state.pipeline import set_threads  # noqa: E402
from measure.results import add_save_option, save, script_argv  # noqa: E402
from tests.apptest_utils import PAGES, open_app  # noqa: E402

KB = 1024
BUDGET = {"official": 300 * KB, "largest": 2 * KB * KB, "largest-text": 2 * KB * KB}


def largest_query(caps: Caps) -> dict[str, str]:
    """Every cap at its maximum: LSTM, bidirectional, a random (N, L, H_in) batch."""
    return {"preset": "official", "cell": "LSTM", "mode": "randn", "bidirectional": "true",
            "hidden_size": str(caps.max_hidden_size), "num_layers": str(caps.max_layers),
            "seq_len": str(caps.max_seq_len), "batch": str(caps.max_batch),
            "input_size": str(caps.max_input_size), "h0": "randn"}


def largest_text_query(caps: Caps) -> dict[str, str]:
    """The same module on text: N sentences of L word tokens (tokens become tick labels and
    hover text, so text makes the specs bigger than numbers alone)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = [a + b for a in letters for b in letters][: caps.max_vocab]  # 2 chars + a space
    lines, per_line = [], min(caps.max_seq_len, caps.max_text_chars // caps.max_batch // 3)
    for n in range(caps.max_batch):
        lines.append(" ".join(words[(n * per_line + t) % len(words)] for t in range(per_line)))
    query = largest_query(caps)
    query.update(mode="sentences", sentences="\n".join(lines), tokens="word")
    query.pop("input_size")
    return query


def _elements(node):
    """Every element below ``node`` (AppTest's tree: blocks have ``children``)."""
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from _elements(child)
    elif getattr(node, "proto", None) is not None:
        yield node


def measure(query: dict[str, str], page: str) -> dict:
    start = time.perf_counter()
    at = open_app(query, page, timeout=300)
    seconds = time.perf_counter() - start
    if at.exception or at.error:
        raise RuntimeError(f"{page}: {[e.value for e in (*at.exception, *at.error)]}")
    charts = [len(el.proto.spec) for el in at.get("plotly_chart")]
    page_bytes = sum(el.proto.ByteSize() for el in _elements(at.main))
    return {"page": page, "charts": len(charts), "chart_bytes": sum(charts),
            "largest_chart": max(charts, default=0), "page_bytes": page_bytes,
            "seconds": round(seconds, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--pages", nargs="*", default=list(PAGES))
    add_save_option(parser, "payload")
    args = parser.parse_args()
    streamlit_logger.set_log_level("error")  # AppTest's "missing ScriptRunContext" warnings
    set_threads()
    caps = Caps.from_env()
    configs = {"official": {"preset": "official"}, "largest": largest_query(caps),
               "largest-text": largest_text_query(caps)}
    rows = [{"config": name, **measure(q, page)} for name, q in configs.items()
            for page in args.pages]
    over = [r for r in rows if r["chart_bytes"] > BUDGET[r["config"]]]
    if args.save:
        save(args.save, {"rows": rows, "budget": BUDGET}, script_argv(__file__, None))
    if args.json:
        print(json.dumps({"rows": rows, "budget": BUDGET}, indent=1))
    else:
        print(f"{'config':<13}{'page':<10}{'charts':>7}{'chart KB':>10}{'largest KB':>12}"
              f"{'page KB':>10}{'budget KB':>11}{'s':>7}")
        for r in rows:
            print(f"{r['config']:<13}{r['page']:<10}{r['charts']:>7}"
                  f"{r['chart_bytes'] / KB:>10.1f}{r['largest_chart'] / KB:>12.1f}"
                  f"{r['page_bytes'] / KB:>10.1f}{BUDGET[r['config']] / KB:>11.0f}"
                  f"{r['seconds']:>7}")
        for r in over:
            print(f"OVER BUDGET: {r['config']} {r['page']}: charts {r['chart_bytes'] / KB:.0f} KB "
                  f"> {BUDGET[r['config']] / KB:.0f} KB", file=sys.stderr)
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
