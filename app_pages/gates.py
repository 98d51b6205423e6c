"""The gates page: every gate of one layer/direction over a sentence, and one unit worked out."""

from functools import partial

import streamlit as st

from lstm_viz.core.tokens import PAD
from lstm_viz.explain.worked import (
    clamp_selection,
    layer_params,
    worked_step,
)
from lstm_viz.figures import gates_grid_spec, sentence_steps, value_kinds
from lstm_viz.i18n import t
from lstm_viz.state.pipeline import settings_key
from ui import charts, exports, run, state, weights, worked_view
from ui.text import md_escape

PLAY_SECONDS = 1.0
lang = state.lang()
result = run.page("gates")
st.caption(t("gates.intro", lang))
s, tr, tokens = result.settings, result.trace, result.batch.tokens
cfg, lengths = tr.config, tr.lengths.tolist()
weights.show(s, ("gate", "state"), lang)  # a trained model: the unit whose job is readable
sel = clamp_selection(st.session_state.get("selection"), cfg.num_layers, cfg.D, lengths)
if "gates_t" not in st.session_state:  # arrived from another page: never resume playing
    st.session_state.gates_playing = False


def word(n: int, step: int) -> str:
    return tokens[n][step] if step < len(tokens[n]) else PAD


def pick(widget, label: str, key: str, options: list, default, **kwargs):
    """A page-local widget whose value is always one of ``options`` (default from selection)."""
    if st.session_state.get(key) not in options:
        st.session_state[key] = default
    return widget(label, options, key=key, **kwargs)


cols = iter(st.columns(1 + (cfg.D == 2) + (tr.N > 1)))
with next(cols):
    layer = pick(st.selectbox, t("gates.layer", lang), "gates_layer",
                 list(range(cfg.num_layers)), sel["layer"])
d = n = 0
if cfg.D == 2:
    with next(cols):
        d = pick(st.radio, t("gates.direction", lang), "gates_direction", [0, 1],
                 sel["direction"], format_func=lambda v: t(f"gates.dir.{v}", lang),
                 horizontal=True)
if tr.N > 1:
    with next(cols):
        n = pick(st.selectbox, t("gates.sentence", lang), "gates_sentence", list(range(tr.N)),
                 sel["sentence"], format_func=lambda v: f"{v}: {' '.join(tokens[v])[:60]}")
steps = list(range(int(lengths[n])))
params = layer_params(run.current_module(s).module, layer, d)
order = steps if d == 0 else steps[::-1]  # processing order: backward reads last → first


def toggle_play() -> None:
    playing = not st.session_state.get("gates_playing", False)
    if playing and st.session_state.get("gates_t") == order[-1]:
        st.session_state.gates_t = order[0]  # play again from the start
    st.session_state.gates_playing = playing
    st.session_state.gates_hold = True  # this run shows the current step; ticks advance


playing = st.session_state.get("gates_playing", False)
st.button(t("gates.pause" if playing else "gates.play", lang), on_click=toggle_play,
          icon=":material/pause:" if playing else ":material/play_arrow:", key="gates_play",
          help=t("gates.play_help", lang), disabled=len(steps) == 1)


@st.fragment(run_every=PLAY_SECONDS if playing else None)
def step_view() -> None:
    """Slider, heatmaps and worked math for step t; while playing, each run advances t."""
    now = st.session_state.get("gates_t", sel["t"])
    now = now if now in steps else min(sel["t"], steps[-1])
    if st.session_state.get("gates_playing") and not st.session_state.pop("gates_hold", False):
        if now == order[-1]:
            st.session_state.gates_playing = False
            st.rerun()  # the whole page: redraw the button, stop the timer
        now = order[order.index(now) + 1]
    st.session_state.gates_t = now
    st.select_slider(t("gates.step", lang), steps, key="gates_t",  # label shown as Markdown
                     format_func=lambda v: md_escape(f"{v}: {word(n, v)}"),
                     disabled=len(steps) == 1)
    st.session_state.selection = {"layer": layer, "direction": d, "t": now, "sentence": n}
    draw(now)


def gates_spec(now: int) -> dict:
    """The heatmaps of (layer, d, n) at step ``now`` (and a trained model's readable unit)."""
    arrow = " " + t(f"gates.dir.{d}", lang) if cfg.D == 2 else ""
    kinds = value_kinds(cfg)
    spec = gates_grid_spec(sentence_steps(tr, layer, d, n), tokens[n], kinds=kinds,
                           titles={k: t(f"gates.panel.{cfg.cell}.{k}", lang) for k in kinds},
                           title=t("gates.chart.title", lang, layer=layer, arrow=arrow, n=n),
                           x_title=t("gates.axis.unit", lang), y_title=t("gates.axis.t", lang),
                           selected_t=now)
    if layer == 0 and d == 0:
        weights.outline(spec, s, tr.L, {k: k for k in kinds})
    return spec


def draw(now: int) -> None:
    fig = charts.figure("gates", settings_key(s), (lang, layer, d, n, now),
                        partial(gates_spec, now))
    charts.show(fig, width="stretch", key="gates_chart", config={"displaylogo": False})
    exports.figure_downloads(fig, "gates", csv=exports.steps(
        result, sentences=[n], layers=[layer], directions=[d]))
    st.caption(t("gates.scales", lang))
    unit = pick(st.selectbox, t("gates.unit", lang), "gates_unit",
                list(range(cfg.hidden_size)), 0)
    out_unit = None
    if cfg.proj_size:
        out_unit = pick(st.selectbox, t("gates.out_unit", lang), "gates_out_unit",
                        list(range(cfg.H_out)), 0)
    step = worked_step(params, tr, layer, d, n, now, unit, out_unit)
    worked_view.show(step, params, cfg, layer, d, n, word(n, step.t), lang)


step_view()
