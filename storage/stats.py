"""Report aggregates computed in SQL, never by loading message rows into Python.

Whole hours come from ``hourly_scores`` (kept exact by triggers on ``scored_messages``, see
migration 0002), so a week's report reads 168 small rows whatever the traffic. The partial hours
at the edges of a window are aggregated from ``scored_messages`` directly (an indexed range scan
of at most two hours).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Select, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from storage.tables import HourlyRow, MessageRow
from storage.types import ChannelStats, ExampleMessage

M = MessageRow
H = HourlyRow
HOUR = timedelta(hours=1)


class hour_of(FunctionElement[str]):  # noqa: N801 - reads like the SQL function it is
    """The UTC hour a timestamp falls in, as text ``YYYY-MM-DD HH`` (dialect-aware)."""

    inherit_cache = True
    name = "hour_of"


@compiles(hour_of, "sqlite")
def _hour_sqlite(element: hour_of, compiler: SQLCompiler, **kw: object) -> str:
    return f"strftime('%Y-%m-%d %H', {compiler.process(element.clauses, **kw)})"


@compiles(hour_of, "postgresql")
def _hour_postgresql(element: hour_of, compiler: SQLCompiler, **kw: object) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"to_char(date_trunc('hour', {column} AT TIME ZONE 'UTC'), 'YYYY-MM-DD HH24')"


class unindexed(FunctionElement[datetime]):  # noqa: N801
    """A column the SQLite planner must not pick an index for (rendered ``+column``).

    The report examples walk the partial index on (platform, channel, score) of rows with text
    and stop after a few; without this SQLite prefers the time index and sorts the whole window.
    """

    inherit_cache = True
    name = "unindexed"

    def __init__(self, column: ColumnElement[datetime]) -> None:
        super().__init__(column)
        self.type = column.type


@compiles(unindexed)
def _unindexed_default(element: unindexed, compiler: SQLCompiler, **kw: object) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(unindexed, "sqlite")
def _unindexed_sqlite(element: unindexed, compiler: SQLCompiler, **kw: object) -> str:
    return f"+{compiler.process(element.clauses, **kw)}"


@dataclass(slots=True)
class Bucket:
    """Totals of one hour: all messages, scored ones, their score sum and label counts."""

    messages: int = 0
    scored: int = 0
    score_sum: float = 0.0
    negative: int = 0
    neutral: int = 0
    positive: int = 0

    def add(self, row: object) -> None:
        self.messages += int(row.messages)  # type: ignore[attr-defined]
        self.scored += int(row.scored)  # type: ignore[attr-defined]
        self.score_sum += float(row.score_sum or 0.0)  # type: ignore[attr-defined]
        self.negative += int(row.negative)  # type: ignore[attr-defined]
        self.neutral += int(row.neutral)  # type: ignore[attr-defined]
        self.positive += int(row.positive)  # type: ignore[attr-defined]

    @property
    def mean(self) -> float | None:
        return self.score_sum / self.scored if self.scored else None


def _floor_hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _ceil_hour(moment: datetime) -> datetime:
    floor = _floor_hour(moment)
    return floor if floor == moment else floor + HOUR


def in_window(platform: str, channel: str, start: datetime, end: datetime) -> ColumnElement[bool]:
    return (
        (M.platform == platform)
        & (M.channel == channel)
        & (M.created_at >= start)
        & (M.created_at < end)
    )


def raw_hourly_query(platform: str, channel: str, start: datetime, end: datetime) -> Select:
    """Per-hour totals aggregated from ``scored_messages`` (for partial hours)."""
    hour = hour_of(M.created_at).label("hour")
    scored = M.score.is_not(None)
    return (
        select(
            hour,
            func.count().label("messages"),
            func.count(M.score).label("scored"),
            func.sum(M.score).label("score_sum"),
            func.count().filter(scored & (M.label == "negative")).label("negative"),
            func.count().filter(scored & (M.label == "neutral")).label("neutral"),
            func.count().filter(scored & (M.label == "positive")).label("positive"),
        )
        .where(in_window(platform, channel, start, end))
        .group_by(hour)
    )


def rollup_query(platform: str, channel: str, first: datetime, stop: datetime) -> Select:
    """Whole hours ``[first, stop)`` from ``hourly_scores``."""
    return select(*H.__table__.c).where(
        (H.platform == platform)
        & (H.channel == channel)
        & (H.hour >= first)
        & (H.hour < stop)
        & (H.messages > 0)
    )


def hourly_buckets(
    conn: Connection, platform: str, channel: str, start: datetime, end: datetime
) -> dict[datetime, Bucket]:
    """Totals per UTC hour of ``[start, end)``, for hours that have messages."""
    buckets: dict[datetime, Bucket] = {}
    first, stop = _ceil_hour(start), _floor_hour(end)
    edges = [(start, end)]
    if first < stop:
        for row in conn.execute(rollup_query(platform, channel, first, stop)):
            buckets.setdefault(row.hour, Bucket()).add(row)
        edges = [(start, first), (stop, end)]
    for edge_start, edge_end in edges:
        if edge_start >= edge_end:
            continue
        for row in conn.execute(raw_hourly_query(platform, channel, edge_start, edge_end)):
            hour = datetime.strptime(row.hour, "%Y-%m-%d %H").replace(tzinfo=UTC)
            buckets.setdefault(hour, Bucket()).add(row)
    return {hour: bucket for hour, bucket in buckets.items() if bucket.messages > 0}


def _examples(
    conn: Connection,
    platform: str,
    channel: str,
    start: datetime,
    end: datetime,
    n: int,
    best_first: bool,
) -> list[ExampleMessage]:
    order = M.score.desc() if best_first else M.score.asc()
    created = unindexed(M.created_at)
    rows = conn.execute(
        select(M.message_id, M.score, M.text, M.workspace)
        .where(
            (M.platform == platform)
            & (M.channel == channel)
            & (M.text.is_not(None))
            & (M.score.is_not(None))
            & (created >= start)
            & (created < end)
        )
        .order_by(order, M.message_id)
        .limit(n)
    )
    return [ExampleMessage(r.message_id, float(r.score), r.text, r.workspace) for r in rows]


def channel_stats(
    conn: Connection,
    platform: str,
    channel: str,
    start: datetime,
    end: datetime,
    *,
    examples: int = 3,
) -> ChannelStats:
    """Aggregates of ``[start, end)`` and of the previous period of the same length.

    Pass ``examples=0`` to skip the example queries (they only find rows with stored text).
    """
    buckets = hourly_buckets(conn, platform, channel, start, end)
    previous = hourly_buckets(conn, platform, channel, start - (end - start), start)
    total, before = Bucket(), Bucket()
    for bucket in buckets.values():
        total.add(bucket)
    for bucket in previous.values():
        before.add(bucket)
    hourly = [(hour, b.messages, b.mean) for hour, b in sorted(buckets.items())]
    labels = [(hour, b.negative, b.neutral, b.positive) for hour, b in sorted(buckets.items())]
    busiest = max(hourly, key=lambda h: (h[1], -h[0].timestamp()))[0] if hourly else None
    window = (platform, channel, start, end)
    return ChannelStats(
        platform=platform,
        channel=channel,
        start=start,
        end=end,
        count=total.messages,
        unscored=total.messages - total.scored,
        mean=total.mean,
        negative=total.negative,
        neutral=total.neutral,
        positive=total.positive,
        previous_count=before.messages,
        previous_mean=before.mean,
        hourly=hourly,
        hourly_labels=labels,
        busiest_hour=busiest,
        most_positive=_examples(conn, *window, examples, True) if examples > 0 else [],
        most_negative=_examples(conn, *window, examples, False) if examples > 0 else [],
    )
