"""Sentiment-drop alerts: a channel whose recent mean falls well below its usual level.

The recent window is the last ``[alerts] window_hours``; the baseline is the ``[alerts]
baseline_days`` before that window. An alert needs at least ``[alerts] min_messages`` scored
messages on both sides and a fall of more than ``[alerts] drop``. Each alert is claimed in the
database for its window (``Repository.claim_report`` under the channel key ``alert:<channel>``),
so neither a later check within the same window nor a second bot instance repeats it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.config import AlertsConfig
from bot.core.messages import Reply
from bot.reports.format import channel_ref
from storage.repository import Repository
from storage.types import ChannelStats

logger = logging.getLogger(__name__)

# post(platform, channel, reply): deliver a message unprompted on one platform.
Post = Callable[[str, str, Reply], Awaitable[None]]
CLAIM_PREFIX = "alert:"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Drop:
    """A fall worth an alert, with the figures that show it."""

    platform: str
    channel: str
    window_mean: float
    window_messages: int
    baseline_mean: float
    baseline_messages: int
    window: timedelta
    baseline: timedelta

    @property
    def fall(self) -> float:
        """How far the mean fell (positive)."""
        return self.baseline_mean - self.window_mean


def _scored(stats: ChannelStats) -> int:
    return stats.count - stats.unscored


def detect_drop(window: ChannelStats, baseline: ChannelStats, config: AlertsConfig) -> Drop | None:
    """Decide whether ``window`` fell below ``baseline`` by more than ``config.drop``.

    Parameters
    ----------
    window, baseline
        Aggregates of the recent window and of the baseline period before it.
    config
        ``[alerts]``: ``drop`` (a fall strictly greater than this alerts) and ``min_messages``
        (scored messages needed on each side).

    Returns
    -------
    Drop or None
        The drop, or ``None`` when there is none or too few messages to trust it.
    """
    if window.mean is None or baseline.mean is None:
        return None
    if min(_scored(window), _scored(baseline)) < config.min_messages:
        return None
    if baseline.mean - window.mean <= config.drop:
        return None
    return Drop(
        platform=window.platform,
        channel=window.channel,
        window_mean=window.mean,
        window_messages=_scored(window),
        baseline_mean=baseline.mean,
        baseline_messages=_scored(baseline),
        window=window.end - window.start,
        baseline=baseline.end - baseline.start,
    )


def alert_text(drop: Drop) -> str:
    """The alert message."""
    hours = drop.window.total_seconds() / 3600
    days = drop.baseline.total_seconds() / 86400
    return (
        f"⚠️ Sentiment drop in {channel_ref(drop.platform, drop.channel)}: the mean score over the "
        f"last {hours:g}h is {drop.window_mean:.3f} ({drop.window_messages} messages), down "
        f"{drop.fall:.3f} from {drop.baseline_mean:.3f} over the {days:g} days before "
        f"({drop.baseline_messages} messages)."
    )


class AlertMonitor:
    """Check channels for sentiment drops and post alerts.

    Parameters
    ----------
    repository
        The synchronous repository (called through ``asyncio.to_thread``).
    config
        The ``[alerts]`` section.
    post
        ``post(platform, channel, reply)`` delivers an alert.
    instance
        This bot instance's name, recorded with each claim.
    """

    def __init__(self, repository: Repository, config: AlertsConfig, post: Post, instance: str):
        self.repository = repository
        self.config = config
        self.post = post
        self.instance = instance

    def _bucket(self, now: datetime) -> tuple[datetime, datetime]:
        window = timedelta(hours=self.config.window_hours)
        index = (now - EPOCH) // window
        return EPOCH + index * window, EPOCH + (index + 1) * window

    async def check(self, platform: str, channel: str, now: datetime | None = None) -> Drop | None:
        """Check one channel; post (once per window) and return the drop when there is one."""
        now = (now or datetime.now(UTC)).astimezone(UTC)
        window = timedelta(hours=self.config.window_hours)
        start = now - window
        recent = await asyncio.to_thread(
            self.repository.channel_stats, platform, channel, start, now, examples=0
        )
        if _scored(recent) < self.config.min_messages:
            return None  # not enough to trust; skip the baseline query
        base_start = start - timedelta(days=self.config.baseline_days)
        baseline = await asyncio.to_thread(
            self.repository.channel_stats, platform, channel, base_start, start, examples=0
        )
        drop = detect_drop(recent, baseline, self.config)
        if drop is None:
            return None
        bucket_start, bucket_end = self._bucket(now)
        claimed = await asyncio.to_thread(
            self.repository.claim_report,
            platform,
            CLAIM_PREFIX + channel,
            bucket_start,
            bucket_end,
            self.instance,
        )
        if not claimed:
            logger.debug("alert for %s/%s already posted in this window", platform, channel)
            return None
        target = self.config.channel or channel
        logger.info(
            "sentiment drop in %s/%s: %.3f -> %.3f",
            platform,
            channel,
            drop.baseline_mean,
            drop.window_mean,
        )
        await self.post(platform, target, Reply(alert_text(drop)))
        return drop

    async def check_all(
        self, now: datetime | None = None, *, platforms: set[str] | None = None
    ) -> list[Drop]:
        """Check every monitored channel (of ``platforms``, default all).

        An instance checks only the platforms it can post to, so it never claims an alert it
        cannot deliver. One failing channel does not stop the others.
        """
        if not self.config.enabled:
            return []
        drops = []
        for platform, channel in await asyncio.to_thread(self.repository.monitored_channels):
            if platforms is not None and platform not in platforms:
                continue
            try:
                drop = await self.check(platform, channel, now)
            except Exception:
                logger.exception("alert check failed for %s/%s", platform, channel)
                continue
            if drop is not None:
                drops.append(drop)
        return drops
