"""The image smoke test's class-mode check (scripts/lib/image_smoke.py): a host folder is the
image's /data volume, a class is opened on /teach in the host's Chromium, and the class is
then read back from the SQLite file the served app wrote into that folder."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from serving.appserver import CHROMIUM, CHROMIUM_ARGS, settle

DATA = "/data"  # the Dockerfile's VOLUME, where LSTM_VIZ_DATA_DIR points
NAME = "Image smoke test"


def data_volume(logs: Path, user: str) -> Path:
    """An empty host folder the image's user may write, to mount as /data."""
    folder = logs / "data"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    uid = user.split(":")[0]
    if os.geteuid() == 0 and uid.isdigit():
        os.chown(folder, int(uid), int(uid))
    else:
        folder.chmod(0o777)
    return folder


def _open_class(url: str) -> str:
    """Open a class on /teach as a teacher does; its code."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{url}/teach", timeout=60_000)
            settle(page, timeout=90_000)
            page.get_by_label("Class name").fill(NAME)
            page.get_by_role("button", name="Open the class").click()
            page.wait_for_function("location.search.includes('key=')", timeout=30_000)
            settle(page, timeout=60_000)
            assert page.get_by_test_id("stException").count() == 0, "an exception is shown"
            return parse_qs(urlparse(page.url).query)["class"][0]
        finally:
            browser.close()


def class_check(url: str, volume: Path) -> tuple[bool, str]:
    """(passed, what was seen): the class opened through ``url`` is in the volume's file."""
    from sqlalchemy import create_engine, text

    try:
        code = _open_class(url)
    except Exception as err:  # any failure is this check's
        return False, repr(err)[:300]
    db = volume / "classroom.db"
    if not db.exists():
        return False, f"class {code} opened, but no {db.name} in the volume: {os.listdir(volume)}"
    engine = create_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            names = conn.execute(text("SELECT name FROM classes WHERE code = :c"),
                                 {"c": code}).scalars().all()
            mode = conn.execute(text("PRAGMA journal_mode")).scalar()
    finally:
        engine.dispose()
    return names == [NAME] and mode == "wal", f"class {code} in {DATA}/{db.name}: {names}, " \
        f"journal {mode}"
