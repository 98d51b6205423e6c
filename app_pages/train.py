"""Train it live: an RNN, a GRU and an LSTM learn the same task side by side, as it happens.

Every setting is a URL key (a teacher's link starts the same training for the whole class:
one run per settings on this server, shared read-only); Start / Pause / Step / Stop; loss and
accuracy, accuracy by distance, the gates and the gradient flow, live; a scrubber and "open
this model" once it stops. The glue is ui/train_page.py, ui/train_view.py, ui/train_open.py.
"""

import streamlit as st

from lstm_viz.i18n import t
from ui import run, state
from ui import train_page as tp
from ui import train_view as tv

lang = state.lang()
st.title(t("page.train", lang))
run.show_notices()
st.caption(t("train.intro", lang))
settings = tp.settings_form(lang)
tv.live(settings, lang)
