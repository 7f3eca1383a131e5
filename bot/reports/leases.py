"""Scheduled reports posted exactly once across instances: claims as leases, outcomes recorded.

A report (one channel, one period) is claimed in the database as a lease of ``lease_s`` seconds
(``Repository.claim_report(..., lease_s=...)``) before it is built and posted. Then:

- posted: ``finish_report(posted=True)``; the report is final, nobody claims it again.
- the build or the post failed or ran past half the lease: ``finish_report(posted=False)`` ends
  the lease at once, and the period stays *pending* here, so this instance (or any other that
  has it pending) claims it again on its next retry tick.
- the claimer died: its lease expires after ``lease_s``; every instance that lost the claim
  kept the period pending and retries it every ``retry_s``, so the first one after expiry
  claims it and posts it.
- the database was away when the period ended: the period stays pending and its retry first
  counts its messages (an empty period is never posted).

Guarantees: each report is posted at most once while every post finishes within the lease
(a post is abandoned at ``lease_s / 2``) and instances' clocks agree to within the other half;
it is posted at least once while some instance that saw the period keeps running for
``pending_s`` (``2 * lease_s + retry_s`` by default) after it. A period no running instance saw
(all instances down at its fire time) is not caught up.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.core.messages import Reply
from bot.reports.build import build_report, report_settings
from bot.reports.learn import LEARN
from storage.repository import Repository

if TYPE_CHECKING:
    from model.batcher import BatchScorer as Scorer

logger = logging.getLogger(__name__)

REPORT_LEASE_S = 300.0  # a claimed report is another instance's to post this long after a crash
REPORT_RETRY_S = 30.0  # how often pending reports are claimed again
FINISH_ATTEMPTS = 3  # recording "posted" is retried; a lost record means a second post later

Deliver = Callable[[str, str, Reply], Awaitable[bool]]
Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class Period:
    """One report: a channel and the period ``[end - length, end)``."""

    platform: str
    channel: str
    end: datetime
    length: timedelta

    def __str__(self) -> str:  # for logs: ids and times only
        return f"{self.platform}/{self.channel} to {self.end.isoformat()}"


class ReportPoster:
    """Claim, build, post and record scheduled reports; retry the ones not known posted.

    Parameters
    ----------
    repository
        The shared database (its claims decide who posts).
    settings, timezone, scorer
        What ``build_report`` needs.
    instance
        This instance's name in the claims.
    deliver
        ``deliver(platform, channel, reply)``: ``True`` once the platform took the post.
    lease_s, pending_s
        The claim's lease, and how long a period not known to be posted is retried here.
    clock
        The time the leases are measured with (UTC wall clock; tests replace it).
    """

    def __init__(
        self,
        repository: Repository,
        settings: Settings,
        instance: str,
        timezone: tzinfo,
        deliver: Deliver,
        *,
        lease_s: float = REPORT_LEASE_S,
        pending_s: float | None = None,
        scorer: Scorer | None = None,
        clock: Clock = lambda: datetime.now(UTC),
    ) -> None:
        self.repository = repository
        self.settings = settings
        self.instance = instance
        self.timezone = timezone
        self.deliver = deliver
        self.lease_s = lease_s
        self.pending_s = pending_s if pending_s is not None else 2 * lease_s + REPORT_RETRY_S
        self.scorer = scorer
        self.clock = clock
        self._pending: dict[Period, datetime] = {}  # period -> when this instance gives up
        self._uncounted: set[Period] = set()  # pending before its messages could be counted

    @property
    def pending(self) -> list[Period]:
        """Periods this instance saw and does not know to be posted."""
        return list(self._pending)

    async def report(self, period: Period) -> bool:
        """The scheduled run of one period: ``True`` when this instance posted it.

        A period without any message is not posted (nor kept pending). When the database is
        away the period stays pending, and its retry counts its messages first.
        """
        try:
            stats = await asyncio.to_thread(
                self.repository.channel_stats,
                period.platform,
                period.channel,
                period.end - period.length,
                period.end,
                examples=0,
            )
            self._uncounted.discard(period)
            if stats.count == 0:
                self._pending.pop(period, None)
                logger.info("no messages for the report %s: not posted", period)
                return False
            return await self._attempt(period)
        except Exception as exc:  # the database is away: retried from the pending list
            logger.warning("report %s not run now: %s", period, type(exc).__name__)
            self._keep(period)
            self._uncounted.add(period)
            return False

    async def retry_pending(self) -> int:
        """Claim every pending period again (posting those whose lease ended); returns how many
        this call posted. Periods pending longer than ``pending_s`` are dropped with a warning."""
        now = self.clock()
        posted = 0
        for period, give_up in list(self._pending.items()):
            if now >= give_up:
                del self._pending[period]
                self._uncounted.discard(period)
                logger.warning("report %s not confirmed posted; no more retries here", period)
                continue
            if period in self._uncounted:
                posted += await self.report(period)
                continue
            try:
                posted += await self._attempt(period)
            except Exception as exc:  # database away: still pending, next tick
                logger.warning("report %s not retried now: %s", period, type(exc).__name__)
        return posted

    async def _attempt(self, period: Period) -> bool:
        claimed = await asyncio.to_thread(
            self.repository.claim_report,
            period.platform,
            period.channel,
            period.end - period.length,
            period.end,
            self.instance,
            lease_s=self.lease_s,
            now=self.clock(),
        )
        if not claimed:  # posted, or leased by another instance that may still die
            self._keep(period)
            return False
        try:
            async with asyncio.timeout(self.lease_s / 2):
                reply = await build_report(
                    self.repository,
                    period.platform,
                    period.channel,
                    period.length,
                    now=period.end,
                    **report_settings(self.settings, timezone=self.timezone),
                    scorer=self.scorer,
                    learn=LEARN,
                )
                ok = await self.deliver(period.platform, period.channel, reply)
        except Exception as exc:  # TimeoutError included: the lease must not run out mid-post
            logger.warning("report %s not posted: %s", period, type(exc).__name__)
            ok = False
        if not ok:
            await self._finish(period, posted=False)
            self._keep(period)
            return False
        self._pending.pop(period, None)
        await self._finish(period, posted=True)
        return True

    def _keep(self, period: Period) -> None:
        if period not in self._pending:
            self._pending[period] = self.clock() + timedelta(seconds=self.pending_s)

    async def _finish(self, period: Period, *, posted: bool) -> None:
        key = (period.platform, period.channel, period.end - period.length, period.end)
        for attempt in range(FINISH_ATTEMPTS):
            try:
                await asyncio.to_thread(
                    self.repository.finish_report, *key, self.instance, posted=posted
                )
                return
            except Exception as exc:  # database away: the lease still ends by itself
                what = type(exc).__name__
                logger.warning("recording report %s (posted=%s) failed: %s", period, posted, what)
                if attempt + 1 < FINISH_ATTEMPTS:
                    await asyncio.sleep(1.0)
