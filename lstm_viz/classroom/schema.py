"""The store's tables (SQLAlchemy Core) at the newest schema version.

    classes   one per class: its code, the hash of the teacher's key, name, lessons (the
              drill's seed and number of questions), when it was opened; pacing: the
              furthest step students may open (NULL: every step) and whether it is paused
    students  one per student who joined: the token in their URL, their number in the class
              (join order: "Student 7"), nickname
    answers   one per check: which class, student, lesson, step, round, attempt; the answer
              as typed (≤ 200 characters) and as read; right / wrong / invalid; the
              misconception it showed (or NULL); when. ``answer_id`` is made by the page
              before it is sent: a unique constraint keeps a resent answer from counting twice
    votes     a step the teacher reopened for another vote: its current round (2, 3 …)

Times are UNIX seconds (UTC) as floats: the same on SQLite and PostgreSQL. Versions live in
``migrations/versions`` (Alembic); ``SCHEMA_VERSION`` is the newest, and a test checks that
the migrations build exactly these tables.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)

SCHEMA_VERSION = "0002"  # the Alembic head: migrations/versions/0002_pacing_votes.py
NAMING = {"ix": "ix_%(table_name)s_%(column_0_N_name)s",
          "uq": "uq_%(table_name)s_%(column_0_N_name)s",
          "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
          "pk": "pk_%(table_name)s"}
metadata = MetaData(naming_convention=NAMING)

CODE_CHARS, KEY_HASH_CHARS, TOKEN_CHARS, LESSON_CHARS = 12, 64, 40, 40
LESSONS_CHARS = 400  # the class's lesson ids, comma-separated
NAME_CHARS, TYPED_CHARS, MIS_CHARS = 80, 200, 40

classes = Table(
    "classes", metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(CODE_CHARS), nullable=False, unique=True),
    Column("key_hash", String(KEY_HASH_CHARS), nullable=False),
    Column("name", String(NAME_CHARS), nullable=False),
    Column("lessons", String(LESSONS_CHARS), nullable=False),
    Column("seed", Integer, nullable=False),
    Column("drill_steps", Integer, nullable=False),
    Column("created", Float, nullable=False, index=True),
    Column("furthest", Integer, nullable=True),  # 0-based position; NULL: all open
    Column("paused", Boolean, nullable=False, server_default="0"),
)

students = Table(
    "students", metadata,
    Column("id", Integer, primary_key=True),
    Column("class_id", Integer, ForeignKey("classes.id", ondelete="CASCADE"), nullable=False),
    Column("token", String(TOKEN_CHARS), nullable=False, unique=True),
    Column("number", Integer, nullable=False),
    Column("nickname", String(NAME_CHARS), nullable=False),
    Column("joined", Float, nullable=False),
    UniqueConstraint("class_id", "number"),
)

answers = Table(
    "answers", metadata,
    Column("id", Integer, primary_key=True),
    Column("answer_id", String(32), nullable=False, unique=True),
    Column("class_id", Integer, ForeignKey("classes.id", ondelete="CASCADE"), nullable=False),
    Column("student_id", Integer, ForeignKey("students.id", ondelete="CASCADE"),
           nullable=False),
    Column("lesson", String(LESSON_CHARS), nullable=False),
    Column("step", Integer, nullable=False),
    Column("round", Integer, nullable=False, server_default="1"),
    Column("attempt", Integer, nullable=False),
    Column("typed", String(TYPED_CHARS), nullable=False),
    Column("read", String(TYPED_CHARS), nullable=False),
    Column("status", String(8), nullable=False),  # right, wrong, invalid
    Column("misconception", String(MIS_CHARS), nullable=True),
    Column("at", Float, nullable=False),
    Index(None, "class_id", "student_id"),
)

votes = Table(
    "votes", metadata,
    Column("class_id", Integer, ForeignKey("classes.id", ondelete="CASCADE"),
           primary_key=True),
    Column("lesson", String(LESSON_CHARS), primary_key=True),
    Column("step", Integer, primary_key=True),
    Column("round", Integer, nullable=False),
    Column("opened", Float, nullable=False),
)

TABLES = (classes, students, answers, votes)
