"""PostgreSQL: take a batch's rollup buckets up front, in one global order, so that bot
instances writing the same channels at once wait for each other instead of deadlocking.

The rollup triggers (migration 0006) update ``hourly_scores`` and ``daily_scores`` rows as each
statement of a batch runs; a batch is up to two statements (originals, then edits), so two
instances could each hold a bucket the other's next statement needs. Before its first
statement a batch therefore upserts every bucket its messages fall in, hours then days, each
sorted: a missing bucket is created empty, an existing one locked (a no-op update). Every
transaction takes its buckets in the same order, so none waits in a cycle, and the triggers
then only touch rows the transaction already holds. Buckets left empty (every message of the
batch filtered out: deleted, opted out, an edit of nothing) are deleted before the commit.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Connection, TextClause, text

from storage.types import ScoredMessage

COUNTERS = "messages, scored, score_sum, negative, neutral, positive"
_ROWS = (
    "json_to_recordset(CAST(:rows AS json)) AS b(platform varchar, channel varchar, at timestamptz)"
)


def _statements(table: str, column: str) -> tuple[TextClause, TextClause]:
    take = text(
        f"INSERT INTO {table} (platform, channel, {column}, {COUNTERS}) "
        f"SELECT b.platform, b.channel, b.at, 0, 0, 0.0, 0, 0, 0 FROM {_ROWS} ORDER BY 1, 2, 3 "
        f"ON CONFLICT (platform, channel, {column}) DO UPDATE SET messages = {table}.messages"
    )
    prune = text(
        f"DELETE FROM {table} t USING {_ROWS} WHERE t.platform = b.platform "
        f"AND t.channel = b.channel AND t.{column} = b.at AND t.messages = 0"
    )
    return take, prune


HOURS = _statements("hourly_scores", "hour")
DAYS = _statements("daily_scores", "day")


def _buckets(messages: Sequence[ScoredMessage]) -> tuple[str, str]:
    """The batch's distinct hours and days as JSON rows (sorted by the statements)."""
    hours: set[tuple[str, str, datetime]] = set()
    for m in messages:
        moment = m.created_at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        hours.add((m.platform, m.channel, moment))
    days = {(p, c, h.replace(hour=0)) for p, c, h in hours}

    def rows(buckets: set[tuple[str, str, datetime]]) -> str:
        return json.dumps([{"platform": p, "channel": c, "at": at.isoformat()}
                           for p, c, at in buckets], ensure_ascii=False)  # fmt: skip

    return rows(hours), rows(days)


def take_buckets(conn: Connection, messages: Sequence[ScoredMessage]) -> tuple[str, str]:
    """Create or lock every rollup bucket of ``messages`` (hours, then days, sorted).

    Returns
    -------
    tuple of str
        The buckets, for ``release_empty`` once the batch is written.
    """
    hours, days = _buckets(messages)
    conn.execute(HOURS[0], {"rows": hours})
    conn.execute(DAYS[0], {"rows": days})
    return hours, days


def release_empty(conn: Connection, buckets: tuple[str, str]) -> None:
    """Delete the buckets ``take_buckets`` made that no message landed in."""
    conn.execute(HOURS[1], {"rows": buckets[0]})
    conn.execute(DAYS[1], {"rows": buckets[1]})
