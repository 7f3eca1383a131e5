"""Scheduled work on APScheduler 3's ``AsyncIOScheduler``: reports, alerts, retention, model sync.

- Every monitored channel gets a report job on ``[reports] cron`` (or the channel's own
  ``report_cron``, set with ``/sentiment-schedule``), in ``[reports] timezone``. Every
  ``poll_s`` seconds (5) the database's ``schedules_version()`` is read (one indexed row) and the
  channels and schedules are reloaded when it moved, so a schedule changed on any instance and a
  new channel reach every instance within seconds; a full reload also runs every ``refresh_s``.
- Before posting, a report is claimed in the database as a lease for its exact period, and its
  outcome recorded, so several bot instances on one database post it exactly once, also when a
  post fails or its claimer dies (``bot.reports.leases``, retried every ``retry_s``; crontab
  parsing and report periods are in ``bot.reports.crontab``; ``/sentiment-schedule`` is
  ``bot.core.commands.schedule``).
- A retention job purges messages older than ``[privacy] retention_days`` daily.
- An alert job checks for sentiment drops (``bot.reports.alerts``).
- An optional callback (``RetrainManager.sync_active_model``) keeps the served model in step
  with the database's active version, so ``sentibot models activate`` reaches running bots.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.config import Settings
from bot.core.messages import Reply
from bot.core.ports import Adapter
from bot.reports.alerts import AlertMonitor
from bot.reports.channel_jobs import JOB_DEFAULTS, JOB_PREFIX, ChannelJobs, TriggerFactory
from bot.reports.crontab import crontab_trigger, last_fire
from bot.reports.jobs import instance_name, purge_expired
from bot.reports.leases import REPORT_LEASE_S, REPORT_RETRY_S, Clock, Period, ReportPoster
from storage.repository import Repository

if TYPE_CHECKING:
    from model.batcher import BatchScorer as Scorer

logger = logging.getLogger(__name__)


class ReportScheduler:
    """Run the scheduled jobs of one bot instance.

    Parameters
    ----------
    settings
        ``[reports]``, ``[alerts]``, ``[privacy]`` and ``[scoring]`` are used.
    repository
        The synchronous repository (called through ``asyncio.to_thread``).
    adapters
        The connected adapters by platform name (``"slack"``, ``"discord"``, ``"shell"``...);
        channels of other platforms get no report from this instance.
    instance
        This instance's name for report claims (default: host, pid and a random suffix).
    trigger_factory
        Builds a report trigger from a crontab string; tests pass a fast ``IntervalTrigger``.
    refresh_s, poll_s, alert_interval_s
        How often the channel list is reloaded in full, ``schedules_version()`` is polled and
        alerts are checked.
    lease_s, retry_s, clock
        A report claim's lease, how often reports not known posted are claimed again, and the
        clock the leases use (``bot.reports.leases``).
    model_sync
        Optional coroutine function run every ``model_sync_s`` seconds.
    """

    def __init__(
        self,
        settings: Settings,
        repository: Repository,
        adapters: Mapping[str, Adapter],
        *,
        instance: str | None = None,
        trigger_factory: TriggerFactory | None = None,
        refresh_s: float = 300.0,
        poll_s: float = 5.0,
        alert_interval_s: float = 900.0,
        lease_s: float = REPORT_LEASE_S,
        retry_s: float = REPORT_RETRY_S,
        clock: Clock = lambda: datetime.now(UTC),
        model_sync: Callable[[], Awaitable[object]] | None = None,
        model_sync_s: float = 60.0,
        scorer: Scorer | None = None,
    ) -> None:
        self.settings = settings
        self.scorer = scorer  # names the words behind negative messages (store_text only)
        self.repository = repository
        self.adapters = dict(adapters)
        self.instance = instance or instance_name()
        self.tz = ZoneInfo(settings.reports.timezone)
        self.trigger_factory = trigger_factory or self._cron
        self.refresh_s = refresh_s
        self.poll_s = poll_s
        self.retry_s = retry_s
        self.alert_interval_s = alert_interval_s
        self.model_sync = model_sync
        self.model_sync_s = model_sync_s
        self.alerts = AlertMonitor(repository, settings.alerts, self.post, self.instance)
        self.scheduler = AsyncIOScheduler(timezone=self.tz)
        self.reports = ReportPoster(
            repository,
            settings,
            self.instance,
            self.tz,
            self._deliver,
            lease_s=lease_s,
            scorer=scorer,
            clock=clock,
        )
        self.channels = ChannelJobs(
            self.scheduler,
            repository,
            set(self.adapters),
            settings.reports.cron,
            self.trigger_factory,
            self.scheduled_report,
        )
        self.posted = 0

    def _cron(self, expr: str) -> BaseTrigger:
        return crontab_trigger(expr, self.tz)

    # -- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        """Schedule every job and start the scheduler (on the running event loop)."""
        jobs: list[tuple[Callable[[], Awaitable[object]], BaseTrigger, str]] = [
            (self.refresh, IntervalTrigger(seconds=self.refresh_s), "refresh"),
            (self.poll_schedules, IntervalTrigger(seconds=self.poll_s), "schedules-poll"),
            (self.reports.retry_pending, IntervalTrigger(seconds=self.retry_s), "report-retry"),
            (self.purge, CronTrigger(hour=3, minute=17, timezone=self.tz), "retention"),
        ]
        if self.settings.alerts.enabled:
            jobs.append(
                (self.check_alerts, IntervalTrigger(seconds=self.alert_interval_s), "alerts")
            )
        if self.model_sync is not None:
            jobs.append((self.model_sync, IntervalTrigger(seconds=self.model_sync_s), "model-sync"))
        for func, trigger, job_id in jobs:
            self.scheduler.add_job(func, trigger, id=job_id, replace_existing=True, **JOB_DEFAULTS)
        self.scheduler.start()
        try:
            await self.refresh()
        except Exception as exc:  # database down at start: the refresh job retries
            logger.warning("could not load the channel list yet: %s", exc)

    async def shutdown(self) -> None:
        """Stop the scheduler; running jobs are not waited for."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    # -- jobs ---------------------------------------------------------------------------------

    async def refresh(self) -> int:
        """Reload channels and schedules now (``ChannelJobs.refresh``); returns how many."""
        return await self.channels.refresh()

    async def poll_schedules(self) -> bool:
        """Reload when ``schedules_version()`` moved (``ChannelJobs.poll``); ``True`` if so."""
        return await self.channels.poll()

    async def scheduled_report(self, platform: str, channel: str) -> bool:
        """The job of one channel: report the period that ended at the latest fire time."""
        job = self.scheduler.get_job(JOB_PREFIX + f"{platform}/{channel}")
        if job is None:
            return False
        fired = last_fire(job.trigger, datetime.now(self.tz))
        if fired is None:
            return False
        end, period = fired
        return await self.run_report(platform, channel, end=end, period=period)

    async def run_report(
        self, platform: str, channel: str, *, end: datetime, period: timedelta
    ) -> bool:
        """Claim the report of ``[end - period, end)`` and post it; ``False`` when this
        instance did not post it (nothing to report, posted elsewhere, leased elsewhere or the
        post failed: the last two stay pending and are retried, ``bot.reports.leases``)."""
        return await self.reports.report(Period(platform, channel, end, period))

    async def post(self, platform: str, channel: str, reply: Reply) -> None:
        """Post through the platform's adapter; a failure is logged, not raised."""
        await self._deliver(platform, channel, reply)

    async def _deliver(self, platform: str, channel: str, reply: Reply) -> bool:
        adapter = self.adapters.get(platform)
        if adapter is None:
            logger.warning("no %s adapter here; message to %s not posted", platform, channel)
            return False
        try:
            await adapter.post(channel, reply)
        except Exception:
            logger.exception("posting to %s/%s failed", platform, channel)
            return False
        self.posted += 1
        return True

    async def check_alerts(self) -> int:
        """Check the channels of this instance's platforms for sentiment drops."""
        return len(await self.alerts.check_all(platforms=set(self.adapters)))

    async def purge(self, now: datetime | None = None) -> int:
        """Delete messages (and charts) past retention; returns how many messages went."""
        return await purge_expired(self.repository, self.settings, now or datetime.now(UTC))

    # -- admin --------------------------------------------------------------------------------

    async def apply_schedule(self, pair: tuple[str, str], cron: str) -> None:
        """Reschedule a channel whose schedule changed; a channel without a job: refresh."""
        await self.channels.apply(pair, cron)
