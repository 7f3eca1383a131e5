"""Daily per-channel rollup beside the hourly one, both kept exact by triggers; emptied
buckets leave.

- ``daily_scores``: the same counters as ``hourly_scores`` per UTC day, so the dashboard's
  7- and 30-day overview reads one row per channel and day (whole days) plus the hourly rows
  of the partial days at the edges, instead of every hour.
- The triggers on ``scored_messages`` now keep both rollups, and a bucket whose last message
  left (delete, opt-out, retention, an edit moving it) is deleted rather than left at zero.
  SQLite: row-level triggers with ``INSERT .. ON CONFLICT DO UPDATE``; PostgreSQL: the same
  statement-level function (one grouped upsert per rollup and statement), replaced.
- Backfill: ``daily_scores`` from the stored messages; empty ``hourly_scores`` rows removed.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTERS = ("messages", "scored", "score_sum", "negative", "neutral", "positive")
LABELS = ("negative", "neutral", "positive")
# rollup table -> its bucket column and the text (SQLite) / timestamp (PostgreSQL) precision
ROLLUPS = {"hourly_scores": ("hour", 13, "hour"), "daily_scores": ("day", 10, "day")}
TRIGGERS = ("insert", "delete", "update")


def _bucket(sqlite: bool, table: str, row: str) -> str:
    """The bucket (an hour or a day, UTC) of ``row``'s ``created_at``, in the stored format."""
    _, chars, unit = ROLLUPS[table]
    if sqlite:  # the text format SQLAlchemy stores datetimes in on SQLite
        rest = " 00:00:00.000000"[chars - 10 :]
        return f"(substr({row}.created_at, 1, {chars}) || '{rest}')"
    return f"(date_trunc('{unit}', {row}.created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')"


def _contribution(row: str) -> list[str]:
    """One message row's counters, as SQL values."""
    scored = f"({row}.score IS NOT NULL)"
    labels = [f"CAST({scored} AND {row}.label = '{label}' AS INTEGER)" for label in LABELS]
    return ["1", f"CAST({scored} AS INTEGER)", f"coalesce({row}.score, 0.0)", *labels]


def _add(table: str, row: str) -> str:
    """SQLite: add ``row`` to its bucket of ``table`` (an atomic upsert)."""
    column = ROLLUPS[table][0]
    values = ", ".join([f"{row}.platform", f"{row}.channel", _bucket(True, table, row)]
                       + _contribution(row))  # fmt: skip
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in COUNTERS)
    return (
        f"INSERT INTO {table} (platform, channel, {column}, {', '.join(COUNTERS)}) "
        f"VALUES ({values}) ON CONFLICT (platform, channel, {column}) DO UPDATE SET {updates};"
    )


def _remove(table: str, row: str, prune: bool) -> str:
    """SQLite: take ``row`` out of its bucket of ``table`` (and drop the bucket if emptied)."""
    column = ROLLUPS[table][0]
    match = (
        f"platform = {row}.platform AND channel = {row}.channel "
        f"AND {column} = {_bucket(True, table, row)}"
    )
    sets = ", ".join(f"{c} = {c} - {v}" for c, v in zip(COUNTERS, _contribution(row), strict=True))
    statement = f"UPDATE {table} SET {sets} WHERE {match};"
    return statement + (f" DELETE FROM {table} WHERE {match} AND messages = 0;" if prune else "")


def _aggregate(sqlite: bool, table: str, source: str) -> str:
    """Rollup rows of ``table`` for the messages in ``source`` (aliased ``m``), sorted so that
    concurrent writers lock buckets in one order."""
    bucket = _bucket(sqlite, table, "m")
    scored = "(m.score IS NOT NULL)"
    labels = ", ".join(
        f"sum(CAST({scored} AND m.label = '{label}' AS INTEGER)) AS {label}" for label in LABELS
    )
    return (
        f"SELECT m.platform, m.channel, {bucket} AS {ROLLUPS[table][0]}, count(*) AS messages, "
        f"count(m.score) AS scored, coalesce(sum(m.score), 0.0) AS score_sum, {labels} "
        f"FROM {source} m GROUP BY m.platform, m.channel, {bucket} ORDER BY 1, 2, 3"
    )


