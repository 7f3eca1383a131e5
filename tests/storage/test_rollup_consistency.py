"""The rollups stay the stored messages' exact totals under every write path, and the
dashboard's answers read from them equal answers computed from the messages themselves.

Random sequences of originals, rescores, edits (in any order), deletes, user and channel
opt-outs and retention purges run on each database and on the fake (``any_repo``): one set of
assertions for all, checked along the way. The dashboard's overview and channel page are
compared on both databases for periods whose edges fall mid-day, mid-hour and on midnight.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

import pytest

from storage.dashboard_queries import HEATMAP_DAYS, SqlDashboardReader, spark_keys, window
from storage.dashboard_types import ChannelDetail, ChannelSummary, Totals
from storage.database import Database
from storage.repository import Repository
from storage.types import ScoredMessage
from tests.fakes.storage import FakeRepository
from tests.storage.random_writes import CHANNELS, NOW, RandomWrites
from tests.storage.rollup_reference import (
    PERIODS,
    assert_rollups_exact,
    assert_same,
    assert_stats_match,
    comparable,
    hour,
    stored,
    totals_of,
)

SEEDS = (1, 2)
STEPS, CHECK_EVERY = 160, 40
# Mid-hour; half past eleven (the 24-hour window ends at midnight); ten past midnight.
NOWS = (NOW, NOW.replace(hour=23, minute=30) - timedelta(days=1), NOW.replace(hour=0, minute=10))


@pytest.mark.parametrize("seed", SEEDS)
def test_random_writes_keep_rollups_and_stats_exact(any_repo: Repository, seed: int) -> None:
    shadow = FakeRepository()  # the same operations on the fake: the same rows must remain
    for step, op in enumerate(RandomWrites(seed).ops(STEPS), 1):
        op(any_repo)
        op(shadow)
        if step % CHECK_EVERY:
            continue
        messages = stored(any_repo)
        assert comparable(messages) == comparable(stored(shadow)), step
        if not isinstance(any_repo, FakeRepository):
            assert_rollups_exact(any_repo.engine, messages.values())  # type: ignore[attr-defined]
        for channel in CHANNELS:
            for period in PERIODS:
                stats = any_repo.channel_stats("slack", channel, NOW - period, NOW, examples=0)
                assert_stats_match(stats, messages.values())


def assert_overview(
    got: list[ChannelSummary], messages: list[ScoredMessage], period: timedelta, now: datetime
) -> None:
    start, end = window(period, now)
    keys = spark_keys(start, end)
    form = "%Y-%m-%d %H" if end - start <= timedelta(days=1) else "%Y-%m-%d"
    with_rows = {(m.platform, m.channel) for m in messages}
    assert with_rows <= {(s.platform, s.channel) for s in got}
    for summary in got:
        totals, previous, spark = Totals(), Totals(), defaultdict(Totals)
        for m in messages:
            if (m.platform, m.channel) != (summary.platform, summary.channel):
                continue
            if start <= m.created_at < end:
                totals.add(totals_of(m))
                spark[f"{m.created_at.astimezone(UTC):{form}}"].add(totals_of(m))
            elif start - (end - start) <= m.created_at < start:
                previous.add(totals_of(m))
        where = (summary.channel, period, now)
        assert_same(summary.totals, totals, where)
        assert_same(summary.previous, previous, where)
        want = [spark[k].mean if k in spark else None for k in keys]
        assert [x is None for x in summary.spark] == [x is None for x in want], where
        assert summary.spark == pytest.approx(want, abs=1e-9), where


def assert_channel(
    got: ChannelDetail | None, channel: str, messages: list[ScoredMessage], now: datetime
) -> None:
    mine = [m for m in messages if m.channel == channel]
    if not mine:
        assert got is None
        return
    assert got is not None
    assert_stats_match(got.stats, messages)
    heat_start = window(timedelta(days=HEATMAP_DAYS), now)[0]
    grid = [[Totals() for _ in range(24)] for _ in range(7)]
    for m in mine:
        if hour(m.created_at) >= heat_start:
            grid[m.created_at.astimezone(UTC).weekday()][m.created_at.astimezone(UTC).hour].add(
                totals_of(m)
            )
    for weekday in range(7):
        for h in range(24):
            assert_same(got.heatmap[weekday][h], grid[weekday][h], (channel, weekday, h))
    start, end = got.stats.start, got.stats.end
    unscored = Counter(m.reason or "unknown" for m in mine
                       if m.score is None and start <= m.created_at < end)  # fmt: skip
    assert got.unscored == dict(unscored)


@pytest.mark.parametrize("seed", SEEDS)
def test_dashboard_from_rollups_equals_from_messages(database: Database, seed: int) -> None:
    for op in RandomWrites(seed).ops(STEPS):
        op(database.repository)
    messages = list(stored(database.repository).values())
    assert len(messages) > 50  # enough survived the deletes and purges to mean something
    assert_rollups_exact(database.engine, messages)
    reader = SqlDashboardReader(database.engine)
    for now in NOWS:
        for period in PERIODS:
            assert_overview(reader.overview(period, now), messages, period, now)
            for channel in CHANNELS:
                detail = reader.channel("slack", channel, period, now, examples=3)
                assert_channel(detail, channel, messages, now)
