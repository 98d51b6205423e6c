"""Schema 2: pacing (the furthest step open, a pause) and second votes (rounds).

Answers recorded before it were all first votes: they get round 1.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN on both backends (constant defaults: SQLite needs no table copy).
    op.add_column("classes", sa.Column("furthest", sa.Integer, nullable=True))
    op.add_column("classes", sa.Column("paused", sa.Boolean, nullable=False,
                                       server_default="0"))
    op.add_column("answers", sa.Column("round", sa.Integer, nullable=False,
                                       server_default="1"))
    op.create_table(
        "votes",
        sa.Column("class_id", sa.Integer, nullable=False),
        sa.Column("lesson", sa.String(40), nullable=False),
        sa.Column("step", sa.Integer, nullable=False),
        sa.Column("round", sa.Integer, nullable=False),
        sa.Column("opened", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("class_id", "lesson", "step", name="pk_votes"),
        sa.ForeignKeyConstraint(["class_id"], ["classes.id"], ondelete="CASCADE",
                                name="fk_votes_class_id_classes"),
    )


def downgrade() -> None:
    op.drop_table("votes")
    with op.batch_alter_table("answers") as batch:
        batch.drop_column("round")
    with op.batch_alter_table("classes") as batch:
        batch.drop_column("paused")
        batch.drop_column("furthest")
