"""The Teach page's pieces around the dashboard: the form that opens a class, the class's
code, links and QR code, and the teacher's controls (pacing, pause, a second vote, names,
the CSV, delete). Names and class names are user text: shown escaped."""

from __future__ import annotations

import base64

import streamlit as st

from lstm_viz.classroom import names as class_names
from lstm_viz.classroom.store import ClassInfo, Pulse
from lstm_viz.i18n import t
from lstm_viz.lessons import steps as lesson_steps
from ui import classroom, state, teach
from ui.text import md_escape


def messages(lang: str) -> None:
    """What the last action left to say (wrong password, store unreachable …)."""
    key = st.session_state.pop("teach_message", None)
    if key == "teach.deleted":
        st.success(t(key, lang), icon=":material/delete:")
    elif key:
        st.warning(t(key, lang), icon=":material/warning:")


def open_form(lang: str) -> None:
    """Name, lessons (or the drill with one seed), the password if the deployment has one."""
    st.header(t("teach.open_title", lang))
    try:  # the store, upgraded on this process's first visit (the warm-up makes it)
        password = classroom.settings().password
        classroom.engine()
    except classroom.StoreDown:
        st.warning(t("teach.store_down_open", lang), icon=":material/cloud_off:")
        return
    guided = [lid for lid in lesson_steps.lesson_ids() if lid != lesson_steps.DRILL]
    kind = st.radio(t("teach.kind", lang), ("lessons", "drill"), key="teach_kind",
                    horizontal=True, format_func=lambda k: t(f"teach.kind.{k}", lang))
    with st.form("teach_open"):
        st.text_input(t("teach.name", lang), key="teach_name",
                      max_chars=class_names.CLASS_NAME_CHARS,
                      placeholder=t("teach.name_hint", lang))
        if kind == "drill":
            cols = st.columns(2)
            cols[0].number_input(t("learn.seed", lang), 0, state.caps().max_seed - 1, 0,
                                 key="teach_seed", help=t("teach.seed_help", lang))
            low, high, default = teach.DRILL_QUESTIONS
            cols[1].number_input(t("teach.questions", lang), low, high, default,
                                 key="teach_questions")
        else:
            st.multiselect(t("teach.lessons", lang), guided, default=guided[:1],
                           key="teach_lessons",
                           format_func=lambda lid: t(f"lesson.{lid}.title", lang))
        if password is not None:
            st.text_input(t("teach.password", lang), type="password", key="teach_password")
        st.form_submit_button(t("teach.open", lang), type="primary", on_click=teach.open_class,
                              icon=":material/add_circle:")
    st.caption(t("teach.open_note", lang, days=classroom.settings().class_days))  # read above


def header(cls: ClassInfo, key: str, lang: str) -> None:
    """The class's name and code, the student link with its QR code; the teacher link
    (private: not in projector mode)."""
    student_url, teacher_url = teach.links(cls, key)
    st.header(md_escape(cls.name) or t("teach.unnamed", lang))
    left, right = st.columns([3, 2])
    left.metric(t("teach.code", lang), cls.code)
    left.markdown(t("teach.student_link", lang))
    left.code(student_url, language=None)
    png = base64.b64encode(teach.qr_png(student_url)).decode("ascii")  # inline: alt text
    right.markdown(f"![{t('teach.qr_alt', lang, code=cls.code)}](data:image/png;base64,{png})")
    right.caption(t("teach.qr_caption", lang, code=cls.code))
    if teach.names_shown():
        with left.expander(t("teach.teacher_link", lang), icon=":material/key:"):
            st.caption(t("teach.teacher_link_note", lang))
            st.code(teacher_url, language=None)


def controls(cls: ClassInfo, found: Pulse, steps: list[tuple[str, int]], lang: str) -> None:
    """Pacing, pause, a second vote, names, the CSV and delete."""
    if not steps:
        return
    st.header(t("teach.controls", lang))
    ss = st.session_state
    ss.teach_furthest = -1 if found.furthest is None else min(found.furthest, len(steps) - 1)
    ss.teach_paused = found.paused
    left, middle, right = st.columns(3)
    label = lambda k: t("teach.all_open", lang) if k == -1 else teach.step_label(  # noqa: E731
        steps, k, lang)
    left.selectbox(t("teach.furthest", lang), [-1, *range(len(steps))], key="teach_furthest",
                   format_func=label, on_change=teach.set_pacing, args=(cls,),
                   help=t("teach.furthest_help", lang))
    left.toggle(t("teach.pause", lang), key="teach_paused", on_change=teach.set_pacing,
                args=(cls,), help=t("teach.pause_help", lang))
    middle.selectbox(t("teach.vote_step", lang), range(len(steps)), key="teach_vote_step",
                     format_func=lambda k: teach.step_label(steps, k, lang))
    chosen = steps[ss.get("teach_vote_step", 0) or 0]
    middle.button(t("teach.vote", lang, round=found.round_of(*chosen) + 1),
                  on_click=teach.open_vote, args=(cls, steps), icon=":material/how_to_vote:",
                  help=t("teach.vote_help", lang))
    ss.teach_names = teach.names_shown()
    right.toggle(t("teach.names", lang), key="teach_names", on_change=teach.show_names,
                 help=t("teach.names_help", lang))
    right.download_button(t("teach.csv", lang), teach.csv_of(cls),
                          file_name=f"class-{cls.code}.csv", mime="text/csv",
                          icon=":material/download:", on_click="ignore")
    with right.popover(t("teach.delete", lang), icon=":material/delete:"):
        st.checkbox(t("teach.confirm", lang), key="teach_confirm")
        st.button(t("teach.delete_now", lang), on_click=teach.delete, args=(cls,),
                  type="primary", key="teach_delete")
