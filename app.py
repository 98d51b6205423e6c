"""lstm-viz: the Streamlit entry point. Navigation, the shared sidebar, URL state; nothing else."""

from pathlib import Path

import streamlit as st

from lstm_viz.i18n import t
from lstm_viz.state.pipeline import set_threads
from ui import a11y, sidebar, state
from ui.trimmer import start_trimmer
from ui.turns import turn

PAGES = [  # (file in app_pages/, URL path, icon); the first is the default page at /
    ("overview", "", ":material/account_tree:"),
    ("shapes", "shapes", ":material/straighten:"),
    ("gates", "gates", ":material/tune:"),
    ("states", "states", ":material/grid_on:"),
    ("packing", "packing", ":material/inventory_2:"),
    ("learn", "learn", ":material/school:"),
    ("teach", "teach", ":material/co_present:"),
    ("memory", "memory", ":material/history:"),
    ("train", "train", ":material/model_training:"),
]

FAVICON = Path(__file__).parent / "ui" / "favicon.png"  # local: no icon fetched from a CDN

st.set_page_config(page_title="lstm-viz", page_icon=str(FAVICON), layout="wide")
set_threads()
a11y.style()  # captions' contrast, keyboard-reachable formulas (axe-core)
start_trimmer()  # once per process: RSS falls back after sessions close
state.init()
lang = state.lang()
page = st.navigation([
    st.Page(f"app_pages/{name}.py", title=t(f"page.{name}", lang), icon=icon,
            url_path=path or None, default=not path)
    for name, path, icon in PAGES
])
sidebar.render(page.url_path)
state.write_url(page.url_path)
with turn():  # one session's page at a time: they share one GIL (ui/turns.py)
    page.run()
