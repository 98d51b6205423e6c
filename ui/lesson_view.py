"""The Lessons page's pieces: the question with its context, the answer form, the feedback
that names a mistake, and the reveal (the module's answer, its evidence, the explanation).

Everything a student typed is shown escaped (``md_escape``) or as code, never as markup.
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from lstm_viz.explain.tables import summary
from lstm_viz.figures import gate_heatmap_spec, value_kinds
from lstm_viz.figures.style import column_box, row_box
from lstm_viz.i18n import t
from lstm_viz.lessons import race, reading
from lstm_viz.lessons.checker import shape_text
from lstm_viz.lessons.contract import PARAMETER
from lstm_viz.lessons.questions import Question, facts_of, formula
from lstm_viz.state.pipeline import Run, settings_key
from lstm_viz.state.query import to_query
from ui import charts, lessons, state
from ui.text import md_escape

CHART = {"width": "stretch", "config": {"displaylogo": False}}


def answer_text(q: Question, answer, lang: str) -> str:
    """An answer as the student reads it: (5, 3, 20), "yes", "unit 2", "t = 2 · not"."""
    if q.kind == "shape":
        return shape_text(answer)
    if q.kind == "choice":
        return t("learn.row", lang, r=answer) if q.target == "hn_row" else t(
            f"lesson.option.{answer}", lang)
    if q.kind == "unit":
        return t("learn.unit", lang, j=answer)
    if q.kind == "step":
        tokens = q.values.get("sentence", "").split()
        token = tokens[answer] if 0 <= answer < len(tokens) else "?"
        return t("learn.step_label", lang, t=answer, token=token)
    return str(answer)


USER_TEXT = ("sentence", "token", "answer")  # from the sidebar's sentences: shown escaped


def _values(q: Question, lang: str) -> dict:
    """The step's placeholders with the answer spelled out; the sentences' text escaped for
    Markdown (the others are the app's own: names and calls shown inside `code`)."""
    values = {**q.values, "answer": answer_text(q, q.expected, lang)}
    return {k: md_escape(v) if k in USER_TEXT else v for k, v in values.items()}


def text(q: Question, part: str, lang: str) -> str:
    """A step's own text (lesson.<id>.<name>.<part>), or the drill's."""
    step = q.step
    if step.lesson == "drill" and part == "say":
        v = q.values
        packed = t("lesson.drill.packed", lang, lengths=v["lengths"]) if v["is_packed"] else ""
        if packed and v["T"]:
            packed += t("lesson.drill.total", lang, T=v["T"])
        return t("lesson.drill.say", lang, **{**_values(q, lang), "packed": packed})
    if step.lesson == "drill":
        return hint(q, lang)
    return t(f"lesson.{step.lesson}.{step.name}.{part}", lang, **_values(q, lang))


def hint(q: Question, lang: str) -> str:
    match = PARAMETER.fullmatch(q.target)
    key = match.group(1) if match else q.target
    return t(f"lesson.hint.{key}", lang, **_values(q, lang))


def prompt(q: Question, lang: str) -> str:
    key = "shape" if q.kind == "shape" else q.target
    return t(f"lesson.ask.{key}", lang, **_values(q, lang))


def heatmap(q: Question, result: Run, lang: str, reveal: bool):
    """The trained model's heatmap the question is read from; the answer outlined on reveal."""
    values, labels = reading.view_values(result, q.view)  # (rows, units)
    name = q.view["name"]
    kind = value_kinds(result.trace.config)["h" if name == "h_n" else name]
    v = q.values
    title = (t("learn.heatmap_hn", lang) if name == "h_n" else
             t("learn.heatmap", lang, kind=name, n=v.get("n"), sentence=v.get("sentence", "")))
    rows, units = values.shape
    answer = q.expected if reveal and q.kind in ("unit", "step") else None

    def build() -> dict:
        spec = gate_heatmap_spec(
            values, labels, name=name, kind=kind, title=title,
            x_title=t("learn.axis_units", lang),
            y_title=t("learn.axis_sentences" if name == "h_n" else "learn.axis_steps", lang))
        if answer is not None and q.kind == "unit":
            spec["layout"]["shapes"] = column_box(answer, -0.5, rows - 0.5, name="answer")
        if answer is not None and q.kind == "step":
            spec["layout"]["shapes"] = row_box(answer, -0.5, units - 0.5, name="answer")
        return spec

    view = (lang, title, repr(sorted(q.view.items())), q.kind, answer)
    fig = charts.figure("learn_heatmap", settings_key(result.settings), view, build)
    charts.show(fig, key=f"learn_heatmap_{reveal}", **CHART)


def context(q: Question, result: Run, lang: str) -> None:
    """What the step says, the configuration it set, and the question."""
    s = result.settings
    st.markdown(text(q, "say", lang))
    if q.target in race.TARGETS:  # a training answers it, not the sidebar's module
        st.caption(t("lesson.race.caption", lang, **_values(q, lang)))
    else:
        st.caption(summary(s.config, s.spec, result.batch.N, result.batch.L, lang))
    st.markdown(f"**{prompt(q, lang)}**")


def form(at, q: Question, lang: str, after=None) -> None:
    """The answer form: typed (shape, number) or picked (choice, unit, step); Enter submits.
    ``after``: what the check does next (class mode records the answer)."""
    widget = f"learn_answer_{at.key}"
    with st.form(f"learn_form_{at.key}", border=True):
        if q.kind in ("shape", "number"):
            st.text_input(t("learn.answer", lang), key=widget, max_chars=None,
                          placeholder="(5, 3, 20)" if q.kind == "shape" else "3",
                          help=t("learn.answer_help" if q.kind == "shape" else
                                 "learn.number_help", lang))
        else:
            st.radio(t("learn.pick", lang), list(q.options), key=widget, index=None,
                     horizontal=True, format_func=partial(answer_text, q, lang=lang))
        buttons = st.container(horizontal=True)
        buttons.form_submit_button(t("learn.check", lang), type="primary", icon=":material/check:",
                                   on_click=lessons.submit, args=(at, q, widget, after),
                                   key=f"learn_check_{at.key}")
        buttons.form_submit_button(t("learn.show", lang), icon=":material/visibility:",
                                   on_click=lessons.show, args=(at,), key=f"learn_show_{at.key}")


def feedback(q: Question, record: dict, lang: str) -> None:
    """The last verdict: an unreadable answer's message, or the mistake named, or a hint."""
    verdict = record["last"]
    if verdict is None or record["done"] == "right":
        return
    if verdict.status == "invalid":
        values = {k: md_escape(v) for k, v in verdict.values.items()}
        st.warning(t(verdict.message, lang, **values), icon=":material/edit:")
        return
    if verdict.status != "wrong":
        return
    said = t("learn.you_said", lang, answer=md_escape(answer_text(q, verdict.answer, lang)))
    head = t("learn.wrong_again" if record["tries"] > 1 else "learn.wrong", lang)
    if verdict.misconception:
        why = t(f"lesson.mis.{verdict.misconception}", lang, **_values(q, lang))
        st.warning(f"{head} {said}  \n{why}", icon=":material/psychology_alt:")
    else:
        st.warning(f"{head} {said}", icon=":material/close:")
    if not record["done"]:
        st.info(t("learn.hint", lang, hint=hint(q, lang)), icon=":material/lightbulb:")


def reveal(q: Question, result: Run, record: dict, lang: str) -> None:
    """The module's answer, the explanation, torch's evidence and the page that shows it."""
    answer = md_escape(answer_text(q, q.expected, lang))
    with st.container(border=True):
        if record["done"] == "right":
            st.success(t("learn.right", lang, answer=answer), icon=":material/check_circle:")
        else:
            st.info(t("learn.answer_is", lang, answer=answer), icon=":material/visibility:")
        st.markdown(text(q, "why", lang))
        rule = formula(q.step, facts_of(result))
        if rule:
            st.markdown(t("learn.formula", lang, formula=f"`{rule}`"))
        st.caption(t("learn.evidence", lang))
        st.code(q.evidence, language="python")
        page = q.step.page
        st.page_link(f"app_pages/{page}.py", query_params=to_query(state.settings()) | q.link,
                     label=t("learn.open_page", lang, page=t(f"page.{page}", lang)),
                     icon=":material/open_in_new:")
