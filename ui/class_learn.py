"""The Lessons page in class mode: ``/learn?class=CODE`` joins, ``&student=TOKEN`` is the
student from then on (a reload, a new tab, another replica: the same student, answers
restored from the store).

Every check is recorded before its feedback shows (``recorder``: queued in the outbox and
sent at once; if the store cannot take it, the page says so and the answer goes out when it
can). The class's pacing holds a student back (the furthest step open; a pause screen), and
a step the teacher reopens asks again (a second vote). A fragment polls the class every few
seconds and reruns the page when the teacher changed something.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import streamlit as st

from lstm_viz.classroom import codes, records, store
from lstm_viz.classroom.store import ClassInfo, Pulse, Student
from lstm_viz.i18n import t
from lstm_viz.lessons import steps as lesson_steps
from lstm_viz.lessons.checker import check
from ui import classroom, lessons, state
from ui.classroom import StoreDown
from ui.lesson_view import answer_text
from ui.lessons import Where
from ui.text import md_escape

log = logging.getLogger("lstm_viz.app")
POLL_S = 3.0  # how often a student's page asks whether the teacher changed something


@dataclass(frozen=True)
class Joined:
    cls: ClassInfo
    student: Student
    pulse: Pulse
    steps: tuple[tuple[str, int], ...]

    def position(self, lesson: str, index: int) -> int | None:
        return self.steps.index((lesson, index)) if (lesson, index) in self.steps else None

    def count(self, lesson: str) -> int:
        """Steps of ``lesson`` in this class (the drill: as many as the teacher chose)."""
        return sum(le == lesson for le, _ in self.steps)

    def allows(self, position: int | None) -> bool:
        """Whether the teacher's pacing lets students open this position."""
        return position is not None and (self.pulse.furthest is None
                                          or position <= self.pulse.furthest)


def _notice(text: str) -> None:
    """A notice shown with the lesson's own (``lessons.where``) until the student moves on:
    it outlives the rerun that sets a step's configuration."""
    st.session_state.setdefault("learn_notices", []).append(text)


def _read(name: str, parse, notice: str) -> str | None:
    raw = state.page_param(name)
    if raw is None:
        return None
    try:
        return parse(raw)
    except ValueError:
        _notice(t(notice, state.lang(), value=raw[:40]))
        state.set_page_params(**{name: None})
        return None


def _forget(message: str | None = None) -> None:
    """Leave class mode (a class deleted, unknown): the lesson goes on alone."""
    for key in ("class_bound", "class_answers", "class_pulse"):
        st.session_state.pop(key, None)
    state.set_page_params(**{"class": None, "student": None})
    if message:
        _notice(message)


def _join(cls: ClassInfo) -> None:
    """Join ``cls`` with the typed nickname (the form's callback)."""
    try:
        student = classroom.call(store.join, cls, st.session_state.get("class_nickname", ""))
    except (StoreDown, LookupError):
        st.session_state.class_error = "class.unreachable_join"
        return
    st.session_state.class_bound = (cls, student)
    st.session_state.class_answers = []
    st.session_state.learn_notices = []  # shown with the form; joined now
    state.set_page_params(student=student.token)


def _join_form(cls: ClassInfo, lang: str) -> None:
    for text in st.session_state.get("learn_notices", []):
        st.warning(md_escape(text), icon=":material/warning:")
    st.header(t("class.join_title", lang, name=md_escape(cls.name)))
    if st.session_state.pop("class_error", None):
        st.warning(t("class.unreachable_join", lang), icon=":material/cloud_off:")
    with st.form("class_join"):
        st.text_input(t("class.nickname", lang), key="class_nickname",
                      max_chars=24, placeholder=t("class.nickname_hint", lang))
        st.form_submit_button(t("class.join", lang), type="primary", on_click=_join,
                              args=(cls,), icon=":material/login:")
    st.caption(t("class.join_note", lang))


def _bind(code: str, token: str | None, lang: str) -> tuple[ClassInfo, Student] | None:
    """The class and student the URL names (from the session when known)."""
    bound = st.session_state.get("class_bound")
    if bound and bound[0].code == code and bound[1].token == token:
        return bound
    cls = classroom.call(store.find_class, code)
    if cls is None:
        _forget(t("class.no_class", lang, code=code))
        return None
    student = classroom.call(store.find_student, cls.id, token) if token else None
    if token and student is None:
        _notice(t("class.not_a_student", lang))
        state.set_page_params(student=None)
    if student is None:
        _join_form(cls, lang)
        st.stop()
    st.session_state.class_bound = (cls, student)
    st.session_state.class_answers = classroom.call(records.answers_of, cls.id, student.id)
    _send_unbound(cls, student)
    return cls, student


def _send_unbound(cls: ClassInfo, student: Student) -> None:
    """Answers checked while the store was unreachable and the student not yet known."""
    found = classroom.pulse(cls.id)
    for kept in st.session_state.pop("class_unbound", []):
        round_ = found.round_of(kept["lesson"], kept["step"]) if found else 1
        _keep_and_send(records.make(cls.id, student.id, round_=round_, **kept))


def _keep_and_send(answer: records.Answer) -> None:
    """The session keeps ``answer`` (shown as restored, watched until it reached the class)
    and the outbox sends it."""
    st.session_state.setdefault("class_sent", []).append(answer.answer_id)
    st.session_state.setdefault("class_answers", []).append(answer)
    classroom.send(answer)


