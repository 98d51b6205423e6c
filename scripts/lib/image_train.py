"""The image smoke test's training check (scripts/lib/image_smoke.py): a short training is
started on /train in the host's Chromium and runs to its end inside the image, in the app's
training worker processes (``lstm_viz.training.workers``: forkserver, as the image's user).
"""

from __future__ import annotations

from serving.appserver import CHROMIUM, CHROMIUM_ARGS, settle

EPOCHS = 2
LINK = f"/train?t_epochs={EPOCHS}&t_distance=10&t_seed=31"  # a short run of its own
DONE = f"Finished: {EPOCHS} epochs"  # train.finished, in English


def train_check(url: str) -> tuple[bool, str]:
    """(passed, what was seen): Start on /train, and the run finishes with its curves."""
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(f"{url}{LINK}", timeout=60_000)
                settle(page, timeout=90_000)
                page.get_by_role("button", name="Start").click()
                page.get_by_text(DONE).wait_for(timeout=180_000)
                charts = page.get_by_test_id("stPlotlyChart").count()
                errors = page.get_by_test_id("stException").count()
            finally:
                browser.close()
    except Exception as err:  # any failure is this check's
        return False, repr(err)[:300]
    return charts >= 4 and errors == 0, f"{DONE!r} shown, {charts} charts, {errors} exceptions"
