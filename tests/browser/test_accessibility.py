"""axe-core in Chromium on every page of the app: no violation of any impact.

The pages come from app.py's own ``PAGES`` (read, not copied), so a page added later is
checked too; so is every state of a lesson. Minor and moderate findings count too (a heading
level skipped, a label on a presentational element). axe-core's script ships inside the PyPI
package ``axe-playwright-python`` (pinned in requirements-dev.txt): nothing is downloaded
when the tests run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from lstm_viz.i18n import t

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
RUN_AXE = "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)"


def app_pages() -> list[tuple[str, str, str]]:
    """app.py's ``PAGES``: (file in app_pages/, URL path, icon)."""
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "PAGES":
            return ast.literal_eval(node.value)
    raise AssertionError("app.py defines no PAGES")


def violations(page) -> list[dict]:
    """Every violation axe-core finds on the page as it is now, whatever its impact."""
    axe = pytest.importorskip("axe_playwright_python.base")
    page.add_script_tag(path=str(axe.AXE_FILE_PATH))
    return list(page.evaluate(RUN_AXE))


def report(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        lines += [f"    {n['target']}: {n['html'][:160]}" for n in v["nodes"][:5]]
    return "\n".join(lines)


def test_app_pages_are_read_from_app_py():
    assert [name for name, _, _ in app_pages()][:5] == ["overview", "shapes", "gates", "states",
                                                        "packing"]
    assert "learn" in [name for name, _, _ in app_pages()]


@pytest.mark.parametrize(("name", "path"), [(n, p) for n, p, _ in app_pages()],
                         ids=[n for n, _, _ in app_pages()])
def test_every_page_has_no_violation(server, page, name, path):
    page.open(f"{server}/{path}")
    found = violations(page.page)
    assert found == [], report(found)


def test_a_lesson_in_every_state_has_no_violation(server, page):
    """The question, a diagnosis, the reveal, and a trained model's heatmap, in Chinese."""
    page.open(f"{server}/learn?lesson=000-shapes&step=2&lang=zh")
    box = page.page.get_by_label(t("learn.answer", "zh"), exact=True)
    box.fill("(3, 5, 20)")
    page.after(lambda: box.press("Enter"))
    found = violations(page.page)
    assert found == [], report(found)
    page.after(page.page.get_by_role("button", name=t("learn.show", "zh")).click)
    found = violations(page.page)
    assert found == [], report(found)
    page.open(f"{server}/learn?lesson=trained-sentiment&step=2&lang=zh")
    found = violations(page.page)
    assert found == [], report(found)
