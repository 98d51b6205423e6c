"""Class mode's Streamlit glue: the store through ``st.connection``, its upgrade and purge
once per process, the outbox, the pacing poll, and the steps of a class.

The engine comes from ``st.connection("classroom", type="sql", url=…)`` (Streamlit's
SQLConnection, cached per process): SQLite under ``LSTM_VIZ_DATA_DIR`` by default,
``LSTM_VIZ_DATABASE_URL`` for PostgreSQL. Before its first use in a process the schema is
upgraded (``lstm_viz.classroom.migrate``) and old classes purged (every hour after that).
Whatever goes wrong with the store — unreachable, restarting, a bad URL — becomes
``StoreDown``: the pages say the store is unreachable, never show a traceback.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from typing import TypeVar

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from lstm_viz.classroom import config, migrate, records, store
from lstm_viz.classroom.connect import engine_options, prepare
from lstm_viz.classroom.outbox import Outbox, keep_sending
from lstm_viz.classroom.store import ClassInfo, Pulse, Student
from lstm_viz.i18n import t
from lstm_viz.lessons import steps as lesson_steps

log = logging.getLogger("lstm_viz.app")
T = TypeVar("T")
RETRY_S = 3.0  # after a failed upgrade, the store is not tried again for this long
PURGE_EVERY_S = 3600.0
PULSE_TTL_S = 1.0  # a class's pacing, read at most once a second per process
SEND_EVERY_S = 2.0
_LOCK = threading.Lock()
_READY: dict[str, float] = {}  # url → when the schema was last found current (and purged)
_FAILED: dict[str, float] = {}
_OUTBOXES: dict[str, Outbox] = {}
_PULSES: dict[tuple[str, int], tuple[float, Pulse | None]] = {}


class StoreDown(Exception):
    """The class store cannot be reached (or is misconfigured) right now."""


def settings() -> config.StoreSettings:
    try:
        return config.read(os.environ)
    except ValueError as err:  # serve.py refuses this at start; `streamlit run` does not
        log.error("class store settings: %s", err)
        raise StoreDown(str(err)) from None


def _connection_engine(url: str) -> Engine:
    conn = st.connection("classroom", type="sql", url=url, **engine_options(url))
    return prepare(conn.engine)


def _ready(engine: Engine, s: config.StoreSettings) -> None:
    """Upgrade the schema and purge old classes, once per process (purge: hourly)."""
    now = time.monotonic()
    if now - _READY.get(s.url, -PURGE_EVERY_S) < PURGE_EVERY_S:
        return
    with _LOCK:
        if now - _FAILED.get(s.url, -RETRY_S) < RETRY_S:
            raise StoreDown("the class store was unreachable a moment ago")
        if now - _READY.get(s.url, -PURGE_EVERY_S) < PURGE_EVERY_S:
            return
        try:
            migrate.upgrade(engine)
            purged = store.purge(engine, s.class_days)
        except (SQLAlchemyError, OSError) as err:
            _FAILED[s.url] = now
            log.warning("class store unreachable: %s", str(err).splitlines()[0][:200])
            raise StoreDown(str(err)) from err
        if purged:
            log.info("purged %d classes older than %d days", purged, s.class_days)
        _READY[s.url] = now


def engine() -> Engine:
    """The store's engine, upgraded; StoreDown when it cannot be reached."""
    s = settings()
    eng = _connection_engine(s.url)
    _ready(eng, s)
    return eng


def call(fn: Callable[..., T], *args, **kwargs) -> T:
    """``fn(engine, *args)`` (a ``store`` / ``records`` function); StoreDown on any failure
    of the store."""
    eng = engine()
    try:
        return fn(eng, *args, **kwargs)
    except (SQLAlchemyError, OSError) as err:
        with _LOCK:
            _FAILED[settings().url] = time.monotonic()
            _READY.pop(settings().url, None)
        log.warning("class store call %s failed: %s", fn.__name__,
                    str(err).splitlines()[0][:200])
        raise StoreDown(str(err)) from err


def outbox() -> Outbox:
    """This process's outbox for the configured store (and its background sender)."""
    s = settings()
    with _LOCK:
        box = _OUTBOXES.get(s.url)
    if box is not None:
        return box
    eng = _connection_engine(s.url)

    def send(batch) -> None:
        _ready(eng, s)
        records.record(eng, batch)

    with _LOCK:
        if s.url not in _OUTBOXES:
            _OUTBOXES[s.url] = Outbox(send)
            keep_sending(_OUTBOXES[s.url], SEND_EVERY_S)
        return _OUTBOXES[s.url]


def send(answer: records.Answer) -> bool:
    """Queue ``answer`` and try to send what is queued; whether it reached the store."""
    try:
        box = outbox()
    except StoreDown:
        return False
    box.put(answer)
    try:
        box.flush(wait_s=5.0)
    except Exception:  # never a traceback: the background sender tries again
        log.exception("sending answers failed")
    return not box.waiting([answer.answer_id])


def waiting(ids) -> set[str]:
    """Which of these answer ids have not reached the store yet."""
    try:
        return outbox().waiting(ids)
    except StoreDown:
        return set(ids)


def pulse(class_id: int) -> Pulse | None:
    """The class's pacing and rounds (None: deleted), read at most once a second."""
    key, now = (settings().url, class_id), time.monotonic()
    cached = _PULSES.get(key)
    if cached and now - cached[0] < PULSE_TTL_S:
        return cached[1]
    found = call(store.pulse, class_id)
    _PULSES[key] = (now, found)
    return found


def forget_pulse(class_id: int) -> None:
    """Drop the cached pacing (after the teacher changed it in this process)."""
    _PULSES.pop((settings().url, class_id), None)


def student_name(student: Student, lang: str) -> str:
    """The nickname, or "Student 7" in the page's language (user text: escape to show)."""
    return student.nickname or t("class.student_n", lang, n=student.number)


def class_steps(cls: ClassInfo) -> list[tuple[str, int]]:
    """The class's steps in the order students meet them: (lesson, step index)."""
    out = []
    for lesson in cls.lessons:
        if lesson == lesson_steps.DRILL:
            n = cls.drill_steps
        else:
            n = lesson_steps.count(lesson) if lesson in lesson_steps.lesson_ids() else 0
        out += [(lesson, k) for k in range(n)]
    return out
