"""Streamlit glue of the Memory page: its widgets bound to the page's own URL keys
(``lstm_viz.state.memory_keys``), the cached runs of the three trained models (shared without a
copy per hit, ``st.cache_resource``: nothing here writes to them), and the figures as
read-only specs built once per sentence and view (``ui.charts``, the pattern of every page).

Widget values live under ``w_m_*`` keys (``ui.page_bind``).
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from lstm_viz.explain import memory as mem
from lstm_viz.figures import memory as figs
from lstm_viz.figures.style import value_kinds
from lstm_viz.figures.text import plain
from lstm_viz.i18n import t
from ui import charts
from ui.page_bind import PageBinder
from ui.text import md_escape

PAGE = "memory"
BINDER = PageBinder(PAGE)
values, bind = BINDER.values, BINDER.bind


def generate() -> None:
    """Generate: a new random sentence of the task (the session's count is the seed)."""
    seed = st.session_state["memory_generated"] = st.session_state.get("memory_generated", 0) + 1
    BINDER.set("m_sentence", mem.generate(values()["m_distance"], seed))


def sentence_controls(lang: str) -> list[str] | None:
    """The view, the sentence and Generate; the tokens to read (None: nothing to show)."""
    st.selectbox(t("memory.view", lang), list(BINDER.spec.views), help=t("memory.view.help", lang),
                 format_func=lambda v: t(f"memory.view.{v}", lang), **bind("m_view"))
    left, mid, right = st.columns([5, 1.3, 1.3], vertical_alignment="bottom")
    left.text_input(t("memory.sentence", lang), max_chars=4000, **bind("m_sentence"),
                    help=t("memory.sentence_help", lang, max=mem.MAX_WORDS))
    mid.number_input(t("memory.distance", lang), 0, mem.MAX_WORDS - 1, **bind("m_distance"))
    right.button(t("memory.generate", lang), on_click=generate, key="m_generate",
                 help=t("memory.generate_help", lang), icon=":material/casino:")
    tokens, count = mem.words(values()["m_sentence"])
    if not tokens:
        st.info(t("memory.empty", lang))
        return None
    if count > mem.MAX_WORDS:
        st.warning(t("memory.cut", lang, count=count, max=mem.MAX_WORDS))
    unknown = [w for w in dict.fromkeys(tokens) if w.lower() not in mem.TASK.vocab]
    if unknown:
        st.caption(md_escape(t("memory.unknown", lang, words=", ".join(unknown[:20]))))
    truth = mem.truth(tokens)
    st.markdown(md_escape(t(f"memory.truth.{'known' if truth else 'none'}", lang, truth=truth)))
    return tokens


HELD = "memory_models"  # the session's own models (label, models): the Train page's "open"


def models() -> tuple[mem.Model, ...]:
    """The models the page shows: the session's own (opened from the Train page), else the
    three shipped ones."""
    held = st.session_state.get(HELD)
    return held[1] if held else tuple(map(mem.shipped, mem.MODELS))


def model(name: str) -> mem.Model:
    return next(m for m in models() if m.name == name)


def held_note(lang: str) -> None:
    """Which models these are, when the session's own, and the way back to the shipped."""
    held = st.session_state.get(HELD)
    if held:
        st.info(md_escape(t("train.held", lang, label=held[0])), icon=":material/model_training:")
        st.button(t("train.held.back", lang), key="memory_shipped", icon=":material/undo:",
                  on_click=lambda: st.session_state.pop(HELD, None))


@st.cache_resource(max_entries=32, show_spinner=False)  # shared, read-only
def _looks(tokens: tuple[str, ...], names: tuple[str, ...], _models) -> dict:
    return {m.name: mem.look(m, list(tokens)) for m in _models}


def looks(tokens: tuple[str, ...]) -> dict[str, mem.ModelView]:
    """The models on the sentence (traces, answers, connectivity, gradient flow), by name (a
    session's own models are named by their weights' sha256: equal names, equal weights)."""
    shown = models()
    return _looks(tokens, tuple(m.name for m in shown), shown)


@st.cache_resource(max_entries=64, show_spinner=False)
def _forced(tokens: tuple[str, ...], name: str, gate: str, value: float, units, from_t: int,
            _model):
    return mem.forced(_model, list(tokens), gate, value, units, from_t)


def forced(tokens: tuple[str, ...], name: str, gate: str, value: float, units, from_t: int):
    return _forced(tokens, name, gate, value, units, from_t, model(name))


def badge(views: dict, lang: str) -> None:
    worst = max(v.trace.worst_diff for v in views.values())
    if all(v.trace.verified for v in views.values()):
        st.success(t("memory.verified", lang, n=len(views), diff=f"{worst:.1e}"),
                   icon=":material/verified:")
    else:
        st.error(t("memory.mismatch", lang, diff=f"{worst:.1e}"), icon=":material/error:")


def _p_right(probs: np.ndarray, truth: str | None) -> np.ndarray:
    """(L,) the probability of the first word's animal, or of each step's own answer."""
    return probs[:, mem.CLASSES.index(truth)] if truth else probs.max(-1)


def _run_key(tokens: tuple[str, ...], names=()) -> str:
    """The models' names and the sentence name the runs."""
    return "memory\x1f" + ",".join(names) + "\x1f" + "\x1f".join(tokens)


def answers_figure(tokens: tuple[str, ...], lang: str, views):
    def build():
        truth = mem.truth(list(tokens))
        rows = {v.cell: (v.answers, _p_right(v.probs, truth)) for v in views.values()}
        colour = "memory.answers.colour" if truth else "memory.answers.colour_none"
        return figs.answer_strips_spec(rows, tokens, title=t("memory.answers.title", lang),
                                       colour_title=t(colour, lang),
                                       x_title=t("memory.axis.t", lang), hover=t(colour, lang))
    return charts.figure("memory_answers", _run_key(tokens, views), (lang,), build)


def finals(views: dict, tokens: list[str], lang: str) -> None:
    """One line per model: its answer at the end, right or wrong."""
    truth = mem.truth(tokens)
    lines = []
    for v in views.values():
        answer, p = v.answers[-1], float(v.probs[-1].max())
        key = "none" if truth is None else ("right" if answer == truth else "wrong")
        lines.append(t(f"memory.final.{key}", lang, cell=v.cell, answer=answer, p=f"{p:.2f}",
                       truth=truth))
    st.markdown("  \n".join(md_escape(line) for line in lines))


def states_figure(tokens: tuple[str, ...], lang: str, views):
    def build():
        panels = {v.cell: v.trace.step_values(0, 0)["h"][0].numpy() for v in views.values()}
        return figs.state_strips_spec(panels, tokens, title=t("memory.states.title", lang),
                                      x_title=t("memory.axis.t", lang),
                                      y_title=t("memory.axis.unit", lang), kind="tanh")
    return charts.figure("memory_states", _run_key(tokens, views), (lang,), build)


def connectivity_figures(tokens: tuple[str, ...], lang: str, step: int, views) -> tuple:
    maps = {v.cell: v.connectivity for v in views.values()}
    colour = t("memory.conn.colour", lang)
    grid = charts.figure("memory_connectivity", _run_key(tokens, views), (lang, step),
                         lambda: figs.connectivity_maps_spec(
                             maps, tokens, selected_t=step, title=t("memory.conn.title", lang),
                             x_title=t("memory.conn.x", lang), y_title=t("memory.conn.y", lang),
                             colour_title=colour))
    strip = charts.figure("memory_strip", _run_key(tokens, views), (lang, step),
                          lambda: figs.connectivity_strips_spec(
                              {k: m[step] for k, m in maps.items()}, tokens, step,
                              title=t("memory.conn.strip_title", lang, t=step,
                                      token=plain(tokens[step])), colour_title=colour))
    return grid, strip


def flow_figure(tokens: tuple[str, ...], lang: str, views):
    def build():
        flows, along_c = {}, t("memory.flow.along_c", lang)
        for v in views.values():
            flows[v.cell] = v.flow
            if v.flow_c is not None:
                flows[f"{v.cell} {along_c}"] = v.flow_c
        return figs.flow_lines_spec(flows, tokens, title=t("memory.flow.title", lang),
                                    x_title=t("memory.flow.x", lang),
                                    y_title=t("memory.flow.y", lang),
                                    dashed=[k for k in flows if k.endswith(along_c)])
    return charts.figure("memory_flow", _run_key(tokens, views), (lang,), build)


def force_controls(L: int, lang: str) -> dict:
    """Model, gate, value, units, from: the choice to force (fitted to this sentence)."""
    shown, v = models(), values()
    cells = [m.cell for m in shown]
    if v["m_cell"] not in cells:  # the session's own models may lack that cell
        BINDER.set("m_cell", cells[0])
        v = values()
    cols = st.columns([2.2, 1.5, 1.6, 1.6, 1.6])
    cols[0].radio(t("memory.force.model", lang), cells, horizontal=True, **bind("m_cell"))
    cols[1].selectbox(t("memory.force.gate", lang), mem.NAMES[v["m_cell"]],
                      format_func=lambda g: t(f"memory.name.{g}", lang), **bind("m_gate"))
    low = 0.0 if v["m_gate"] in mem.SIGMOID else -1.0
    cols[2].slider(t("memory.force.value", lang), low, 1.0, step=0.05,
                   help=t("memory.force.value_help", lang),
                   **bind("m_value", to_value=lambda x: round(float(x), 3)))
    width = mem.width(v["m_cell"], v["m_gate"], shown)
    cols[3].multiselect(t("memory.force.units", lang), list(range(width)),
                        placeholder=t("memory.force.units_all", lang),
                        **bind("m_units", shown=list(v["m_units"] or ()),
                               to_value=lambda u: tuple(sorted(u)) or None))
    from_t = min(v["m_from"], L - 1)
    cols[4].slider(t("memory.force.from", lang), 0, max(L - 1, 1), disabled=L == 1,
                   **bind("m_from", shown=from_t))
    units = None if v["m_units"] is None else tuple(u for u in v["m_units"] if u < width) or None
    return {"name": mem.model_for(v["m_cell"], shown), "gate": v["m_gate"], "value": v["m_value"],
            "units": units, "from_t": from_t}


def force_figures(tokens: tuple[str, ...], lang: str, choice: tuple, before, after) -> tuple:
    """(answers before/after, the memory state before/after), as read-only specs."""
    name, gate, value = choice[:3]
    cell, truth = model(name).cell, mem.truth(list(tokens))
    (tr0, p0), (tr1, p1) = before, after
    labels = (t("memory.force.original", lang), t("memory.force.forced", lang))
    words = {"cell": cell, "gate": t(f"memory.name.{gate}", lang), "value": f"{value:g}"}
    which = "c" if cell == "LSTM" else "h"
    run_key, view = _run_key(tokens), (lang, *choice)
    answers = charts.figure("memory_force", run_key, view, lambda: figs.answer_strips_spec(
        {labels[0]: (mem.answers(p0), _p_right(p0, truth)),
         labels[1]: (mem.answers(p1), _p_right(p1, truth))}, tokens,
        title=t("memory.force.answers_title", lang, **words),
        colour_title=t("memory.answers.colour" if truth else "memory.answers.colour_none",
                       lang), x_title=t("memory.axis.t", lang)))
    states = charts.figure("memory_force_states", run_key, view, lambda: figs.state_strips_spec(
        {labels[0]: tr0.step_values(0, 0)[which][0].numpy(),
         labels[1]: tr1.step_values(0, 0)[which][0].numpy()}, tokens,
        title=t("memory.force.states_title", lang, state=which, **words),
        x_title=t("memory.axis.t", lang), y_title=t("memory.axis.unit", lang),
        kind=value_kinds(tr0.config)[which], name=which))
    return answers, states