def sqlite_triggers(tables: Sequence[str], prune: bool) -> dict[str, str]:
    """The three SQLite triggers keeping ``tables`` current (``prune``: drop emptied buckets)."""
    add = " ".join(_add(t, "NEW") for t in tables)
    remove = " ".join(_remove(t, "OLD", prune) for t in tables)
    on = "ON scored_messages"
    return {
        "insert": f"AFTER INSERT {on} BEGIN {add} END",
        "delete": f"AFTER DELETE {on} BEGIN {remove} END",
        "update": "AFTER UPDATE OF platform, channel, created_at, score, label "
        f"{on} BEGIN {remove} {add} END",
    }


def postgres_function(tables: Sequence[str], prune: bool) -> str:
    """The statement-level trigger function keeping ``tables`` current."""
    subtract, add = [], []
    for table in tables:
        column = ROLLUPS[table][0]
        match = f"h.platform = d.platform AND h.channel = d.channel AND h.{column} = d.{column}"
        sets = ", ".join(f"{c} = h.{c} - d.{c}" for c in COUNTERS)
        subtract.append(
            f"UPDATE {table} h SET {sets} FROM ({_aggregate(False, table, 'old_rows')}) d "
            f"WHERE {match};"
        )
        if prune:
            subtract.append(
                f"DELETE FROM {table} h USING ({_aggregate(False, table, 'old_rows')}) d "
                f"WHERE {match} AND h.messages = 0;"
            )
        updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in COUNTERS)
        add.append(
            f"INSERT INTO {table} (platform, channel, {column}, {', '.join(COUNTERS)}) "
            f"{_aggregate(False, table, 'new_rows')} "
            f"ON CONFLICT (platform, channel, {column}) DO UPDATE SET {updates};"
        )
    return (
        "CREATE OR REPLACE FUNCTION scored_messages_rollup() RETURNS trigger LANGUAGE plpgsql "
        "AS $$ BEGIN "
        f"IF TG_OP IN ('DELETE', 'UPDATE') THEN {' '.join(subtract)} END IF; "
        f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {' '.join(add)} END IF; "
        "RETURN NULL; END $$"
    )


def _install(tables: Sequence[str], prune: bool) -> None:
    """Point the rollup triggers at ``tables`` (the PostgreSQL triggers call the function)."""
    if op.get_bind().dialect.name != "sqlite":
        op.execute(postgres_function(tables, prune))
        return
    for event, body in sqlite_triggers(tables, prune).items():
        op.execute(f"DROP TRIGGER IF EXISTS scored_messages_rollup_{event}")
        op.execute(f"CREATE TRIGGER scored_messages_rollup_{event} {body}")


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table(
        "daily_scores",
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("day", sa.DateTime(timezone=True), nullable=False),
        sa.Column("messages", sa.BigInteger(), nullable=False),
        sa.Column("scored", sa.BigInteger(), nullable=False),
        sa.Column("score_sum", sa.Float(), nullable=False),
        sa.Column("negative", sa.BigInteger(), nullable=False),
        sa.Column("neutral", sa.BigInteger(), nullable=False),
        sa.Column("positive", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("platform", "channel", "day", name="pk_daily_scores"),
        sqlite_with_rowid=False,  # the trigger's upsert finds the row in one b-tree
    )
    op.create_index("ix_daily_scores_day", "daily_scores", ["day"])
    # In one transaction with the trigger change, so no write falls between backfill and
    # triggers (SQLite: one writer; PostgreSQL: the table lock below).
    if not sqlite:
        op.execute("LOCK TABLE scored_messages IN SHARE ROW EXCLUSIVE MODE")
    op.execute(
        f"INSERT INTO daily_scores (platform, channel, day, {', '.join(COUNTERS)}) "
        + _aggregate(sqlite, "daily_scores", "scored_messages")
    )
    op.execute("DELETE FROM hourly_scores WHERE messages = 0")
    _install(("hourly_scores", "daily_scores"), prune=True)


def downgrade() -> None:
    _install(("hourly_scores",), prune=False)  # revision 0002's triggers
    op.drop_index("ix_daily_scores_day", table_name="daily_scores")
    op.drop_table("daily_scores")
