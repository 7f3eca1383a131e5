"""The dashboard's read side: every channel's figures for a period, one channel's page, models.

Computed in SQL from the rollups (``hourly_scores`` and ``daily_scores``, kept exact by
triggers; ``storage.dashboard_buckets``) so the overview of hundreds of channels reads a few
thousand small rows, never the messages. The overview's periods are whole UTC hours ending with
the current one (which the rollups already count); the channel page reuses the reports' exact
``storage.stats.channel_stats``.
``DashboardReader`` is the seam the web app sees; ``SqlDashboardReader`` implements it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Engine, Row, and_, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.expression import ScalarSelect

from storage.dashboard_buckets import add_buckets, overview_buckets
from storage.dashboard_types import (
    ChannelDetail,
    ChannelSummary,
    Claimed,
    ModelEntry,
    Totals,
)
from storage.stats import channel_stats
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
        with self.engine.connect() as conn:
            channels = self._channels(conn)
            buckets = overview_buckets(conn, start, end)
            claims = conn.execute(
                select(R.platform, R.channel, func.max(R.period_end).label("last"))
                .where(R.outcome == "posted")
                .group_by(R.platform, R.channel)
            ).all()
        summaries = {
            pair: ChannelSummary(
                pair[0], workspace, pair[1], Totals(), Totals(), [None] * len(keys)
            )
            for pair, workspace in channels.items()
        }
        add_buckets(summaries, buckets, keys)
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
