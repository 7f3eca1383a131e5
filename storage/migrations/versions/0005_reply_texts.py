"""The text a public score reply scored, for its correction buttons (#15).

- ``reply_texts``: one row per ``/sentiment <text>`` answered in a channel with right / wrong
  buttons; the buttons carry its ``token``. Opt-outs (the asker's, the channel's) and retention
  delete it like any stored text.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "reply_texts",
        sa.Column("token", sa.String(32), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("author_id", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.PrimaryKeyConstraint("token", name="pk_reply_texts"),
    )
    op.create_index("ix_reply_texts_author", "reply_texts", ["platform", "author_id"])
    op.create_index("ix_reply_texts_created_at", "reply_texts", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_reply_texts_created_at", "reply_texts")
    op.drop_index("ix_reply_texts_author", "reply_texts")
    op.drop_table("reply_texts")
