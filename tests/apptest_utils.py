"""Helpers for AppTest: open the app at a page with a query string.

AppTest quirk (streamlit 1.67): after ``switch_page`` the entry point's sidebar widgets
are not in the element tree (they are in a real browser). So tests change sidebar
widgets on the default page, then switch pages to read the page's content.
"""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGES = ("overview", "shapes", "gates", "states", "packing")


def open_app(query: dict[str, str] | None = None, page: str | None = None,
             timeout: float = 60) -> AppTest:
    """Run the app with ``query`` as the URL's query string, then show ``page``."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    if page and page != "overview":
        at.switch_page(f"app_pages/{page}.py").run()
    return at


def plotly_array(value):
    """A plotly JSON array as numpy: a list, or base64 {"dtype", "bdata", "shape"}."""
    import base64

    import numpy as np

    if isinstance(value, dict) and "bdata" in value:
        flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        return flat.reshape([int(s) for s in str(value.get("shape", len(flat))).split(",")])
    return np.asarray(value)
