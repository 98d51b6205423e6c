"""The Teach page's state and actions: which class the URL names (``class=``, ``key=``,
``names=1``), opening a class, pacing, a second vote, the CSV, deleting the class.

The teacher's key is checked by the store (``store.teacher_class``: hash, constant time); a
wrong key and an unknown code get the same answer. Widgets' callbacks write to the store at
once; a store that cannot be reached leaves a message for the next run, never a traceback.
"""

from __future__ import annotations

import io
import logging

import segno
import streamlit as st

from lstm_viz.classroom import codes, export, records, store
from lstm_viz.classroom.store import ClassInfo
from lstm_viz.i18n import t
from lstm_viz.lessons import steps as lesson_steps
from ui import classroom, state
from ui.classroom import StoreDown
from ui.text import md_escape

log = logging.getLogger("lstm_viz.app")
DRILL_QUESTIONS = (1, store.MAX_DRILL_STEPS, 10)  # low, high, default


def where(lang: str) -> tuple[str, str] | None:
    """(class code, teacher key) from the URL, each checked (a bad one: a notice)."""
    found = []
    for name, parse in (("class", codes.read_code), ("key", codes.read_key)):
        raw = state.page_param(name)
        if raw is None:
            return None
        try:
            found.append(parse(raw))
        except ValueError:
            st.warning(md_escape(t(f"teach.notice.{name}", lang, value=raw[:40])),
                       icon=":material/warning:")
            state.set_page_params(**{"class": None, "key": None})
            return None
    return found[0], found[1]


def names_shown() -> bool:
    return state.page_param("names") == "1"


def show_names() -> None:
    """The names toggle's callback: ``names=1`` in the URL, or projector mode (none)."""
    state.set_page_params(names="1" if st.session_state.get("teach_names") else None)


def message(key: str) -> None:
    """Leave a message (an i18n key) for the next run of the page."""
    st.session_state.teach_message = key


def open_class() -> None:
    """The open form's callback: check the password, open the class, put it in the URL."""
    ss = st.session_state
    try:
        s = classroom.settings()
    except StoreDown:
        return message("teach.unreachable_open")
    if s.password is not None and not codes.same_secret(ss.get("teach_password"), s.password):
        return message("teach.wrong_password")
    if ss.get("teach_kind") == "drill":
        lessons, seed = (lesson_steps.DRILL,), int(ss.get("teach_seed") or 0)
        questions = int(ss.get("teach_questions") or DRILL_QUESTIONS[2])
    else:
        lessons, seed, questions = tuple(ss.get("teach_lessons") or ()), 0, 0
        if not lessons:
            return message("teach.pick_lessons")
    try:
        cls, key = classroom.call(store.open_class, ss.get("teach_name", ""), lessons,
                                  seed=min(seed, state.caps().max_seed - 1),
                                  drill_steps=questions)
    except (StoreDown, ValueError):
        return message("teach.unreachable_open")
    ss.teach_class = cls.code
    state.set_page_params(**{"class": cls.code, "key": key, "names": None})


def set_pacing(cls: ClassInfo) -> None:
    """The pacing widgets' callback: the furthest step open and the pause."""
    ss = st.session_state
    furthest = ss.get("teach_furthest")
    try:
        classroom.call(store.set_pacing, cls.id, None if furthest == -1 else furthest,
                       bool(ss.get("teach_paused")))
        classroom.forget_pulse(cls.id)
    except StoreDown:
        message("teach.unreachable")


def open_vote(cls: ClassInfo, steps: list[tuple[str, int]]) -> None:
    """Reopen the chosen step for another vote."""
    position = st.session_state.get("teach_vote_step", 0)
    lesson, index = steps[position]
    try:
        classroom.call(store.open_vote, cls.id, lesson, index)
        classroom.forget_pulse(cls.id)
    except (StoreDown, ValueError):
        message("teach.unreachable")


def delete(cls: ClassInfo) -> None:
    """Delete the class now (the confirm box must be ticked)."""
    if not st.session_state.get("teach_confirm"):
        return message("teach.confirm_first")
    try:
        classroom.call(store.delete_class, cls.id)
        classroom.forget_pulse(cls.id)
    except StoreDown:
        return message("teach.unreachable")
    st.session_state.pop("teach_class", None)
    state.set_page_params(**{"class": None, "key": None, "names": None})
    message("teach.deleted")


def csv_of(cls: ClassInfo):
    """What the download button calls when pressed: every answer, as CSV bytes."""
    def build() -> bytes:
        students = classroom.call(store.class_students, cls.id)
        answers = classroom.call(records.answers_of, cls.id)
        return export.csv_bytes(export.frame(cls, students, answers))
    return build


def base_url() -> str:
    """The app's address as the teacher's browser sees it (without the page)."""
    url = (st.context.url or "http://localhost:8501").rstrip("/")
    return url.removesuffix("/teach")


def links(cls: ClassInfo, key: str) -> tuple[str, str]:
    """The student link (code only) and the teacher link (code and key)."""
    base = base_url()
    return f"{base}/learn?class={cls.code}", f"{base}/teach?class={cls.code}&key={key}"


def qr_png(url: str) -> bytes:
    """``url`` as a QR code (segno, error correction M), a PNG made here."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=9, border=2)
    return out.getvalue()


def step_label(steps: list[tuple[str, int]], position: int, lang: str) -> str:
    """"Step 3 · Lesson title, question 3" for a position of the class."""
    lesson, index = steps[position]
    return t("teach.step_label", lang, k=position + 1, lesson=t(f"lesson.{lesson}.title", lang),
             j=index + 1)
