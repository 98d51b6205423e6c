"""The image smoke test's training check (scripts/lib/image_smoke.py): a short training is
started on /train in the host's Chromium and runs to its end inside the image, in the app's
training worker processes (``lstm_viz.training.workers``: forkserver, as the image's user).
"""

from __future__ import annotations

from serving.appserver import opened_page

EPOCHS = 2
LINK = f"/train?t_epochs={EPOCHS}&t_distance=10&t_seed=31"  # a short run of its own
DONE = f"Finished: {EPOCHS} epochs"  # train.finished, in English


def train_check(url: str) -> tuple[bool, str]:
    """(passed, what was seen): Start on /train, and the run finishes with its curves."""
    try:
        with opened_page(f"{url}{LINK}") as page:
            page.get_by_role("button", name="Start").click()
            page.get_by_text(DONE).wait_for(timeout=180_000)
            charts = page.get_by_test_id("stPlotlyChart").count()
            errors = page.get_by_test_id("stException").count()
    except Exception as err:  # any failure is this check's
        return False, repr(err)[:300]
    return charts >= 4 and errors == 0, f"{DONE!r} shown, {charts} charts, {errors} exceptions"
