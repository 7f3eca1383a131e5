"""Deletes that win, edits in platform order, feedback authors, report leases.

- ``message_tombstones``: one row per deleted message; a later write of it is a no-op.
- ``scored_messages.edited_at``: the platform time of the edit stored (``NULL``: the original).
- ``feedback.author_id``: who wrote the text; backfilled from the stored message it refers to,
  or from the giver for free-text feedback (which the giver typed).
- ``reports_posted``: a claim is a lease (``lease_until``, ``NULL`` = never expires, as every
  claim made before this revision) with an ``outcome`` (``posted`` / ``failed``) and ``attempts``.
- ``change_counters``: cheap version numbers the bot polls (``schedules``), and
  ``known_channels``, the channels that ever had a stored message (a new one bumps it).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "message_tombstones",
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("message_id", sa.String(128), nullable=False),
        sa.Column("deleted_at", Time, nullable=False),
        sa.PrimaryKeyConstraint("platform", "channel", "message_id", name="pk_message_tombstones"),
    )
    op.create_index("ix_message_tombstones_deleted_at", "message_tombstones", ["deleted_at"])
    op.add_column("scored_messages", sa.Column("edited_at", Time, nullable=True))
    op.add_column("feedback", sa.Column("author_id", sa.String(64), nullable=True))
    op.execute(
        "UPDATE feedback SET author_id = (SELECT m.author_id FROM scored_messages m "
        "WHERE m.platform = feedback.platform AND m.channel = feedback.channel "
        "AND m.message_id = feedback.message_id) WHERE message_id <> ''"
    )
    op.execute("UPDATE feedback SET author_id = user_id WHERE message_id = ''")
    op.create_index("ix_feedback_author", "feedback", ["platform", "author_id"])
    op.add_column("reports_posted", sa.Column("lease_until", Time, nullable=True))
    op.add_column("reports_posted", sa.Column("outcome", sa.String(16), nullable=True))
    attempts = sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("1"))
    op.add_column("reports_posted", attempts)
    op.create_table(
        "change_counters",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_change_counters"),
    )
    op.execute("INSERT INTO change_counters (name, version) VALUES ('schedules', 1)")
    op.create_table(
        "known_channels",
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("platform", "channel", name="pk_known_channels"),
    )
    op.execute(
        "INSERT INTO known_channels (platform, channel) "
        "SELECT DISTINCT platform, channel FROM scored_messages"
    )


def _drop_column(table: str, column: str) -> None:
    # Plain ALTER (SQLite >= 3.35 has it): a batch copy of scored_messages would drop its triggers.
    op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")


def downgrade() -> None:
    op.drop_table("known_channels")
    op.drop_table("change_counters")
    for column in ("attempts", "outcome", "lease_until"):
        _drop_column("reports_posted", column)
    op.drop_index("ix_feedback_author", "feedback")
    _drop_column("feedback", "author_id")
    _drop_column("scored_messages", "edited_at")
    op.drop_index("ix_message_tombstones_deleted_at", "message_tombstones")
    op.drop_table("message_tombstones")
