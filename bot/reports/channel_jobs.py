"""One report job per monitored channel, following the channel settings in the database.

``ChannelJobs`` keeps the jobs of one ``AsyncIOScheduler`` in step with the database: every
monitored channel of a platform this instance serves gets a job on its own ``report_cron`` or
the default. ``poll`` reads ``Repository.schedules_version()`` (one indexed row, bumped on any
channel-settings change and on a channel's first stored message, by any instance) and reloads
only when it moved, so a poll every few seconds makes changes reach every instance within
seconds.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger

from storage.repository import Repository

logger = logging.getLogger(__name__)

TriggerFactory = Callable[[str], BaseTrigger]
Pair = tuple[str, str]  # (platform, channel)
JOB_PREFIX = "report:"
# A job runs at most once at a time; missed runs (event loop busy, clock jump) run once, late.
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 600}


class ChannelJobs:
    """The report jobs of one scheduler.

    Parameters
    ----------
    scheduler
        Where the jobs go (ids ``report:<platform>/<channel>``).
    repository
        The channel list, settings and ``schedules_version()``.
    platforms
        The platforms this instance serves; other channels get no job here.
    default_cron
        ``[reports] cron``, for channels without their own schedule.
    trigger_factory
        Builds a trigger from a crontab string.
    job
        ``job(platform, channel)``: the report job itself.
    """

    def __init__(
        self,
        scheduler: AsyncIOScheduler,
        repository: Repository,
        platforms: Collection[str],
        default_cron: str,
        trigger_factory: TriggerFactory,
        job: Callable[[str, str], Awaitable[object]],
    ) -> None:
        self.scheduler = scheduler
        self.repository = repository
        self.platforms = set(platforms)
        self.default_cron = default_cron
        self.trigger_factory = trigger_factory
        self.job = job
        self.crons: dict[Pair, str] = {}  # the schedule of each channel with a job
        self.version: int | None = None  # the schedules_version() the jobs follow
        self._poll_failing = False

    async def refresh(self) -> int:
        """Give each monitored channel a job with its schedule; drop jobs of gone channels.

        Returns the number of channels scheduled.
        """
        version = await asyncio.to_thread(self.repository.schedules_version)  # read first
        pairs = await asyncio.to_thread(self.repository.monitored_channels)
        settings = {
            (s.platform, s.channel): s for s in await asyncio.to_thread(self.repository.channels)
        }
        wanted: dict[Pair, str] = {}
        for pair in pairs:
            if pair[0] not in self.platforms:
                continue
            own = settings.get(pair)
            wanted[pair] = (own.report_cron if own else None) or self.default_cron
        for pair in set(self.crons) - set(wanted):
            self.unschedule(pair)
        for pair, cron in wanted.items():
            if self.crons.get(pair) != cron:
                self.schedule(pair, cron)
        self.version = version
        return len(wanted)

    async def poll(self) -> bool:
        """Reload channels and schedules when ``schedules_version()`` moved; ``True`` if so.

        A database outage is logged once (the exception's type), not every few seconds.
        """
        try:
            version = await asyncio.to_thread(self.repository.schedules_version)
        except Exception as exc:
            if not self._poll_failing:
                logger.warning("cannot read the schedules version: %s", type(exc).__name__)
            self._poll_failing = True
            return False
        self._poll_failing = False
        if version == self.version:
            return False
        logger.info("channel settings changed (version %d): reloading schedules", version)
        await self.refresh()
        return True

    async def apply(self, pair: Pair, cron: str) -> None:
        """Reschedule a channel whose schedule changed here; a channel without a job: refresh."""
        if pair in self.crons:
            self.schedule(pair, cron)
        else:
            await self.refresh()

    def schedule(self, pair: Pair, cron: str) -> None:
        """(Re)place the channel's job on ``cron``; a bad expression is logged, not raised."""
        try:
            trigger = self.trigger_factory(cron)
        except ValueError as exc:
            logger.error("bad report schedule %r for %s/%s: %s", cron, *pair, exc)
            return
        self.scheduler.add_job(
            self.job,
            trigger,
            args=pair,
            id=JOB_PREFIX + "/".join(pair),
            replace_existing=True,
            **JOB_DEFAULTS,
        )
        self.crons[pair] = cron
        logger.info("report for %s/%s scheduled: %s", *pair, cron)

    def unschedule(self, pair: Pair) -> None:
        """Remove the channel's job."""
        job = self.scheduler.get_job(JOB_PREFIX + "/".join(pair))
        if job is not None:
            job.remove()
        self.crons.pop(pair, None)
