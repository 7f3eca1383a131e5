"""Hourly per-channel rollup of scored messages, kept exact by triggers, for fast reports.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTERS = ("messages", "scored", "score_sum", "negative", "neutral", "positive")


def _values(row: str, hour: str) -> str:
    """The rollup contribution of one message row (``NEW`` or ``OLD``), as SQL values."""
    scored = f"({row}.score IS NOT NULL)"
    return (
        f"{row}.platform, {row}.channel, {hour}, 1, CAST({scored} AS INTEGER), "
        f"coalesce({row}.score, 0.0), "
        + ", ".join(
            f"CAST({scored} AND {row}.label = '{label}' AS INTEGER)"
            for label in ("negative", "neutral", "positive")
        )
    )


def _add(row: str, hour: str) -> str:
    updates = ", ".join(f"{c} = hourly_scores.{c} + excluded.{c}" for c in COUNTERS)
    return (
        f"INSERT INTO hourly_scores (platform, channel, hour, {', '.join(COUNTERS)}) "
        f"VALUES ({_values(row, hour)}) "
        f"ON CONFLICT (platform, channel, hour) DO UPDATE SET {updates};"
    )


def _remove(row: str, hour: str) -> str:
    scored = f"({row}.score IS NOT NULL)"
    labels = ", ".join(
        f"{label} = {label} - CAST({scored} AND {row}.label = '{label}' AS INTEGER)"
        for label in ("negative", "neutral", "positive")
    )
    return (
        f"UPDATE hourly_scores SET messages = messages - 1, "
        f"scored = scored - CAST({scored} AS INTEGER), "
        f"score_sum = score_sum - coalesce({row}.score, 0.0), {labels} "
        f"WHERE platform = {row}.platform AND channel = {row}.channel AND hour = {hour};"
    )


def _sqlite_hour(row: str) -> str:
    # Same text format SQLAlchemy stores datetimes in on SQLite.
    return f"substr({row}.created_at, 1, 13) || ':00:00.000000'"


def _postgres_hour(row: str) -> str:
    return f"(date_trunc('hour', {row}.created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')"


def _aggregate(source: str, hour: str) -> str:
    """Rollup rows of the messages in ``source`` (a table or transition table aliased ``m``)."""
    scored = "(m.score IS NOT NULL)"
    labels = ", ".join(
        f"sum(CAST({scored} AND m.label = '{label}' AS INTEGER)) AS {label}"
        for label in ("negative", "neutral", "positive")
    )
    return (
        f"SELECT m.platform, m.channel, {hour} AS hour, count(*) AS messages, "
        f"count(m.score) AS scored, coalesce(sum(m.score), 0.0) AS score_sum, {labels} "
        f"FROM {source} m GROUP BY m.platform, m.channel, {hour}"
    )


def _postgres_function() -> str:
    """One statement-level trigger function: a batch costs one grouped upsert, not one per row."""
    hour = _postgres_hour("m")
    subtract = ", ".join(f"{c} = h.{c} - d.{c}" for c in COUNTERS)
    add = ", ".join(f"{c} = hourly_scores.{c} + excluded.{c}" for c in COUNTERS)
    return (
        "CREATE FUNCTION scored_messages_rollup() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP IN ('DELETE', 'UPDATE') THEN "
        f"UPDATE hourly_scores h SET {subtract} FROM ({_aggregate('old_rows', hour)}) d "
        "WHERE h.platform = d.platform AND h.channel = d.channel AND h.hour = d.hour; "
        "END IF; "
        "IF TG_OP IN ('INSERT', 'UPDATE') THEN "
        f"INSERT INTO hourly_scores (platform, channel, hour, {', '.join(COUNTERS)}) "
        f"{_aggregate('new_rows', hour)} "
        f"ON CONFLICT (platform, channel, hour) DO UPDATE SET {add}; "
        "END IF; "
        "RETURN NULL; END $$"
    )


POSTGRES_TRIGGERS = {
    "insert": "NEW TABLE AS new_rows",
    "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "delete": "OLD TABLE AS old_rows",
}


def _create_triggers() -> None:
    if op.get_bind().dialect.name == "sqlite":  # SQLite has row-level triggers only
        new, old = _sqlite_hour("NEW"), _sqlite_hour("OLD")
        op.execute(
            "CREATE TRIGGER scored_messages_rollup_insert AFTER INSERT ON scored_messages "
            f"BEGIN {_add('NEW', new)} END"
        )
        op.execute(
            "CREATE TRIGGER scored_messages_rollup_delete AFTER DELETE ON scored_messages "
            f"BEGIN {_remove('OLD', old)} END"
        )
        op.execute(
            "CREATE TRIGGER scored_messages_rollup_update AFTER UPDATE OF "
            "platform, channel, created_at, score, label ON scored_messages "
            f"BEGIN {_remove('OLD', old)} {_add('NEW', new)} END"
        )
        return
    op.execute(_postgres_function())
    for event, tables in POSTGRES_TRIGGERS.items():
        op.execute(
            f"CREATE TRIGGER scored_messages_rollup_{event} AFTER {event.upper()} "
            f"ON scored_messages REFERENCING {tables} "
            "FOR EACH STATEMENT EXECUTE FUNCTION scored_messages_rollup()"
        )


def upgrade() -> None:
    op.create_table(
        "hourly_scores",
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("messages", sa.BigInteger(), nullable=False),
        sa.Column("scored", sa.BigInteger(), nullable=False),
        sa.Column("score_sum", sa.Float(), nullable=False),
        sa.Column("negative", sa.BigInteger(), nullable=False),
        sa.Column("neutral", sa.BigInteger(), nullable=False),
        sa.Column("positive", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("platform", "channel", "hour", name="pk_hourly_scores"),
    )
    # Backfill from the rows already stored, then keep it current with triggers.
    hour = _sqlite_hour("m") if op.get_bind().dialect.name == "sqlite" else _postgres_hour("m")
    op.execute(
        f"INSERT INTO hourly_scores (platform, channel, hour, {', '.join(COUNTERS)}) "
        + _aggregate("scored_messages", hour)
    )
    _create_triggers()


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for name in ("insert", "delete", "update"):
        on = "" if sqlite else " ON scored_messages"
        op.execute(f"DROP TRIGGER scored_messages_rollup_{name}{on}")
    if not sqlite:
        op.execute("DROP FUNCTION scored_messages_rollup()")
    op.drop_table("hourly_scores")
