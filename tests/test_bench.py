"""``python measure/bench.py`` runs and reports both cases (no timing assertions: it is a
report, and CI machines are noisy)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]


def _bench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "measure/bench.py", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)


def test_bench_prints_both_rows():
    # One thread only: two threads on a busy 2-core CI box spin for tens of seconds.
    proc = _bench("--repeats", "2", "--warmup", "0", "--threads", "1")
    assert proc.returncode == 0, proc.stderr
    rows = [line.split() for line in proc.stdout.splitlines()]
    for case in ("official", "large"):
        assert [r[1] for r in rows if r and r[0] == case] == ["1"], proc.stdout


def test_bench_json():
    proc = _bench("--repeats", "2", "--warmup", "0", "--threads", "2", "--cases", "official",
                  "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["repeats"] == 2 and report["machine"]["torch"] == torch.__version__
    assert [r["case"] for r in report["rows"]] == ["official"]
    for row in report["rows"]:
        assert row["threads"] == 2 and row["trace_ms"] > 0 and row["bare_ms"] > 0
        assert row["target"] in (1.5, 2.0) and isinstance(row["meets_target"], bool)
        assert row["verified"] is True
