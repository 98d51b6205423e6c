"""The marked tables of README.md and docs/*.md, regenerated from their results files.

A table (or any generated Markdown: a list, a sentence) sits between two markers:

    <!-- results:load-class -->            the renderer "load-class" of measure/tables.py
    | … generated … |
    <!-- /results -->

    <!-- results:load-class:sizing -->     the renderer "load-class:sizing", same file

The part before the first ``:`` names the results file (docs/results/<name>.json, or another
source that measure/tables.py registers); the whole key names the renderer. What is between
the markers is replaced by the renderer's Markdown; a block that starts on the marker's own
line is rendered inline (for a figure inside a sentence).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from measure import summaries, tables  # noqa: F401 (summaries: registers its renderers)

ROOT = Path(__file__).resolve().parents[1]
MARKED = re.compile(r"<!-- results:(?P<key>[a-z0-9_:-]+) -->(?P<body>.*?)<!-- /results -->",
                    re.DOTALL)


def documents(root: Path = ROOT) -> list[Path]:
    """README.md and every Markdown file under docs/."""
    return [root / "README.md", *sorted((root / "docs").rglob("*.md"))]


@dataclass(frozen=True)
class Block:
    path: Path
    line: int  # 1-based line of the opening marker
    key: str
    body: str

    def where(self, root: Path = ROOT) -> str:
        shown = self.path.relative_to(root) if self.path.is_relative_to(root) else self.path
        return f"{shown}:{self.line}: results:{self.key}"


def blocks(path: Path) -> list[Block]:
    text = path.read_text(encoding="utf-8")
    return [Block(path, text.count("\n", 0, m.start()) + 1, m["key"], m["body"])
            for m in MARKED.finditer(text)]


def _body(key: str, old: str) -> str:
    rendered = tables.render(key).strip("\n")
    return f"\n{rendered}\n" if old.startswith("\n") else rendered


RENDER_ERRORS = (KeyError, FileNotFoundError, ValueError)


def regenerate(text: str) -> tuple[str, list[tuple[str, str]]]:
    """``text`` with every marked block rendered anew from its results, and the blocks that
    cannot be rendered (key, why): those keep their text."""
    problems = []

    def block(m: re.Match) -> str:
        try:
            body = _body(m["key"], m["body"])
        except RENDER_ERRORS as err:
            problems.append((m["key"], f"cannot be rendered: {err}"))
            body = m["body"]
        return f"<!-- results:{m['key']} -->{body}<!-- /results -->"

    return MARKED.sub(block, text), problems


def stale(paths: list[Path]) -> list[tuple[Block, str]]:
    """Every block whose text differs from what its results give now, with the reason
    (a missing results file or renderer is a reason too)."""
    found = []
    for path in paths:
        for block in blocks(path):
            try:
                if _body(block.key, block.body) != block.body:
                    found.append((block, "differs from its results file"))
            except RENDER_ERRORS as err:
                found.append((block, f"cannot be rendered: {err}"))
    return found


def write(paths: list[Path]) -> list[Path]:
    """Regenerate every block that can be in place; return the files that changed."""
    changed = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        if (new := regenerate(text)[0]) != text:
            path.write_text(new, encoding="utf-8")
            changed.append(path)
    return changed
