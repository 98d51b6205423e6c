"""Schema 1: classes, the students who joined them, and every answer they checked.

Revision ID: 0001
Revises:
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "classes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(12), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("lessons", sa.String(400), nullable=False),
        sa.Column("seed", sa.Integer, nullable=False),
        sa.Column("drill_steps", sa.Integer, nullable=False),
        sa.Column("created", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_classes"),
        sa.UniqueConstraint("code", name="uq_classes_code"),
    )
    op.create_index("ix_classes_created", "classes", ["created"])
    op.create_table(
        "students",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("class_id", sa.Integer, nullable=False),
        sa.Column("token", sa.String(40), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("nickname", sa.String(80), nullable=False),
        sa.Column("joined", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_students"),
        sa.ForeignKeyConstraint(["class_id"], ["classes.id"], ondelete="CASCADE",
                                name="fk_students_class_id_classes"),
        sa.UniqueConstraint("token", name="uq_students_token"),
        sa.UniqueConstraint("class_id", "number", name="uq_students_class_id_number"),
    )
    op.create_table(
        "answers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("answer_id", sa.String(32), nullable=False),
        sa.Column("class_id", sa.Integer, nullable=False),
        sa.Column("student_id", sa.Integer, nullable=False),
        sa.Column("lesson", sa.String(40), nullable=False),
        sa.Column("step", sa.Integer, nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("typed", sa.String(200), nullable=False),
        sa.Column("read", sa.String(200), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("misconception", sa.String(40), nullable=True),
        sa.Column("at", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_answers"),
        sa.ForeignKeyConstraint(["class_id"], ["classes.id"], ondelete="CASCADE",
                                name="fk_answers_class_id_classes"),
        sa.ForeignKeyConstraint(["student_id"], ["students.id"], ondelete="CASCADE",
                                name="fk_answers_student_id_students"),
        sa.UniqueConstraint("answer_id", name="uq_answers_answer_id"),
    )
    op.create_index("ix_answers_class_id_student_id", "answers", ["class_id", "student_id"])


def downgrade() -> None:
    op.drop_table("answers")
    op.drop_table("students")
    op.drop_index("ix_classes_created", "classes")
    op.drop_table("classes")
