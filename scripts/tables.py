"""Regenerate the figure tables of README.md and docs/*.md from docs/results/*.json.

    python scripts/tables.py            # rewrite every marked table from its results file
    python scripts/tables.py --check    # change nothing; exit 1 naming every stale table

A table sits between ``<!-- results:<name>[:<table>] -->`` and ``<!-- /results -->``; its
renderer is in measure/tables.py, its figures in docs/results/<name>.json, written by the
measuring tool that measured them (``python measure/<tool>.py … --save``; measure/README.md).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from measure import doctables  # noqa: E402 (needs ROOT on sys.path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python scripts/tables.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 when a table differs from its results")
    parser.add_argument("files", nargs="*", type=Path,
                        help="Markdown files (default: README.md and docs/**/*.md)")
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.files] or doctables.documents()
    problems = doctables.stale(paths)
    if args.check:
        for block, why in problems:
            print(f"{block.where()} {why}", file=sys.stderr)
        if problems:
            print("python scripts/tables.py regenerates them from docs/results/", file=sys.stderr)
        return 1 if problems else 0
    for path in doctables.write(paths):
        print(f"regenerated {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    unrenderable = [(b, why) for b, why in problems if why.startswith("cannot")]
    for block, why in unrenderable:
        print(f"{block.where()} {why} (left as it was)", file=sys.stderr)
    if unrenderable:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
