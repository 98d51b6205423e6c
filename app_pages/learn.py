"""Lessons: the student predicts, the real module answers. One step at a time: the step sets
the configuration, asks one question, checks the answer against the run and explains it."""

import streamlit as st

from lstm_viz.i18n import t
from lstm_viz.lessons import steps
from ui import class_learn, lessons, run, state
from ui import lesson_view as view

lang = state.lang()
st.title(t("page.learn", lang))
st.caption(t("learn.intro", lang))
run.show_notices()
joined = class_learn.enter(lang)  # /learn?class=…: join, pace, record (None: on one's own)
at = lessons.where()
if joined is not None:
    at = class_learn.restrict(at, joined, lang)
locked = state.settings().lock


def pick_lesson() -> None:
    lessons.go(st.session_state["learn_lesson"], 0)


def pick_seed() -> None:
    lessons.drill_seed(st.session_state["learn_seed"])


top = st.columns([3, 1, 2])
st.session_state["learn_lesson"] = at.lesson
top[0].selectbox(t("learn.lesson", lang), joined.cls.lessons if joined else steps.lesson_ids(),
                 key="learn_lesson",
                 format_func=lambda lid: t(f"lesson.{lid}.title", lang), on_change=pick_lesson,
                 disabled=locked)
if at.lesson == steps.DRILL:
    st.session_state["learn_seed"] = at.seed
    top[1].number_input(t("learn.seed", lang), 0, state.caps().max_seed - 1, key="learn_seed",
                        on_change=pick_seed, disabled=locked or joined is not None,
                        help=t("learn.seed_help", lang))
right, attempted = class_learn.progress(joined) if joined else lessons.progress()
top[2].metric(t("learn.progress_label", lang), f"{right} / {attempted}",
              help=t("learn.progress", lang, correct=right, attempted=attempted))
st.caption(t(f"lesson.{at.lesson}.intro", lang))

step = lessons.enter(at)
total = joined.count(at.lesson) if joined else steps.count(at.lesson)
st.header(t("learn.drill_step", lang, k=at.index + 1, seed=at.seed) if at.lesson == steps.DRILL
             else t("learn.step_of", lang, k=at.index + 1, count=total))
result = run.current_run()
q = lessons.question(step, result) if result is not None else None
if joined is not None and lessons.changed(step):  # the class answers the step's own question
    st.info(t("class.restore_to_answer", lang), icon=":material/tune:")
    st.button(t("learn.restore", lang), on_click=lessons.restore, args=(at,),
              icon=":material/restart_alt:")
    q = None
elif lessons.changed(step):
    st.info(t("learn.changed" if q else "learn.cannot_ask", lang), icon=":material/tune:")
    st.button(t("learn.restore", lang), on_click=lessons.restore, args=(at,),
              icon=":material/restart_alt:")
elif q is None and result is not None:
    st.error(t("learn.error", lang))

if q is not None:
    if joined is not None:
        class_learn.restore(at, q, joined, lang)  # from the store; a second vote starts over
    record = lessons.log_of(at)
    view.context(q, result, lang)
    if q.view is not None:
        view.heatmap(q, result, lang, reveal=bool(record["done"]))
    if not record["done"]:
        view.form(at, q, lang, after=class_learn.recorder(joined))
    view.feedback(q, record, lang)
    if record["done"]:
        view.reveal(q, result, record, lang)

nav = st.container(horizontal=True)
if at.index > 0:
    nav.button(t("learn.prev", lang), on_click=lessons.go, args=(at.lesson, at.index - 1),
               icon=":material/arrow_back:", key="learn_prev")
held = joined is not None and not class_learn.next_open(joined, at)
if at.index + 1 < total:
    nav.button(t("learn.next", lang), on_click=lessons.go, args=(at.lesson, at.index + 1),
               icon=":material/arrow_forward:", key="learn_next", disabled=held,
               type="primary" if q is None or lessons.log_of(at)["done"] else "secondary")
elif q is None or lessons.log_of(at)["done"]:
    st.success(t("learn.done", lang), icon=":material/school:")
if held and at.index + 1 < total:
    st.caption(t("class.wait_next", lang))
