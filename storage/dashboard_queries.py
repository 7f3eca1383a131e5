"""The dashboard's read side: every channel's figures for a period, one channel's page, models.

Computed in SQL from the hourly rollup (``hourly_scores``, kept exact by triggers) so the
overview of hundreds of channels reads a few thousand small rows, never the messages. The
overview's periods are whole UTC hours ending with the current one (which the rollup already
counts); the channel page reuses the reports' exact ``storage.stats.channel_stats``.
``DashboardReader`` is the seam the web app sees; ``SqlDashboardReader`` implements it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Engine, Row, and_, case, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import FunctionElement, Label, ScalarSelect

from storage.dashboard_types import (
    ChannelDetail,
    ChannelSummary,
    Claimed,
    ModelEntry,
    Totals,
)
from storage.stats import channel_stats, hour_of, unindexed
from storage.tables import (
    ChannelRow,
    HourlyRow,
    KnownChannelRow,
    MessageRow,
    ModelVersionRow,
    ReportPostedRow,
)

H, M, R = HourlyRow, MessageRow, ReportPostedRow
HOUR, DAY = timedelta(hours=1), timedelta(days=1)
ALERT_PREFIX = "alert:"  # alerts are claimed under this channel key (bot.reports.alerts)
HEATMAP_DAYS = 28


class day_of(FunctionElement[str]):  # noqa: N801 - reads like the SQL function it is
    """The UTC day a rollup hour falls in: text ``YYYY-MM-DD`` on SQLite, a ``date`` on
    PostgreSQL (cheaper to group by than text; ``_key`` makes it the same text)."""

    inherit_cache = True
    name = "day_of"


@compiles(day_of, "sqlite")
def _day_sqlite(element: day_of, compiler: SQLCompiler, **kw: object) -> str:
    return f"substr({compiler.process(element.clauses, **kw)}, 1, 10)"


@compiles(day_of, "postgresql")
def _day_postgresql(element: day_of, compiler: SQLCompiler, **kw: object) -> str:
    return f"CAST(({compiler.process(element.clauses, **kw)} AT TIME ZONE 'UTC') AS date)"


class DashboardReader(Protocol):
    """What the dashboard reads."""

    def overview(self, period: timedelta, now: datetime) -> list[ChannelSummary]:
        """Every monitored channel's figures for the period ending with ``now``'s hour."""
        ...

    def channel(
        self, platform: str, channel: str, period: timedelta, now: datetime, *, examples: int
    ) -> ChannelDetail | None:
        """One channel's page (``None`` when it has no stored messages or opted out)."""
        ...

    def models(self) -> list[ModelEntry]:
        """Every model version, newest first."""
        ...

    def channels(self) -> dict[tuple[str, str], str]:
        """``(platform, channel) -> workspace`` of every monitored channel."""
        ...


def window(period: timedelta, now: datetime) -> tuple[datetime, datetime]:
    """The whole UTC hours ``[start, end)`` of ``period`` ending with the hour of ``now``."""
    end = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0) + HOUR
    return end - max(HOUR, period), end


