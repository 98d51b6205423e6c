"""lstm-viz: the Streamlit entry point. Navigation, the shared sidebar, URL state; nothing else."""

import streamlit as st

from lstm_viz.i18n import t
from lstm_viz.pipeline import set_threads
from ui import sidebar, state

st.set_page_config(page_title="lstm-viz", page_icon=":material/account_tree:", layout="wide")
set_threads()
state.init()
lang = state.lang()

pages = [
    st.Page("app_pages/overview.py", title=t("page.overview", lang), icon=":material/account_tree:", default=True),
    st.Page("app_pages/shapes.py", title=t("page.shapes", lang), icon=":material/straighten:", url_path="shapes"),
    st.Page("app_pages/gates.py", title=t("page.gates", lang), icon=":material/tune:", url_path="gates"),
    st.Page("app_pages/states.py", title=t("page.states", lang), icon=":material/grid_on:", url_path="states"),
    st.Page("app_pages/packing.py", title=t("page.packing", lang), icon=":material/inventory_2:", url_path="packing"),
]
sidebar.render()
page = st.navigation(pages)
state.write_url()
page.run()
