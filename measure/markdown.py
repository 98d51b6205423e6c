"""The machinery of the docs' generated tables: the renderer registry and Markdown helpers.

The renderers themselves are in measure/tables.py (``@renderer("<key>")``), the markers and
the rewriting of the docs in measure/doctables.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from measure import results

Record = dict
RENDERERS: dict[str, Callable[[Record], str]] = {}
SOURCES: dict[str, Callable[[], Record]] = {}
USES: dict[str, tuple[str, ...]] = {}  # a source's results files (docs/results/<name>.json)


def renderer(key: str):
    def register(fn: Callable[[Record], str]) -> Callable[[Record], str]:
        if key in RENDERERS:
            raise ValueError(f"two renderers for {key!r}")
        RENDERERS[key] = fn
        return fn
    return register


def source(name: str, uses: tuple[str, ...] = ()):
    """Register where the results ``name`` come from when not docs/results/<name>.json
    (``uses``: the results files it reads, if any)."""
    def register(fn: Callable[[], Record]) -> Callable[[], Record]:
        SOURCES[name], USES[name] = fn, uses
        return fn
    return register


def several(name: str, names: tuple[str, ...]) -> None:
    """The source ``name``: the results files ``names`` together, ``{"figures": {n: record}}``."""
    source(name, names)(lambda: {"name": name,
                                  "figures": {n: results.load(n) for n in names}})


def render(key: str) -> str:
    """The Markdown of ``key`` from its results (KeyError: no such renderer)."""
    if key not in RENDERERS:
        raise KeyError(f"no renderer {key!r} in measure/tables.py")
    name = key.split(":", 1)[0]
    record = SOURCES[name]() if name in SOURCES else results.load(name)
    return RENDERERS[key](record)


# --- helpers -------------------------------------------------------------------------------

def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def signed(x: float, digits: int = 2) -> str:
    """``+0.97`` / ``−2.05`` (a real minus sign)."""
    return f"{x:+.{digits}f}".replace("-", "−")


def pct(x: float) -> str:
    return f"{x:.1%}"


def ratio(x: float, digits: int = 2) -> str:
    return f"{x:.{digits}f}×"


def when(record: Record) -> str:
    """``2026-12-07 21:10 UTC``."""
    return datetime.fromisoformat(record["date"]).strftime("%Y-%m-%d %H:%M UTC")


def loads(values: Sequence[float]) -> str:
    return " / ".join(f"{v:.2f}" for v in values)


def caption(record: Record) -> str:
    """Where a table's figures come from: command, date, machine, load average."""
    m = record["machine"]
    start = (f"{loads(record['load_average_start'])} at the start, "
             if record.get("load_average_start") else "")
    return (f"<sub>`{record['command']}` · {when(record)} · {m['cpu']}, {m['cores']} cores, "
            f"Python {m['python']}, torch {m['torch']}, Streamlit {m['streamlit']} · load "
            f"average (1 / 5 / 15 min) {start}{loads(record['load_average'])} at the end · "
            f"docs/results/{record['name']}.json</sub>")