def spark_keys(start: datetime, end: datetime) -> list[str]:
    """The sparkline's bucket keys: hours (``YYYY-MM-DD HH``) up to a day, then days."""
    if end - start <= DAY:
        return [f"{start + i * HOUR:%Y-%m-%d %H}" for i in range((end - start) // HOUR)]
    first = start.replace(hour=0)
    return [f"{first + i * DAY:%Y-%m-%d}" for i in range((end - first - HOUR) // DAY + 1)]


def _totals(row: Sequence[Any]) -> Totals:
    """The counters of a row whose last six columns are ``COUNTERS`` (PostgreSQL sums are
    ``Decimal``: converted)."""
    messages, scored, score_sum, negative, neutral, positive = row[-6:]
    return Totals(int(messages or 0), int(scored or 0), float(score_sum or 0.0),
                  int(negative or 0), int(neutral or 0), int(positive or 0))  # fmt: skip


COUNTERS = ("messages", "scored", "score_sum", "negative", "neutral", "positive")


def _sums() -> list[Label[Any]]:
    return [func.sum(getattr(H, c)).label(c) for c in COUNTERS]


def _workspace_of(platform: Any, channel: Any) -> ScalarSelect[str]:
    """The workspace of a channel's newest stored message (an index seek)."""
    return (
        select(M.workspace)
        .where((M.platform == platform) & (M.channel == channel))
        .order_by(M.created_at.desc())
        .limit(1)
        .scalar_subquery()
    )


class SqlDashboardReader:
    """``DashboardReader`` on SQLite or PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def overview(self, period: timedelta, now: datetime) -> list[ChannelSummary]:
        start, end = window(period, now)
        keys = spark_keys(start, end)
        # One pass over the rollup of both periods: the current one per sparkline bucket, the
        # previous one per channel (its key NULL).
        bucket = hour_of(H.hour) if end - start <= DAY else day_of(H.hour)
        key_column = case((H.hour >= start, bucket), else_=None).label("key")
        # Past a day the rollup is mostly read: a plain scan beats SQLite's skip-scan of the key.
        hour = H.hour if end - start <= DAY else unindexed(H.__table__.c.hour)
        in_both = (hour >= start - (end - start)) & (hour < end)
        with self.engine.connect() as conn:
            channels = self._channels(conn)
            buckets = conn.execute(
                select(H.platform, H.channel, key_column, *_sums())
                .where(in_both)
                .group_by(H.platform, H.channel, key_column)
            ).all()
            claims = conn.execute(
                select(R.platform, R.channel, func.max(R.period_end).label("last"))
                .where(R.outcome == "posted")
                .group_by(R.platform, R.channel)
            ).all()
        index = {k: i for i, k in enumerate(keys)}
        summaries = {
            pair: ChannelSummary(
                pair[0], workspace, pair[1], Totals(), Totals(), [None] * len(keys)
            )
            for pair, workspace in channels.items()
        }
        for platform, channel, raw_key, *counts in buckets:
            summary = summaries.get((platform, channel))
            if summary is None:
                continue
            key = raw_key if raw_key is None or isinstance(raw_key, str) else raw_key.isoformat()
            if key is None:
                summary.previous = _totals(counts)
            elif key in index:
                total = summary.totals
                total.messages += int(counts[0])
                total.scored += int(counts[1])
                total.score_sum += float(counts[2] or 0.0)
                total.negative += int(counts[3])
                total.neutral += int(counts[4])
                total.positive += int(counts[5])
                if counts[1]:
                    summary.spark[index[key]] = float(counts[2]) / int(counts[1])
        for row in claims:
            alert = row.channel.startswith(ALERT_PREFIX)
            pair = (row.platform, row.channel.removeprefix(ALERT_PREFIX))
            summary = summaries.get(pair)
            if summary is not None and alert:
                summary.last_alert = row.last
            elif summary is not None:
                summary.last_report = row.last
        return list(summaries.values())

    def channels(self) -> dict[tuple[str, str], str]:
        with self.engine.connect() as conn:
            return self._channels(conn)

    def _channels(self, conn: Connection) -> dict[tuple[str, str], str]:
        """Monitored channels (with messages, not opted out) and their workspaces."""
        k, c = KnownChannelRow, ChannelRow
        workspace = func.coalesce(
            func.nullif(c.workspace, ""), _workspace_of(k.platform, k.channel), ""
        )
        rows = conn.execute(
            select(k.platform, k.channel, workspace.label("workspace"), c.opted_out)
            .outerjoin(c, and_(c.platform == k.platform, c.channel == k.channel))
            .order_by(k.platform, k.channel)
        ).all()
        return {(r.platform, r.channel): r.workspace for r in rows if not r.opted_out}

    def channel(
        self, platform: str, channel: str, period: timedelta, now: datetime, *, examples: int
    ) -> ChannelDetail | None:
        start, end = now - period, now
        with self.engine.connect() as conn:
            settings = conn.execute(
                select(ChannelRow.report_cron, ChannelRow.opted_out, ChannelRow.workspace).where(
                    (ChannelRow.platform == platform) & (ChannelRow.channel == channel)
                )
            ).first()
            workspace = conn.execute(select(_workspace_of(platform, channel))).scalar()
            if workspace is None or (settings is not None and settings.opted_out):
                return None
            stats = channel_stats(conn, platform, channel, start, end, examples=examples)
            heat_start = window(timedelta(days=HEATMAP_DAYS), now)[0]
            hours = conn.execute(
                select(*H.__table__.c).where(
                    (H.platform == platform) & (H.channel == channel) & (H.hour >= heat_start)
                )
            ).all()
            heatmap = _heatmap(hours)
            reasons = conn.execute(
                select(func.coalesce(M.reason, "unknown").label("reason"), func.count())
                .where(
                    (M.platform == platform)
                    & (M.channel == channel)
                    & (M.created_at >= start)
                    & (M.created_at < end)
                    & M.score.is_(None)
                )
                .group_by(M.reason)
            ).all()
            alerts = self._claims(conn, platform, ALERT_PREFIX + channel)
            reports = self._claims(conn, platform, channel)
        return ChannelDetail(
            platform=platform,
            workspace=(settings.workspace if settings is not None else "") or workspace,
            channel=channel,
            stats=stats,
            heatmap=heatmap,
            heatmap_days=HEATMAP_DAYS,
            unscored={str(reason): int(n) for reason, n in reasons},
            alerts=alerts,
            reports=reports,
            report_cron=settings.report_cron if settings is not None else None,
        )

    @staticmethod
    def _claims(conn: Connection, platform: str, channel: str, limit: int = 20) -> list[Claimed]:
        rows = conn.execute(
            select(R.period_start, R.period_end, R.outcome, R.instance)
            .where((R.platform == platform) & (R.channel == channel))
            .order_by(R.period_end.desc())
            .limit(limit)
        ).all()
        return [Claimed(r.period_start, r.period_end, r.outcome, r.instance) for r in rows]

    def models(self) -> list[ModelEntry]:
        v = ModelVersionRow
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(v.version, v.active, v.created_at, v.created_by, v.metrics).order_by(
                    v.created_at.desc(), v.id.desc()
                )
            ).all()
            return [
                ModelEntry(r.version, bool(r.active), r.created_at, r.created_by, dict(r.metrics))
                for r in rows
            ]


def _heatmap(hours: Iterable[Row]) -> list[list[Totals]]:
    grid = [[Totals() for _ in range(24)] for _ in range(7)]
    for row in hours:
        moment = row.hour.astimezone(UTC)
        grid[moment.weekday()][moment.hour].add(_totals(row))
    return grid
