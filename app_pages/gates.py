"""The gates page (placeholder until its page is built)."""

import streamlit as st

from lstm_viz.i18n import t
from ui import run, state

lang = state.lang()
st.title(t("page.gates", lang))
run.show_notices()
result = run.current_run()
if result is None:
    st.stop()
run.badge(result)
st.write(result.trace.max_abs_diff)
