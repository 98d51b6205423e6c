"""The image smoke test's class-mode check (scripts/lib/image_smoke.py): a class is opened on
/teach in the host's Chromium, then read back *inside the image*, with the image's own Python,
from the SQLite file under its ``LSTM_VIZ_DATA_DIR`` — the /data volume.

The volume: with Docker a named volume mounted at /data for the server and for the read-back
(``docker run --rm`` starts a new container each time); with buildah both run in the same
working container, whose /data volume lasts between ``buildah run``\\ s (buildah's chroot runs
mount the image's own volume there, whatever ``--volume`` asks: so none is asked).
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlparse

from serving.appserver import opened_page, settle

DATA = "/data"  # the Dockerfile's VOLUME, where LSTM_VIZ_DATA_DIR points
NAME = "Image smoke test"
READ_BACK = """import json, os, sqlite3, sys
db = os.path.join(os.environ["LSTM_VIZ_DATA_DIR"], "classroom.db")
with sqlite3.connect(db) as conn:
    names = [r[0] for r in conn.execute("SELECT name FROM classes WHERE code = ?", (sys.argv[1],))]
    mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
print(json.dumps({"db": db, "names": names, "journal": mode}))
"""


def data_volume(engine: str, port: int) -> str | None:
    """What to mount at /data: a named volume for Docker, none for buildah (above)."""
    return f"lstm-viz-smoke-data-{port}" if engine == "docker" else None


def _open_class(url: str) -> str:
    """Open a class on /teach as a teacher does; its code."""
    with opened_page(f"{url}/teach") as page:
        page.get_by_label("Class name").fill(NAME)
        page.get_by_role("button", name="Open the class").click()
        page.wait_for_function("location.search.includes('key=')", timeout=30_000)
        settle(page, timeout=60_000)
        assert page.get_by_test_id("stException").count() == 0, "an exception is shown"
        return parse_qs(urlparse(page.url).query)["class"][0]


def class_check(url: str, engine, volume: str | None) -> tuple[bool, str]:
    """(passed, what was seen): the class opened through ``url`` is in the image's file."""
    try:
        code = _open_class(url)
    except Exception as err:  # any failure is this check's
        return False, repr(err)[:300]
    out = engine.run(["python", "-c", READ_BACK, code], volume=volume)
    try:
        seen = json.loads(out.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return False, f"class {code} opened; reading it back failed: {out.stderr[-300:]}"
    ok = seen["names"] == [NAME] and seen["journal"] == "wal" and seen["db"].startswith(DATA)
    return ok, f"class {code} in {seen['db']} (in the image): {seen['names']}, " \
        f"journal {seen['journal']}"
