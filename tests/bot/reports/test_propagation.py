"""Schedule changes and new channels reach every instance within seconds: each scheduler polls
``schedules_version()`` and reloads when it moved (two schedulers on one database: in memory,
SQLite, PostgreSQL when configured), not only at the 5-minute full refresh."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from apscheduler.triggers.interval import IntervalTrigger

from bot.core.commands.schedule import change_schedule
from bot.reports.scheduler import JOB_PREFIX, ReportScheduler
from storage.repository import Repository
from tests.bot.reports.test_scheduler import settings_for, wait_for
from tests.fakes.reports import RecordingAdapter, fill, message

WEEKDAYS = "30 17 * * 1-5"


def scheduler_on(tmp_path: Path, repo: Repository, name: str) -> ReportScheduler:
    return ReportScheduler(
        settings_for(tmp_path),
        repo,
        {"slack": RecordingAdapter()},
        instance=name,
        trigger_factory=lambda cron: IntervalTrigger(hours=1),  # never fires in the test
        refresh_s=3600,  # the full reload would be far too late
        poll_s=0.1,
    )


async def follow_each_other(tmp_path: Path, repo_a: Repository, repo_b: Repository) -> None:
    now = datetime.now(UTC)
    fill(repo_a, "C1", [(now, 0.5)])
    a, b = scheduler_on(tmp_path, repo_a, "a"), scheduler_on(tmp_path, repo_b, "b")
    await a.start()
    await b.start()
    try:
        assert b.channels.crons == {("slack", "C1"): "0 9 * * *"}
        # /sentiment-schedule on instance a
        reply = await change_schedule(repo_a, a.settings.reports, a, "slack", "C1", WEEKDAYS)
        assert "now follow" in reply.text and a.channels.crons[("slack", "C1")] == WEEKDAYS
        await wait_for(lambda: b.channels.crons.get(("slack", "C1")) == WEEKDAYS, timeout=10)
        # a new channel's first message, stored by any instance: both schedule its report
        repo_b.upsert_messages([message("C2", "first", now, 0.5)])
        for s in (a, b):
            await wait_for(lambda s=s: s.scheduler.get_job(JOB_PREFIX + "slack/C2") is not None, 10)
        # nothing moved: a poll does not reload
        assert await b.poll_schedules() is False
    finally:
        await a.shutdown()
        await b.shutdown()


async def test_two_schedulers_on_one_repository_follow_each_other(
    tmp_path: Path, any_repo: Repository
) -> None:
    await follow_each_other(tmp_path, any_repo, any_repo)


@pytest.mark.postgres
async def test_two_schedulers_on_postgresql_follow_each_other(
    tmp_path: Path, postgres_url: str
) -> None:
    from storage.database import Database
    from storage.migrate import upgrade

    upgrade(postgres_url)
    with Database(postgres_url) as a, Database(postgres_url) as b:
        await follow_each_other(tmp_path, a.repository, b.repository)


async def test_an_outage_is_logged_once_and_the_poll_recovers(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.fakes.storage import FakeRepository

    repo = FakeRepository()
    scheduler = scheduler_on(tmp_path, repo, "a")
    repo.fail = ConnectionError("database down at db.internal")
    assert [await scheduler.poll_schedules() for _ in range(3)] == [False] * 3
    warnings = [r.getMessage() for r in caplog.records if "schedules version" in r.getMessage()]
    assert warnings == ["cannot read the schedules version: ConnectionError"]
    repo.fail = None
    fill(repo, "C1", [(datetime.now(UTC), 0.5)])
    assert await scheduler.poll_schedules() is True
    assert ("slack", "C1") in scheduler.channels.crons
    await scheduler.shutdown()
