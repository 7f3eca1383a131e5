"""Initial schema: scored messages, channels, opted-out users, reports posted, model versions,
feedback.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Time = sa.DateTime(timezone=True)


def _id() -> sa.Column:
    return sa.Column("id", BigId, autoincrement=True, nullable=False)


def upgrade() -> None:
    op.create_table(
        "scored_messages",
        _id(),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("message_id", sa.String(128), nullable=False),
        sa.Column("author_id", sa.String(64), nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("label", sa.String(16), nullable=False),
        sa.Column("model_version", sa.String(128), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("reason", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_scored_messages"),
        sa.UniqueConstraint("platform", "channel", "message_id", name="uq_scored_messages_key"),
    )
    op.create_index(
        "ix_scored_messages_channel_time", "scored_messages", ["platform", "channel", "created_at"]
    )
    op.create_index("ix_scored_messages_author", "scored_messages", ["platform", "author_id"])
    op.create_index("ix_scored_messages_created_at", "scored_messages", ["created_at"])
    op.create_index(
        "ix_scored_messages_text_score",
        "scored_messages",
        ["platform", "channel", "score"],
        sqlite_where=sa.text("text IS NOT NULL"),
        postgresql_where=sa.text("text IS NOT NULL"),
    )

    op.create_table(
        "channels",
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("opted_out", sa.Boolean(), nullable=False),
        sa.Column("report_cron", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("platform", "channel", name="pk_channels"),
    )
    op.create_table(
        "opted_out_users",
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("opted_out_at", Time, nullable=False),
        sa.PrimaryKeyConstraint("platform", "user_id", name="pk_opted_out_users"),
    )
    op.create_table(
        "reports_posted",
        _id(),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("period_start", Time, nullable=False),
        sa.Column("period_end", Time, nullable=False),
        sa.Column("instance", sa.String(128), nullable=False),
        sa.Column("posted_at", Time, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reports_posted"),
        sa.UniqueConstraint(
            "platform", "channel", "period_start", "period_end", name="uq_reports_posted_period"
        ),
    )
    op.create_table(
        "model_versions",
        _id(),
        sa.Column("version", sa.String(128), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_model_versions"),
        sa.UniqueConstraint("version", name="uq_model_versions_version"),
    )
    op.create_table(
        "feedback",
        _id(),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("message_id", sa.String(128), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("label", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_feedback"),
    )
    op.create_index("ix_feedback_created_at", "feedback", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_feedback_created_at", table_name="feedback")
    op.drop_table("feedback")
    op.drop_table("model_versions")
    op.drop_table("reports_posted")
    op.drop_table("opted_out_users")
    op.drop_table("channels")
    op.drop_index("ix_scored_messages_text_score", table_name="scored_messages")
    op.drop_index("ix_scored_messages_created_at", table_name="scored_messages")
    op.drop_index("ix_scored_messages_author", table_name="scored_messages")
    op.drop_index("ix_scored_messages_channel_time", table_name="scored_messages")
    op.drop_table("scored_messages")
