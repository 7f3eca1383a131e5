"""The work of the scheduled jobs, apart from the scheduling: report claims and retention.

Before a report is posted it is claimed in the database for its exact period, so several bot
instances on one database post it once. Retention deletes old messages and report charts.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.core.messages import Reply
from bot.reports.build import build_report, report_settings
from bot.reports.charts import prune_charts
from storage.repository import Repository

if TYPE_CHECKING:
    from model.batcher import BatchScorer as Scorer

logger = logging.getLogger(__name__)

CHART_DAYS = 7  # report charts are kept this long (they have been posted by then)


def instance_name() -> str:
    """A name for this bot instance, unique enough to tell instances apart in the database."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


async def claim_report(
    repository: Repository,
    settings: Settings,
    instance: str,
    platform: str,
    channel: str,
    end: datetime,
    period: timedelta,
    timezone: tzinfo,
    scorer: Scorer | None = None,
) -> Reply | None:
    """Claim the report of ``[end - period, end)`` for ``instance`` and build it.

    Returns ``None`` when there is nothing to post: no message at all in the period (a daily
    "nothing here" would be noise; a channel with a few says there are too few), or another
    instance claimed it first.
    """
    start = end - period
    stats = await asyncio.to_thread(
        repository.channel_stats, platform, channel, start, end, examples=0
    )
    if stats.count == 0:
        logger.info("no messages in %s/%s for the report to %s: not posted", platform, channel, end)
        return None
    claimed = await asyncio.to_thread(
        repository.claim_report, platform, channel, start, end, instance
    )
    if not claimed:
        logger.info("report %s/%s to %s already claimed elsewhere", platform, channel, end)
        return None
    return await build_report(
        repository,
        platform,
        channel,
        period,
        now=end,
        **report_settings(settings, timezone=timezone),
        scorer=scorer,
    )


async def purge_expired(repository: Repository, settings: Settings, now: datetime) -> int:
    """Delete messages older than ``[privacy] retention_days``, tombstones of deletes older than
    ``[privacy] tombstone_days`` and charts older than ``CHART_DAYS``; returns how many messages
    were deleted.

    A tombstone blocks late retries, replays and edits of a deleted message on every instance;
    once purged, a replay that old could store the message again, so ``tombstone_days`` must
    exceed the longest redelivery or replay window.
    """
    cutoff = now - timedelta(days=settings.privacy.retention_days)
    tombstones = now - timedelta(days=settings.privacy.tombstone_days)
    removed = await asyncio.to_thread(
        repository.purge_older_than, cutoff, tombstones_before=tombstones
    )
    logger.info("retention: %d messages older than %s purged", removed, cutoff.date())
    charts = await asyncio.to_thread(
        prune_charts, settings.reports.chart_dir, timedelta(days=CHART_DAYS), now
    )
    if charts:
        logger.info("retention: %d report charts older than %d days deleted", charts, CHART_DAYS)
    return removed
