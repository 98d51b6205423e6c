"""Overview: what the network is, the unrolled grid (a click picks a cell for Gates), equations."""

from functools import partial

import streamlit as st

from lstm_viz.core.tokens import PAD
from lstm_viz.explain.tables import equations, source_caption, summary
from lstm_viz.explain.worked import clamp_selection
from lstm_viz.figures import selection_to_cell, state_norms, unrolled_grid_spec
from lstm_viz.i18n import t
from lstm_viz.state.pipeline import settings_key
from lstm_viz.state.presets import PRESETS
from ui import charts, exports, run, state
from ui.text import md_escape


def _pick_sentence() -> None:  # the selection is the source of truth; widgets only change it
    chosen = st.session_state["overview_sentence"]
    st.session_state["selection"] = {**st.session_state.get("selection", {}), "sentence": chosen}


def _pick_cell(shape: tuple[int, ...], n: int) -> None:
    cell = selection_to_cell(st.session_state.get("overview_grid"), shape)
    if cell is not None:
        layer, direction, step = cell
        st.session_state["selection"] = {"layer": layer, "direction": direction, "t": step,
                                         "sentence": n}


lang = state.lang()
result = run.page("overview")

s, cfg, batch = result.settings, result.settings.config, result.batch
preset = PRESETS[s.preset]
st.markdown(summary(cfg, s.spec, batch.N, batch.L, lang))
st.markdown(f"**{t('overview.preset', lang, title=t(f'preset.{s.preset}.title', lang))}**  \n"
            + t(f"preset.{s.preset}.description", lang))
st.caption(source_caption(preset.source, preset.weights, lang))
if (cfg, s.spec) != (preset.config, preset.spec):
    st.caption(t("overview.changed", lang))


lengths = batch.lengths.tolist()
sel = clamp_selection(st.session_state.get("selection"), cfg.num_layers, cfg.D, lengths)
if batch.N > 1:
    st.session_state["overview_sentence"] = sel["sentence"]
    st.columns([2, 3])[0].selectbox(
        t("overview.sentence", lang), range(batch.N), key="overview_sentence",
        on_change=_pick_sentence, format_func=lambda n: f"{n}: {' '.join(batch.tokens[n])}")
n = sel["sentence"]
norms = state_norms(result.trace, n)  # (num_layers, D, L)
st.session_state["selection"] = sel

cell = (sel["layer"], sel["direction"], sel["t"])
fig = charts.figure("overview", settings_key(s), (lang, n, cell), lambda: unrolled_grid_spec(
    norms, batch.tokens[n], num_layers=cfg.num_layers, D=cfg.D,
    title=t("overview.grid.title", lang), x_title=t("overview.grid.x", lang),
    y_title=t("overview.grid.y", lang), row_label=t("overview.grid.row", lang), selected=cell))
st.caption(t("overview.grid.hint", lang))
charts.show(fig, width="stretch", key="overview_grid", selection_mode="points",
            on_select=partial(_pick_cell, norms.shape, n), config={"displaylogo": False})
exports.figure_downloads(fig, "overview", csv=exports.steps(result, sentences=[n]), trace=result)
tokens = batch.tokens[n]
token = tokens[sel["t"]] if sel["t"] < len(tokens) else PAD
st.markdown(md_escape(t("overview.selected", lang, layer=sel["layer"], t=sel["t"], n=n,
                        direction=t(f"overview.direction.{sel['direction']}", lang),
                        token=token)))
st.page_link("app_pages/gates.py", label=t("overview.to_gates", lang), icon=":material/tune:")

st.header(t("overview.cell.title", lang))
st.markdown(t(f"overview.cell.{cfg.cell}", lang))
st.latex(equations(cfg))
if cfg.proj_size:
    st.caption(t("overview.cell.proj", lang))
st.caption(t("overview.cell.layers", lang))
