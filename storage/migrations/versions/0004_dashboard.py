"""The web dashboard (#17): its signing secret, who may see which channel, logged-out sessions.

- ``dashboard_secrets``: the link-signing key, generated once (unless
  ``SENTIBOT_DASHBOARD_SECRET`` is set) so that every instance sharing the database agrees.
- ``dashboard_grants``: the channels a person may see, as ``bot.core.access`` decided when they
  last asked for a link (with the channel's display name).
- ``dashboard_revoked``: sessions ended by logging out, until they would have expired anyway.
- ``ix_hourly_scores_hour``: the overview reads every channel's rollup rows of one period.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "dashboard_secrets",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_dashboard_secrets"),
    )
    op.create_table(
        "dashboard_grants",
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("granted_at", Time, nullable=False),
        sa.PrimaryKeyConstraint(
            "platform", "workspace", "user_id", "channel", name="pk_dashboard_grants"
        ),
    )
    op.create_table(
        "dashboard_revoked",
        sa.Column("session_id", sa.String(64), nullable=False),
        sa.Column("expires_at", Time, nullable=False),
        sa.PrimaryKeyConstraint("session_id", name="pk_dashboard_revoked"),
    )
    op.create_index("ix_dashboard_revoked_expires_at", "dashboard_revoked", ["expires_at"])
    op.create_index("ix_hourly_scores_hour", "hourly_scores", ["hour"])


def downgrade() -> None:
    op.drop_index("ix_hourly_scores_hour", table_name="hourly_scores")
    op.drop_index("ix_dashboard_revoked_expires_at", table_name="dashboard_revoked")
    op.drop_table("dashboard_revoked")
    op.drop_table("dashboard_grants")
    op.drop_table("dashboard_secrets")
