"""Memory over time: why gates exist. One sentence through a trained nn.RNN, nn.GRU and
nn.LSTM side by side: their answers, hidden states, connectivity, gradient flow, and what
happens when a gate is forced."""

import streamlit as st

from lstm_viz.explain.memory import what_happened
from lstm_viz.i18n import t
from ui import charts, exports, run, state
from ui import memory_page as mp
from ui.text import md_escape

lang = state.lang()
CHART = {"width": "stretch", "config": {"displaylogo": False}}
st.title(t("page.memory", lang))
run.show_notices()
st.caption(t("memory.intro", lang))
mp.held_note(lang)
tokens = mp.sentence_controls(lang)
if tokens is None:
    st.stop()
key = tuple(tokens)
views = mp.looks(key)
mp.badge(views, lang)

charts.show(mp.answers_figure(key, lang, views), key="memory_answers", **CHART)
mp.finals(views, tokens, lang)
st.caption(t("memory.answers.read", lang))

charts.show(mp.states_figure(key, lang, views), key="memory_states", **CHART)
st.caption(t("memory.states.read", lang))

st.header(t("memory.conn.heading", lang))
L = len(tokens)
chosen = mp.values()["m_step"]
step = L - 1 if chosen < 0 or chosen >= L else chosen
st.select_slider(t("memory.conn.step", lang), list(range(L)), disabled=L == 1,
                 format_func=lambda s: md_escape(f"{s}: {tokens[s]}"),
                 **mp.bind("m_step", shown=step))
grid, strip = mp.connectivity_figures(key, lang, step, views)
charts.show(grid, key="memory_connectivity", **CHART)
charts.show(strip, key="memory_strip", **CHART)
exports.figure_downloads(grid, "memory_connectivity")
st.caption(t("memory.conn.read", lang))

flow = mp.flow_figure(key, lang, views)
charts.show(flow, key="memory_flow", **CHART)
st.caption(t("memory.flow.read", lang))

st.header(t("memory.force.title", lang))
st.caption(t("memory.force.intro", lang))
choice = mp.force_controls(L, lang)
args = (choice["name"], choice["gate"], choice["value"], choice["units"], choice["from_t"])
after = mp.forced(key, *args)
before = (views[choice["name"]].trace, views[choice["name"]].probs)
said = what_happened(mp.model(choice["name"]), tokens, *args[1:], before[1], after[1], lang)
st.info(md_escape(said), icon=":material/science:")
answers, states = mp.force_figures(key, lang, args, before, after)
charts.show(answers, key="memory_force_answers", **CHART)
charts.show(states, key="memory_force_states", **CHART)
