"""Sentiment-drop alerts: thresholds, message counts, once per window, where they go."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.config import AlertsConfig
from bot.core.messages import Reply
from bot.reports.alerts import AlertMonitor, detect_drop
from storage.types import ChannelStats
from tests.fakes.reports import NOW, fill, steady
from tests.fakes.storage import FakeRepository

CONFIG = AlertsConfig(window_hours=6, baseline_days=7, drop=0.2, min_messages=20)


def stats(mean: float | None, count: int, hours: float) -> ChannelStats:
    return ChannelStats(
        platform="slack",
        channel="C1",
        start=NOW - timedelta(hours=hours),
        end=NOW,
        count=count,
        unscored=0,
        mean=mean,
        negative=0,
        neutral=count,
        positive=0,
        previous_count=0,
        previous_mean=None,
    )


@pytest.mark.parametrize(
    ("window_mean", "alerted"),
    [(0.49, True), (0.51, False), (0.70, False), (0.95, False)],
)
def test_drop_threshold(window_mean: float, alerted: bool) -> None:
    drop = detect_drop(stats(window_mean, 20, 6), stats(0.7, 100, 168), CONFIG)
    assert (drop is not None) is alerted
    if drop:
        assert drop.fall == pytest.approx(0.21)


@pytest.mark.parametrize(("window", "baseline"), [(19, 100), (20, 19)])
def test_too_few_messages_never_alert(window: int, baseline: int) -> None:
    assert detect_drop(stats(0.1, window, 6), stats(0.9, baseline, 168), CONFIG) is None


def test_unscored_messages_do_not_count() -> None:
    window = replace(stats(0.1, 25, 6), unscored=6)  # 19 scored
    assert detect_drop(window, stats(0.9, 100, 168), CONFIG) is None
    assert detect_drop(replace(window, unscored=5), stats(0.9, 100, 168), CONFIG) is not None


class Posts:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, Reply]] = []

    async def __call__(self, platform: str, channel: str, reply: Reply) -> None:
        self.sent.append((platform, channel, reply))


def seed(repo: FakeRepository, window_score: float, window_count: int = 20) -> None:
    window_end = NOW
    baseline_end = NOW - timedelta(hours=6)
    fill(
        repo,
        "C1",
        steady(window_end, 6, window_count, window_score) + steady(baseline_end, 7 * 24, 50, 0.7),
    )


async def test_alert_posted_once_per_window(fake_repo: FakeRepository) -> None:
    seed(fake_repo, 0.45)
    posts = Posts()
    monitor = AlertMonitor(fake_repo, CONFIG, posts, "i1")
    drop = await monitor.check("slack", "C1", NOW)
    assert drop is not None and drop.window_messages == 20 and drop.baseline_messages == 50
    assert len(posts.sent) == 1
    platform, channel, reply = posts.sent[0]
    assert (platform, channel) == ("slack", "C1")
    assert "0.450 (20 messages), down 0.250 from 0.700" in reply.text
    # the same window again, a few minutes later: no repeat
    assert await monitor.check("slack", "C1", NOW + timedelta(minutes=15)) is None
    # a second instance on the same database does not repeat it either
    other = AlertMonitor(fake_repo, CONFIG, posts, "i2")
    assert await other.check("slack", "C1", NOW + timedelta(minutes=20)) is None
    assert len(posts.sent) == 1


async def test_alert_goes_to_the_admin_channel(fake_repo: FakeRepository) -> None:
    seed(fake_repo, 0.3)
    posts = Posts()
    config = CONFIG.model_copy(update={"channel": "ADMIN"})
    await AlertMonitor(fake_repo, config, posts, "i1").check_all(NOW)
    assert [(p, c) for p, c, _ in posts.sent] == [("slack", "ADMIN")]
    assert "<#C1>" in posts.sent[0][2].text


async def test_no_alert_just_below_threshold_or_with_few_messages(
    fake_repo: FakeRepository,
) -> None:
    seed(fake_repo, 0.51)  # a fall of 0.19
    posts = Posts()
    assert await AlertMonitor(fake_repo, CONFIG, posts, "i1").check("slack", "C1", NOW) is None
    other = FakeRepository()
    seed(other, 0.1, window_count=19)
    assert await AlertMonitor(other, CONFIG, posts, "i1").check("slack", "C1", NOW) is None
    assert posts.sent == []


async def test_disabled_alerts_check_nothing(fake_repo: FakeRepository) -> None:
    seed(fake_repo, 0.1)
    posts = Posts()
    config = CONFIG.model_copy(update={"enabled": False})
    assert await AlertMonitor(fake_repo, config, posts, "i1").check_all(NOW) == []
    assert posts.sent == []