def enter(lang: str) -> Joined | None:
    """Class mode for this run, or None (no class in the URL, or it is gone). Shows the
    join form or the pause screen instead of the lesson (and stops the run) when due."""
    code = _read("class", codes.read_code, "class.notice.code")
    if code is None:
        return None
    token = _read("student", codes.read_token, "class.notice.student")
    st.session_state.class_code = code
    if st.session_state.get("teach_class") == code:  # the class's teacher, previewing
        st.info(t("class.teacher_preview", lang), icon=":material/co_present:")
        return None
    try:
        bound = _bind(code, token, lang)
        if bound is None:
            return None
        found = classroom.pulse(bound[0].id)
    except StoreDown:
        st.warning(t("class.unreachable", lang), icon=":material/cloud_off:")
        bound, found = st.session_state.get("class_bound"), st.session_state.get("class_pulse")
        if bound is None or found is None:
            _watch()
            return None
    if found is None:
        _forget(t("class.ended", lang))
        return None
    st.session_state.class_pulse = found
    cls, student = bound
    st.caption(t("class.joined", lang, name=md_escape(cls.name), you=md_escape(
        classroom.student_name(student, lang))))
    _watch()
    if found.paused:
        st.info(f"**{t('class.paused', lang)}**  \n{t('class.paused_note', lang)}",
                icon=":material/front_hand:")
        st.stop()
    return Joined(cls, student, found, tuple(classroom.class_steps(cls)))


@st.fragment(run_every=POLL_S)
def _watch() -> None:
    """Rerun the page when the teacher changed the pacing or opened a vote; say which
    answers have not reached the class yet."""
    ss, lang = st.session_state, state.lang()
    bound = ss.get("class_bound")
    try:  # not yet bound (the store was down): is it back?
        now = classroom.pulse(bound[0].id) if bound else classroom.call(
            store.find_class, ss.get("class_code", ""))
    except StoreDown:
        pass
    else:
        if bound is None or now != ss.get("class_pulse"):
            st.rerun()
    waiting = len(classroom.waiting(ss.get("class_sent", []))) + len(ss.get("class_unbound", []))
    if waiting:
        st.warning(t("class.not_reached", lang, n=waiting), icon=":material/sync_problem:")


def restrict(at: Where, joined: Joined, lang: str) -> Where:
    """The step ``at`` within the class: one of its lessons, the class's drill seed, and
    no further than the teacher's pacing (with a note when it moved the student)."""
    lesson, index = at.lesson, at.index
    if joined.position(lesson, index) is None:
        lesson, index = next(((le, 0) for le, _ in joined.steps if le == lesson),
                             joined.steps[0] if joined.steps else (lesson, index))
    seed = at.seed
    if lesson == lesson_steps.DRILL and state.settings().spec.seed != joined.cls.seed:
        state.apply("seed", joined.cls.seed)
        seed = state.settings().spec.seed
    position = joined.position(lesson, index)
    if position is not None and not joined.allows(position):
        lesson, index = joined.steps[joined.pulse.furthest]
        st.info(t("class.held_back", lang, k=joined.pulse.furthest + 1),
                icon=":material/lock_clock:")
    state.set_page_params(lesson=lesson, step=index)
    return Where(lesson, index, seed if lesson == lesson_steps.DRILL else 0)


def restore(at: Where, q, joined: Joined, lang: str) -> None:
    """The step's record from the store (after a reload, elsewhere) or fresh for a new
    round (a second vote): tries, the last verdict, whether it is done."""
    log_ = st.session_state.setdefault("lesson_log", {})
    record = log_.get(at.key)
    now = joined.pulse.round_of(at.lesson, at.index)
    if record is None or record.get("round") != now:
        mine = [a for a in st.session_state.get("class_answers", [])
                if (a.lesson, a.step, a.round) == (at.lesson, at.index, now)]
        tries = sum(a.counts for a in mine)
        log_[at.key] = record = {
            "tries": tries, "round": now, "last": check(q, mine[-1].typed) if mine else None,
            "done": lessons.done_after(tries, any(a.status == "right" for a in mine))}
    if now > 1 and not record["done"]:
        st.info(t("class.second_vote", lang, round=now), icon=":material/forum:")


def recorder(joined: Joined | None):
    """The check callback's second half: record the answer before its feedback shows.
    Without a class for this run: None, unless the URL names a student whose class the
    store could not be asked about (then the answers wait in the session until it can)."""
    ss = st.session_state
    if joined is None and not (ss.get("class_code") and state.page_param("student")):
        return None

    def after(at: Where, q, raw, verdict, record: dict) -> None:
        read = answer_text(q, verdict.answer, "en") if verdict.counts else ""
        kept = {"lesson": at.lesson, "step": at.index, "attempt": record["tries"],
                "typed": raw, "read": read, "status": verdict.status,
                "misconception": verdict.misconception}
        if joined is None:
            ss.setdefault("class_unbound", []).append({**kept, "at": time.time()})
            return
        round_ = record.setdefault("round", joined.pulse.round_of(at.lesson, at.index))
        _keep_and_send(records.make(joined.cls.id, joined.student.id, round_=round_, **kept))
    return after


def progress(joined: Joined) -> tuple[int, int]:
    """(right, attempted) over the class's steps, each in the latest round answered."""
    rounds: dict[tuple[str, int], dict[int, list[bool]]] = {}
    for a in st.session_state.get("class_answers", []):
        if a.counts and (a.lesson, a.step) in joined.steps:
            rounds.setdefault((a.lesson, a.step), {}).setdefault(a.round, []).append(
                a.status == "right")
    right = sum(any(by[max(by)]) for by in rounds.values())
    return right, len(rounds)


def next_open(joined: Joined, at: Where) -> bool:
    """Whether the pacing lets the student go to the next step."""
    position = joined.position(at.lesson, at.index)
    return position is not None and joined.allows(position + 1)
