"""Results files: what a measuring tool measured, where, when and how, in docs/results/<name>.json.

    save("bench", {"rows": [...]}, sys.argv)   # → docs/results/bench.json
    load("bench")["figures"]["rows"]

A file is ``{"name", "command", "date", "machine", "load_average", "figures"}``:
``command`` the command line that wrote it (``python measure/bench.py --repeats 30 …``),
``date`` UTC ISO 8601 to the second, ``machine`` the CPU model, cores, Python, torch and
Streamlit versions, ``load_average`` the system's 1, 5 and 15 minute load averages when the
figures were saved (the measurement's own load included), ``figures`` whatever the tool
measured (JSON: numbers, strings, lists, dicts). The tables in README.md and docs/ are made
from these files by ``python scripts/tables.py`` (renderers in measure/tables.py); a figure
is never typed into a doc or a results file by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shlex
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "docs" / "results"
NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict:
    """The machine and the stack the figures were measured on."""
    return {"cpu": _cpu_model(), "cores": os.cpu_count(), "system": platform.system(),
            "python": platform.python_version(), "torch": _version("torch"),
            "streamlit": _version("streamlit")}


def command(argv: list[str]) -> str:
    """``sys.argv`` as the command a reader types from the repository root."""
    script, *args = argv
    path = Path(script).resolve()
    shown = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else script
    return shlex.join(["python", shown, *args])


def path(name: str, root: Path = RESULTS) -> Path:
    if not NAME.fullmatch(name):
        raise ValueError(f"results name {name!r}: lower-case letters, digits, - and _ only")
    return root / f"{name}.json"


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages, as ``uptime`` shows them."""
    return [round(v, 2) for v in os.getloadavg()]


def save(name: str, figures: dict, argv: list[str], *, root: Path = RESULTS,
         load_at_start: list[float] | None = None) -> Path:
    """Write ``figures`` with the command (``argv``: the script's path and its arguments,
    usually ``sys.argv``), the UTC date, the machine and the load average to
    ``docs/results/<name>.json``; return its path. ``load_at_start``: the load average
    before the measurement (``load_average()``), kept beside the one at the end."""
    record = {
        "name": name,
        "command": command(list(argv)),
        "date": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "machine": machine(),
        "load_average": load_average(),
        **({"load_average_start": load_at_start} if load_at_start else {}),
        "figures": figures,
    }
    text = json.dumps(record, indent=1, ensure_ascii=False, allow_nan=False)
    target = path(name, root)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text + "\n", encoding="utf-8")
    print(f"results: {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target} "
          f"(then: python scripts/tables.py)", file=sys.stderr)
    return target


def load(name: str, *, root: Path = RESULTS) -> dict:
    """The whole record ``save`` wrote (``["figures"]`` for the figures)."""
    return json.loads(path(name, root).read_text(encoding="utf-8"))


def script_argv(script: str, argv: list[str] | None) -> list[str]:
    """What ``save`` wants as ``argv`` from a tool's ``main(argv=None)``: its path and its
    arguments (``sys.argv[1:]`` when run as a script)."""
    return [script, *(sys.argv[1:] if argv is None else argv)]


def add_save_option(parser: argparse.ArgumentParser, default: str) -> None:
    """``--save [NAME]``: write the figures to docs/results/NAME.json (NAME: ``default``)."""
    def name(value: str) -> str:
        if not NAME.fullmatch(value):
            raise argparse.ArgumentTypeError(f"{value!r}: lower-case letters, digits, - and _")
        return value

    parser.add_argument("--save", nargs="?", const=default, default=None, metavar="NAME",
                        type=name,
                        help=f"write the figures to docs/results/NAME.json (default NAME: "
                             f"{default}) for the docs' tables (python scripts/tables.py)")
