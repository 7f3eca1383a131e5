"""The report scheduler: jobs per channel, a fast trigger fires, one post per period across
instances (in memory, and on PostgreSQL when configured), schedules per channel, retention."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.triggers.interval import IntervalTrigger

from bot.config import AlertsConfig, ReportsConfig, Settings, load_settings
from bot.core.commands.schedule import change_schedule
from bot.reports.crontab import crontab_trigger, last_fire, validate_cron
from bot.reports.scheduler import JOB_PREFIX, ReportScheduler
from storage.repository import Repository
from storage.types import ChannelSettings
from tests.fakes.reports import NOW, RecordingAdapter, fill, message, steady
from tests.fakes.storage import FakeRepository, utc


def settings_for(tmp_path: Path, **reports: object) -> Settings:
    config = tmp_path / "config.toml"
    config.write_text("")
    return load_settings(
        config,
        reports=ReportsConfig(chart_dir=tmp_path / "charts", min_messages=1, **reports),
        alerts=AlertsConfig(enabled=False),
    )


def fast_triggers(start: datetime, seconds: float = 0.2):
    """Every schedule becomes a short interval from ``start`` (the same fire times everywhere)."""
    return lambda cron: IntervalTrigger(seconds=seconds, start_date=start)


def chatter(start: datetime, score: float) -> list[tuple[datetime, float]]:
    """A message every 50 ms for 10 s from ``start``: every 0.2 s report has some."""
    return [(start + timedelta(seconds=0.05 * i), score) for i in range(200)]


async def wait_for(condition, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


def test_crontab_weekdays_mean_what_crontab_says() -> None:
    # APScheduler 3's from_crontab would read 1-5 as Tuesday..Saturday
    trigger = crontab_trigger("0 9 * * 1-5", UTC)
    friday = utc(2026, 11, 27, 10)
    assert trigger.get_next_fire_time(None, friday) == utc(2026, 11, 30, 9)  # Monday
    sunday = crontab_trigger("30 8 * * 0", UTC)
    assert sunday.get_next_fire_time(None, friday).weekday() == 6


@pytest.mark.parametrize("bad", ["0 9 * *", "61 9 * * *", "0 9 * * 8", "every day"])
def test_invalid_cron_is_refused_clearly(bad: str) -> None:
    with pytest.raises(ValueError, match="invalid schedule"):
        validate_cron(bad)


def test_last_fire_gives_the_period_that_just_ended() -> None:
    daily = crontab_trigger("0 9 * * *", UTC)
    assert last_fire(daily, utc(2026, 11, 25, 12)) == (utc(2026, 11, 25, 9), timedelta(days=1))
    assert last_fire(daily, utc(2026, 11, 25, 8)) == (utc(2026, 11, 24, 9), timedelta(days=1))
    weekdays = crontab_trigger("0 9 * * 1-5", UTC)
    monday = utc(2026, 11, 30, 9, 0, 30)
    assert last_fire(weekdays, monday) == (utc(2026, 11, 30, 9), timedelta(days=3))


async def test_a_fast_trigger_posts_reports(tmp_path: Path, fake_repo: FakeRepository) -> None:
    now = datetime.now(UTC)
    fill(fake_repo, "C1", chatter(now, 0.9))
    fill(fake_repo, "C2", chatter(now, 0.1))
    fake_repo.upsert_messages([message("D1", "x", now, 0.5, platform="discord")])  # no adapter
    adapter = RecordingAdapter("slack")
    scheduler = ReportScheduler(
        settings_for(tmp_path),
        fake_repo,
        {"slack": adapter},
        instance="one",
        trigger_factory=fast_triggers(now),
    )
    await scheduler.start()
    try:
        await wait_for(lambda: {c for c, _ in adapter.posts} == {"C1", "C2"})
    finally:
        await scheduler.shutdown()
    jobs = {job.id for job in scheduler.scheduler.get_jobs()}
    assert {JOB_PREFIX + "slack/C1", JOB_PREFIX + "slack/C2"} <= jobs
    assert JOB_PREFIX + "discord/D1" not in jobs
    channel, reply = adapter.posts[0]
    assert reply.text.startswith(f"Sentiment report for <#{channel}> (slack), last 0.2s")
    # every post was claimed first, for a 0.2 s period
    assert len(fake_repo.claims) >= len(adapter.posts)
    assert all(end - start == timedelta(seconds=0.2) for _, _, start, end in fake_repo.claims)


async def test_two_instances_post_each_report_once(tmp_path, fake_repo: FakeRepository) -> None:
    now = datetime.now(UTC)
    fill(fake_repo, "C1", chatter(now, 0.7))
    adapters = [RecordingAdapter("slack"), RecordingAdapter("slack")]
    schedulers = [
        ReportScheduler(
            settings_for(tmp_path),
            fake_repo,
            {"slack": adapter},
            instance=f"bot-{i}",
            # 0.5 s periods: on a loaded machine a report (chart included) can take longer than
            # 0.2 s, and a period an instance skips as misfired is never reported by both
            trigger_factory=fast_triggers(now, seconds=0.5),
        )
        for i, adapter in enumerate(adapters)
    ]
    outcomes: dict[datetime, list[bool]] = {}
    for scheduler in schedulers:
        original = scheduler.run_report

        async def recording(platform: str, channel: str, *, end: datetime, period: timedelta,
                            _run=original) -> bool:  # fmt: skip
            posted = await _run(platform, channel, end=end, period=period)
            outcomes.setdefault(end, []).append(posted)
            return posted

        scheduler.run_report = recording  # type: ignore[method-assign]
    for scheduler in schedulers:
        await scheduler.start()
    try:
        await wait_for(lambda: sum(len(o) == 2 for o in outcomes.values()) >= 3, timeout=60)
    finally:
        for scheduler in schedulers:
            await scheduler.shutdown()
    both = {end: o for end, o in outcomes.items() if len(o) == 2}
    # each period that both instances reported: exactly one of them posted it
    assert all(sorted(o) == [False, True] for o in both.values()), both
    posted = sum(o.count(True) for o in outcomes.values())
    assert len(adapters[0].posts) + len(adapters[1].posts) == posted >= len(both)


async def run_twice_concurrently(
    repos: list[Repository],
    tmp_path: Path,
    *,
    repeat: bool = False,
) -> list[RecordingAdapter]:
    """Two instances report the same channel and period at once; returns their adapters."""
    adapters = [RecordingAdapter("slack") for _ in repos]
    schedulers = [
        ReportScheduler(settings_for(tmp_path), repo, {"slack": a}, instance=f"i{n}")
        for n, (repo, a) in enumerate(zip(repos, adapters, strict=True))
    ]
    end, period = utc(2026, 11, 25, 9), timedelta(days=1)
    results = await asyncio.gather(
        *(s.run_report("slack", "C1", end=end, period=period) for s in schedulers)
    )
    assert sorted(results) == ([False, False] if repeat else [False, True])
    return adapters


async def test_concurrent_instances_in_memory(tmp_path: Path, fake_repo: FakeRepository) -> None:
    fill(fake_repo, "C1", [(utc(2026, 11, 25, 8), 0.8)])
    adapters = await run_twice_concurrently([fake_repo, fake_repo], tmp_path)
    texts = [r.text for a in adapters for _, r in a.posts]
    assert len(texts) == 1 and "Messages: 1 scored" in texts[0]


@pytest.mark.postgres
async def test_two_instances_on_postgresql_post_once(tmp_path: Path, postgres_url: str) -> None:
    from storage.database import Database
    from storage.migrate import upgrade

    upgrade(postgres_url)
    with Database(postgres_url) as a, Database(postgres_url) as b:
        fill(a.repository, "C1", [(utc(2026, 11, 25, 8), 0.8)])
        adapters = await run_twice_concurrently([a.repository, b.repository], tmp_path)
        assert sum(len(x.posts) for x in adapters) == 1
        # the same period again, from either instance: already claimed, not posted again
        again = await run_twice_concurrently([b.repository, a.repository], tmp_path, repeat=True)
        assert sum(len(x.posts) for x in again) == 0


async def test_admin_sets_and_resets_a_channel_schedule(
    tmp_path: Path,
    fake_repo: FakeRepository,
) -> None:
    fill(fake_repo, "C1", [(NOW, 0.5)])
    fake_repo.set_channel(ChannelSettings("slack", "C1", workspace="T1"))
    scheduler = ReportScheduler(settings_for(tmp_path), fake_repo, {"slack": RecordingAdapter()})
    await scheduler.start()
    try:
        reply = await change_schedule(
            fake_repo, scheduler.settings.reports, scheduler, "slack", "C1", "30 17 * * 1-5"
        )
        assert "now follow schedule '30 17 * * 1-5'" in reply.text
        assert fake_repo.get_channel("slack", "C1") == ChannelSettings(
            "slack", "C1", workspace="T1", report_cron="30 17 * * 1-5"
        )
        trigger = scheduler.scheduler.get_job(JOB_PREFIX + "slack/C1").trigger
        assert trigger.get_next_fire_time(None, utc(2026, 11, 28, 0)) == utc(2026, 11, 30, 17, 30)

        bad = await change_schedule(
            fake_repo, scheduler.settings.reports, scheduler, "slack", "C1", "every monday"
        )
        assert bad.ephemeral and "invalid schedule" in bad.text
        assert fake_repo.get_channel("slack", "C1").report_cron == "30 17 * * 1-5"

        shown = await change_schedule(
            fake_repo, scheduler.settings.reports, scheduler, "slack", "C1", ""
        )
        assert "'30 17 * * 1-5'" in shown.text and "Usage" in shown.text

        reset = await change_schedule(
            fake_repo, scheduler.settings.reports, scheduler, "slack", "C1", "default"
        )
        assert "the default schedule '0 9 * * *'" in reset.text
        assert fake_repo.get_channel("slack", "C1").report_cron is None
        trigger = scheduler.scheduler.get_job(JOB_PREFIX + "slack/C1").trigger
        assert trigger.get_next_fire_time(None, utc(2026, 11, 28, 0)) == utc(2026, 11, 28, 9)
    finally:
        await scheduler.shutdown()


async def test_opted_out_channels_lose_their_job(tmp_path: Path, fake_repo: FakeRepository) -> None:
    fill(fake_repo, "C1", [(NOW, 0.5)])
    scheduler = ReportScheduler(settings_for(tmp_path), fake_repo, {"slack": RecordingAdapter()})
    await scheduler.start()
    try:
        assert scheduler.scheduler.get_job(JOB_PREFIX + "slack/C1") is not None
        fake_repo.set_channel(ChannelSettings("slack", "C1", opted_out=True))
        assert await scheduler.refresh() == 0
        assert scheduler.scheduler.get_job(JOB_PREFIX + "slack/C1") is None
    finally:
        await scheduler.shutdown()


async def test_database_down_at_start_does_not_stop_the_bot(tmp_path: Path) -> None:
    repo = FakeRepository()
    repo.fail = ConnectionError("database down")
    scheduler = ReportScheduler(settings_for(tmp_path), repo, {"slack": RecordingAdapter()})
    await scheduler.start()
    try:
        assert scheduler.scheduler.running
    finally:
        await scheduler.shutdown()


async def test_retention_purges_old_messages(tmp_path: Path, any_repo: Repository) -> None:
    settings = settings_for(tmp_path)
    settings.privacy.retention_days = 30
    fill(any_repo, "C1", [(NOW - timedelta(days=31), 0.5), (NOW - timedelta(days=29), 0.5)])
    scheduler = ReportScheduler(settings, any_repo, {})
    assert await scheduler.purge(now=NOW) == 1
    stats = any_repo.channel_stats("slack", "C1", NOW - timedelta(days=40), NOW)
    assert stats.count == 1


async def test_retention_purges_tombstones_after_tombstone_days(
    tmp_path: Path, any_repo: Repository
) -> None:
    settings = settings_for(tmp_path)
    settings.privacy.tombstone_days = 2  # not the repository's default (7)
    old = message("C1", "old", NOW - timedelta(days=4), 0.5)
    recent = message("C1", "recent", NOW - timedelta(days=4), 0.5)
    any_repo.upsert_messages([old, recent])
    any_repo.delete_message(old.key, NOW - timedelta(days=3))
    any_repo.delete_message(recent.key, NOW - timedelta(days=1))
    await ReportScheduler(settings, any_repo, {}).purge(now=NOW)
    # a replay of the old delete's message gets through its purged tombstone; the recent one's
    # tombstone still holds
    assert any_repo.upsert_messages([old, recent]) == 1
    stats = any_repo.channel_stats("slack", "C1", NOW - timedelta(days=40), NOW)
    assert stats.count == 1


async def test_a_silent_channel_gets_no_scheduled_post(tmp_path, fake_repo: FakeRepository) -> None:
    fill(fake_repo, "C1", [(utc(2026, 11, 20, 8), 0.8)])  # nothing in the reported day
    adapter = RecordingAdapter()
    scheduler = ReportScheduler(settings_for(tmp_path), fake_repo, {"slack": adapter})
    posted = await scheduler.run_report("slack", "C1", end=NOW, period=timedelta(days=1))
    assert posted is False and adapter.posts == [] and fake_repo.claims == {}


async def test_alerts_only_for_platforms_this_instance_serves(
    tmp_path, fake_repo: FakeRepository
) -> None:
    now = datetime.now(UTC)
    drop = steady(now, 6, 20, 0.2) + steady(now - timedelta(hours=6), 7 * 24, 40, 0.8)
    fill(fake_repo, "C1", drop)
    fake_repo.upsert_messages(
        [
            message("D1", f"d{i}", at, score, platform="discord")
            for i, (at, score) in enumerate(drop)
        ]
    )
    settings = settings_for(tmp_path)
    settings.alerts = AlertsConfig(enabled=True, window_hours=6, drop=0.2, min_messages=20)
    adapter = RecordingAdapter("slack")
    scheduler = ReportScheduler(settings, fake_repo, {"slack": adapter})
    assert await scheduler.check_alerts() == 1
    assert [channel for channel, _ in adapter.posts] == ["C1"]
    # the Discord channel's alert is left for an instance that can post it
    assert not any(channel.endswith("D1") for _, channel, _, _ in fake_repo.claims)


async def test_jobs_are_scheduled(tmp_path, fake_repo: FakeRepository) -> None:
    synced = asyncio.Event()

    async def sync() -> None:
        synced.set()

    settings = settings_for(tmp_path)
    settings.alerts = AlertsConfig(enabled=True)
    scheduler = ReportScheduler(settings, fake_repo, {}, model_sync=sync, model_sync_s=0.1)
    await scheduler.start()
    try:
        ids = {job.id for job in scheduler.scheduler.get_jobs()}
        assert {"refresh", "retention", "alerts", "model-sync"} <= ids
        await asyncio.wait_for(synced.wait(), 5)
    finally:
        await scheduler.shutdown()
