"""The work of the scheduled jobs, apart from the scheduling: instance names and retention.

Reports are claimed, posted and recorded in ``bot.reports.leases`` (claims as leases, so several
bot instances on one database post each report exactly once). Retention deletes old messages,
old tombstones and report charts.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from datetime import datetime, timedelta

from bot.config import Settings
from bot.reports.charts import prune_charts
from storage.repository import Repository

logger = logging.getLogger(__name__)

CHART_DAYS = 7  # report charts are kept this long (they have been posted by then)


def instance_name() -> str:
    """A name for this bot instance, unique enough to tell instances apart in the database."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


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
