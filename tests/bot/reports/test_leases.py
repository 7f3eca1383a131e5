"""Report claims as leases: a failed post is retried, a dead claimer's report is posted by
another instance once its lease expires, and each report is posted exactly once (in memory and
on SQLite; PostgreSQL when configured)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.messages import Reply
from bot.reports.scheduler import ReportScheduler
from storage.repository import Repository
from tests.bot.reports.test_scheduler import settings_for, wait_for
from tests.fakes.reports import NOW, RecordingAdapter, fill
from tests.fakes.storage import FakeRepository, utc

END, DAY = utc(2026, 11, 25, 9), timedelta(days=1)
START = END - DAY


class FlakyAdapter(RecordingAdapter):
    """Fails its first ``failures`` posts, like a platform that is briefly away."""

    def __init__(self, failures: int = 1) -> None:
        super().__init__("slack")
        self.failures = failures

    async def post(self, channel: str, reply: Reply) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("platform away")
        await super().post(channel, reply)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def instance(tmp_path: Path, repo: Repository, adapter: RecordingAdapter, name: str, **kw: object):
    return ReportScheduler(
        settings_for(tmp_path),
        repo,
        {"slack": adapter},
        instance=name,
        **kw,  # type: ignore[arg-type]
    )


async def test_a_failed_post_is_retried_and_posted_once(
    tmp_path: Path, any_repo: Repository
) -> None:
    fill(any_repo, "C1", [(utc(2026, 11, 25, 8), 0.8)])
    flaky, other = FlakyAdapter(), RecordingAdapter()
    a = instance(tmp_path, any_repo, flaky, "a")
    b = instance(tmp_path, any_repo, other, "b")
    assert await a.run_report("slack", "C1", end=END, period=DAY) is False
    assert flaky.posts == [] and len(a.reports.pending) == 1
    # the failure ended a's lease at once: the next claimer posts it, and only once
    assert await a.reports.retry_pending() == 1
    assert len(flaky.posts) == 1 and a.reports.pending == []
    assert await b.run_report("slack", "C1", end=END, period=DAY) is False
    assert await b.reports.retry_pending() == 0
    assert await a.reports.retry_pending() == 0
    assert len(flaky.posts) + len(other.posts) == 1


async def test_another_instance_takes_over_a_failed_post(
    tmp_path: Path, any_repo: Repository
) -> None:
    fill(any_repo, "C1", [(utc(2026, 11, 25, 8), 0.8)])
    flaky, other = FlakyAdapter(failures=100), RecordingAdapter()
    a = instance(tmp_path, any_repo, flaky, "a")
    b = instance(tmp_path, any_repo, other, "b")
    assert await a.run_report("slack", "C1", end=END, period=DAY) is False
    assert await b.run_report("slack", "C1", end=END, period=DAY) is True
    assert await a.reports.retry_pending() == 0
    assert flaky.posts == [] and len(other.posts) == 1


async def test_a_dead_claimers_report_is_posted_after_its_lease_once(
    tmp_path: Path, any_repo: Repository
) -> None:
    fill(any_repo, "C1", [(utc(2026, 11, 25, 8), 0.8)])
    clock = Clock(NOW)
    # an instance claimed it for 300 s and died before posting
    assert any_repo.claim_report("slack", "C1", START, END, "dead", lease_s=300, now=NOW)
    adapters = [RecordingAdapter(), RecordingAdapter()]
    live = [
        instance(tmp_path, any_repo, adapter, f"live-{i}", lease_s=300, clock=clock)
        for i, adapter in enumerate(adapters)
    ]
    results = [await s.run_report("slack", "C1", end=END, period=DAY) for s in live]
    assert results == [False, False] and all(len(s.reports.pending) == 1 for s in live)
    clock.now = NOW + timedelta(seconds=299)  # still the dead one's lease
    assert [await s.reports.retry_pending() for s in live] == [0, 0]
    clock.now = NOW + timedelta(seconds=301)
    posted = await asyncio.gather(*(s.reports.retry_pending() for s in live))
    assert sorted(posted) == [0, 1] and sum(len(a.posts) for a in adapters) == 1
    assert [await s.reports.retry_pending() for s in live] == [0, 0]
    # the loser stops retrying after its pending window; nothing is posted twice
    clock.now = NOW + timedelta(hours=1)
    assert [await s.reports.retry_pending() for s in live] == [0, 0]
    assert all(s.reports.pending == [] for s in live)
    assert sum(len(a.posts) for a in adapters) == 1


async def test_the_retry_job_posts_a_dead_claimers_report(
    tmp_path: Path, fake_repo: FakeRepository
) -> None:
    fill(fake_repo, "C1", [(utc(2026, 11, 25, 8), 0.8)])
    fake_repo.claim_report("slack", "C1", START, END, "dead", lease_s=0.3)
    adapter = RecordingAdapter()
    scheduler = instance(tmp_path, fake_repo, adapter, "live", lease_s=10, retry_s=0.05)
    await scheduler.start()
    try:
        assert await scheduler.run_report("slack", "C1", end=END, period=DAY) is False
        key = ("slack", "C1", START, END)
        # the outcome is recorded just after the post: wait for it, not for the post alone
        await wait_for(lambda: fake_repo.claims[key].outcome == "posted")
    finally:
        await scheduler.shutdown()
    claim = fake_repo.claims[key]
    assert claim.instance == "live" and len(adapter.posts) == 1


async def test_a_post_slower_than_half_the_lease_is_abandoned(
    tmp_path: Path, fake_repo: FakeRepository
) -> None:
    fill(fake_repo, "C1", [(utc(2026, 11, 25, 8), 0.8)])

    class Slow(RecordingAdapter):
        async def post(self, channel: str, reply: Reply) -> None:
            await asyncio.sleep(5)

    scheduler = instance(tmp_path, fake_repo, Slow(), "slow", lease_s=0.2)
    assert await scheduler.run_report("slack", "C1", end=END, period=DAY) is False
    claim = fake_repo.claims[("slack", "C1", START, END)]
    assert claim.outcome == "failed" and len(scheduler.reports.pending) == 1


@pytest.mark.postgres
async def test_dead_claimer_on_postgresql(tmp_path: Path, postgres_url: str) -> None:
    from storage.database import Database
    from storage.migrate import upgrade

    upgrade(postgres_url)
    clock = Clock(datetime.now(UTC))
    with Database(postgres_url) as a, Database(postgres_url) as b:
        end = clock.now.replace(microsecond=0) - timedelta(hours=1)
        fill(a.repository, "LEASE1", [(end - timedelta(minutes=5), 0.8)])
        a.repository.claim_report(
            "slack", "LEASE1", end - DAY, end, "dead", lease_s=60, now=clock.now
        )
        adapters = [RecordingAdapter(), RecordingAdapter()]
        live = [
            instance(tmp_path, db.repository, adapter, f"pg-{i}", lease_s=60, clock=clock)
            for i, (db, adapter) in enumerate(zip((a, b), adapters, strict=True))
        ]
        for s in live:
            assert await s.run_report("slack", "LEASE1", end=end, period=DAY) is False
        clock.now += timedelta(seconds=61)
        posted = await asyncio.gather(*(s.reports.retry_pending() for s in live))
        assert sorted(posted) == [0, 1] and sum(len(x.posts) for x in adapters) == 1


async def test_pending_reports_survive_a_database_outage(
    tmp_path: Path, fake_repo: FakeRepository
) -> None:
    fill(fake_repo, "C1", [(utc(2026, 11, 25, 8), 0.8)])
    flaky = FlakyAdapter()
    scheduler = instance(tmp_path, fake_repo, flaky, "a")
    assert await scheduler.run_report("slack", "C1", end=END, period=DAY) is False
    fake_repo.fail = ConnectionError("database down")
    assert await scheduler.reports.retry_pending() == 0  # no exception, still pending
    assert len(scheduler.reports.pending) == 1
    fake_repo.fail = None
    assert await scheduler.reports.retry_pending() == 1 and len(flaky.posts) == 1


async def test_a_report_due_during_an_outage_is_posted_after_it(
    tmp_path: Path, fake_repo: FakeRepository
) -> None:
    fill(fake_repo, "C1", [(utc(2026, 11, 25, 8), 0.8)])
    fill(fake_repo, "C2", [(utc(2026, 11, 20, 8), 0.8)])  # nothing in the reported day
    adapter = RecordingAdapter()
    scheduler = instance(tmp_path, fake_repo, adapter, "a")
    fake_repo.fail = ConnectionError("database down")
    for channel in ("C1", "C2"):
        assert await scheduler.run_report("slack", channel, end=END, period=DAY) is False
    assert len(scheduler.reports.pending) == 2
    fake_repo.fail = None
    assert await scheduler.reports.retry_pending() == 1
    assert [channel for channel, _ in adapter.posts] == ["C1"] and scheduler.reports.pending == []
