"""The overview's counters of every channel for a period and the one before, from the rollups.

A period of a day or less reads ``hourly_scores`` (48 rows a channel). A longer one reads the
whole UTC days from ``daily_scores`` and only the partial days at its edges (at most 48 hours
a channel, whatever the period) from ``hourly_scores``: 30 days of 200 channels are about
12,000 daily and 9,600 hourly rows instead of 288,000 hourly ones. Both rollups are kept exact
by the triggers of migration 0006, so the answer equals one computed from the messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, case, false, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ColumnElement, FunctionElement, Label

from storage.dashboard_types import ChannelSummary
from storage.stats import hour_of
from storage.tables import DailyRow, HourlyRow

H, D = HourlyRow, DailyRow
DAY = timedelta(days=1)
COUNTERS = ("messages", "scored", "score_sum", "negative", "neutral", "positive")


class day_of(FunctionElement[str]):  # noqa: N801 - reads like the SQL function it is
    """The UTC day a rollup bucket falls in: text ``YYYY-MM-DD`` on SQLite, a ``date`` on
    PostgreSQL (cheaper to group by than text; the caller makes it the same text)."""

    inherit_cache = True
    name = "day_of"


@compiles(day_of, "sqlite")
def _day_sqlite(element: day_of, compiler: SQLCompiler, **kw: object) -> str:
    return f"substr({compiler.process(element.clauses, **kw)}, 1, 10)"


@compiles(day_of, "postgresql")
def _day_postgresql(element: day_of, compiler: SQLCompiler, **kw: object) -> str:
    return f"CAST(({compiler.process(element.clauses, **kw)} AT TIME ZONE 'UTC') AS date)"


def floor_day(moment: datetime) -> datetime:
    """Midnight UTC of ``moment``'s day."""
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def ceil_day(moment: datetime) -> datetime:
    """The first UTC midnight at or after ``moment``."""
    floor = floor_day(moment)
    return floor if floor == moment else floor + DAY


def _sums(table: type[HourlyRow]) -> list[Label[Any]]:
    return [func.sum(getattr(table, c)).label(c) for c in COUNTERS]


def _in(column: Any, ranges: Sequence[tuple[datetime, datetime]]) -> ColumnElement[bool]:
    """``column`` in any of the half-open ``ranges`` (empty ones left out)."""
    kept = [(a, b) for a, b in ranges if a < b]
    if not kept:
        return false()
    return or_(*((column >= a) & (column < b) for a, b in kept))


def overview_buckets(conn: Connection, start: datetime, end: datetime) -> list[Sequence[Any]]:
    """Every channel's counters of ``[start, end)`` per sparkline bucket and of the period of
    the same length before it, both whole UTC hours.

    Parameters
    ----------
    conn
        An open connection.
    start, end
        The period, on whole hours.

    Returns
    -------
    list of sequences
        ``(platform, channel, key, *COUNTERS)`` rows: ``key`` is the sparkline bucket (hour
        ``YYYY-MM-DD HH`` up to a day, else the day: text on SQLite, a ``date`` on
        PostgreSQL) for the period, ``None`` for the previous one. A channel and key can
        appear in several rows (a day's whole-day and edge parts): add them up.
    """
    previous = start - (end - start)
    if end - start <= DAY:
        key = case((H.hour >= start, hour_of(H.hour)), else_=None).label("key")
        query = (
            select(H.platform, H.channel, key, *_sums(H))
            .where((H.hour >= previous) & (H.hour < end))
            .group_by(H.platform, H.channel, key)
        )
        return list(conn.execute(query).all())
    # Whole days of each period; the hours outside them are the edges.
    whole = [(ceil_day(previous), floor_day(start)), (ceil_day(start), floor_day(end))]
    edges = [(previous, whole[0][0]), (whole[0][1], whole[1][0]), (whole[1][1], end)]
    day_key = case((D.day >= start, day_of(D.day)), else_=None).label("key")
    # One row per channel and day already: grouping them in SQL costs more than it saves.
    days = select(D.platform, D.channel, day_key, *(getattr(D, c) for c in COUNTERS))
    days = days.where(_in(D.day, whole))
    hour_key = case((H.hour >= start, day_of(H.hour)), else_=None).label("key")
    hours = (
        select(H.platform, H.channel, hour_key, *_sums(H))
        .where(_in(H.hour, edges))
        .group_by(H.platform, H.channel, hour_key)
    )
    return [*conn.execute(days).all(), *conn.execute(hours).all()]


def add_buckets(
    summaries: dict[tuple[str, str], ChannelSummary],
    rows: Sequence[Sequence[Any]],
    keys: Sequence[str],
) -> None:
    """Add ``overview_buckets`` rows to the channels' totals, previous totals and sparklines.

    Parameters
    ----------
    summaries
        ``(platform, channel) -> ChannelSummary`` with zero totals and an empty sparkline of
        ``len(keys)`` buckets; rows of other channels are ignored.
    rows
        What ``overview_buckets`` answered.
    keys
        The sparkline's bucket keys (``dashboard_queries.spark_keys``).
    """
    index = {key: i for i, key in enumerate(keys)}
    spark: dict[tuple[str, str, int], list[float]] = {}  # -> [scored, score_sum]
    for platform, channel, raw_key, messages, n, sum_, negative, neutral, positive in rows:
        summary = summaries.get((platform, channel))
        if summary is None:
            continue
        scored, score_sum = int(n), float(sum_ or 0.0)  # PostgreSQL's sums are Decimal
        if raw_key is None:
            total = summary.previous
        else:
            slot = index.get(raw_key if isinstance(raw_key, str) else raw_key.isoformat())
            if slot is None:
                continue
            total = summary.totals
            acc = spark.setdefault((platform, channel, slot), [0, 0.0])
            acc[0] += scored
            acc[1] += score_sum
        total.messages += int(messages)
        total.scored += scored
        total.score_sum += score_sum
        total.negative += int(negative)
        total.neutral += int(neutral)
        total.positive += int(positive)
    for (platform, channel, slot), (count, total_sum) in spark.items():
        summaries[(platform, channel)].spark[slot] = total_sum / count if count else None
