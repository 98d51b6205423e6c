"""Teach: open a class, give students its code, link and QR code; then the live dashboard of
every answer they check, the class's pacing, a second vote, the CSV (class mode; the engine is
lstm_viz/classroom, the glue ui/teach*.py and ui/class_dashboard.py)."""

import streamlit as st

from lstm_viz.classroom import store
from lstm_viz.i18n import t
from ui import class_dashboard, classroom, run, state, teach
from ui import teach_view as view
from ui.classroom import StoreDown

lang = state.lang()
st.title(t("page.teach", lang))
st.caption(t("teach.intro", lang))
run.show_notices()
view.messages(lang)
found = teach.where(lang)  # (class code, teacher key) from the URL, or None
if found is None:
    view.open_form(lang)
    st.stop()
try:
    cls = classroom.call(store.teacher_class, *found)  # None: unknown code or wrong key
    pulse = classroom.call(store.pulse, cls.id) if cls else None
except StoreDown:
    st.warning(t("teach.store_down", lang), icon=":material/cloud_off:")
    st.stop()
if cls is None or pulse is None:
    st.warning(t("teach.bad_link", lang), icon=":material/key_off:")
    state.set_page_params(**{"class": None, "key": None, "names": None})
    view.open_form(lang)
    st.stop()
st.session_state.teach_class = cls.code  # this session's own class (Lessons: a preview)
steps = classroom.class_steps(cls)
view.header(cls, found[1], lang)
view.controls(cls, pulse, steps, lang)
st.header(t("teach.dashboard", lang))
class_dashboard.live(cls, steps)
