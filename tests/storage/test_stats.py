"""Report aggregates over known scores, exact numbers, on SQLite, PostgreSQL and the fake."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from storage.repository import Repository
from storage.types import ExampleMessage
from tests.fakes.storage import FakeRepository
from tests.storage.factories import T0, message

H = timedelta(hours=1)
WINDOW_END = T0 + 3 * H


def load(repo: Repository) -> None:
    """Two busy hours in the window, a previous period, and rows that must not count."""
    repo.upsert_messages(
        [
            # 09:00 hour: negative, neutral, positive, unscored
            message("a1", 0.2, at=timedelta(minutes=1), text="meh"),
            message("a2", 0.5, at=timedelta(minutes=30), text="ok"),
            message("a3", 0.8, at=timedelta(minutes=59, seconds=59), text="nice"),
            message("a4", None, at=timedelta(minutes=10), text=""),
            # 11:00 hour
            message("b1", 0.9, at=2 * H),  # no stored text: never an example
            message("b2", 0.7, at=2 * H + timedelta(minutes=5), text="good"),
            message("b3", 0.1, at=2 * H + timedelta(minutes=6), text="awful"),
            message("b4", 0.3, at=2 * H + timedelta(minutes=7), text="bad"),
            message("b5", 0.6, at=2 * H + timedelta(minutes=8), text="fine"),
            # previous period [06:00, 09:00)
            message("p1", 0.4, at=-H),
            message("p2", 0.6, at=-3 * H),
            message("p3", None, at=-timedelta(microseconds=1)),
            # outside: end is exclusive, another channel, before the previous period
            message("x1", 0.0, at=3 * H),
            message("x2", 0.0, at=H, channel="C2"),
            message("x3", 0.0, at=-3 * H - timedelta(seconds=1)),
        ]
    )


def check(repo: Repository) -> None:
    stats = repo.channel_stats("slack", "C1", T0, WINDOW_END, examples=2)
    assert (stats.count, stats.unscored) == (9, 1)
    assert stats.mean == pytest.approx(4.1 / 8)
    assert (stats.negative, stats.neutral, stats.positive) == (3, 2, 3)
    assert stats.previous_count == 3
    assert stats.previous_mean == pytest.approx(0.5)
    assert [(h, n) for h, n, _ in stats.hourly] == [(T0, 4), (T0 + 2 * H, 5)]
    assert [m for _, _, m in stats.hourly] == [pytest.approx(0.5), pytest.approx(0.52)]
    assert all(h.utcoffset() == timedelta(0) for h, _, _ in stats.hourly)
    assert stats.busiest_hour == T0 + 2 * H
    assert stats.most_positive == [
        ExampleMessage("a3", 0.8, "nice", "T1"),
        ExampleMessage("b2", 0.7, "good", "T1"),
    ]
    assert stats.most_negative == [
        ExampleMessage("b3", 0.1, "awful", "T1"),
        ExampleMessage("a1", 0.2, "meh", "T1"),
    ]


def test_channel_stats_exact(repo: Repository) -> None:
    load(repo)
    check(repo)


def test_fake_repository_agrees() -> None:
    fake = FakeRepository()
    load(fake)
    check(fake)


def test_empty_window(repo: Repository) -> None:
    stats = repo.channel_stats("slack", "nowhere", T0, WINDOW_END)
    assert (stats.count, stats.unscored, stats.mean, stats.previous_mean) == (0, 0, None, None)
    assert stats.hourly == [] and stats.busiest_hour is None and stats.most_positive == []


def test_no_examples_without_text(repo: Repository) -> None:
    repo.upsert_messages([message(i, i / 10, at=timedelta(minutes=i)) for i in range(10)])
    stats = repo.channel_stats("slack", "C1", T0, WINDOW_END)
    assert stats.count == 10
    assert stats.most_positive == [] and stats.most_negative == []


def test_busiest_hour_tie_is_earliest(repo: Repository) -> None:
    repo.upsert_messages([message(1, 0.5, at=2 * H), message(2, 0.5, at=H)])
    assert repo.channel_stats("slack", "C1", T0, WINDOW_END).busiest_hour == T0 + H


def mutate(repo: Repository) -> None:
    """Edits, replays, deletes, purges and opt-outs: every path that changes the rollup."""
    import dataclasses

    from storage.types import ChannelSettings, MessageKey

    base = [
        message(
            i,
            None if i % 11 == 0 else (i * 37 % 100) / 100,
            author=f"U{i % 4}",
            channel="C1" if i % 5 else "C2",
            at=timedelta(minutes=13 * i),
        )
        for i in range(60)
    ]
    repo.upsert_messages(base)
    repo.upsert_messages(base[:20])  # replay
    repo.upsert_messages(
        [dataclasses.replace(m, score=0.05, label="negative") for m in base[20:30]]
    )
    repo.upsert_messages([dataclasses.replace(base[31], score=None, label="unscored")])
    repo.delete_message(MessageKey("slack", "C1", "33"))
    repo.purge_user("slack", "U3")
    repo.set_user_opt_out("slack", "U2", True)
    repo.purge_older_than(T0 + timedelta(minutes=13 * 5))
    repo.set_channel(ChannelSettings("slack", "C2", opted_out=True))


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (T0, T0 + 14 * H),
        (T0 + timedelta(minutes=17), T0 + 9 * H + timedelta(seconds=1)),  # partial edge hours
        (T0 + timedelta(minutes=100), T0 + timedelta(minutes=125)),  # inside one hour
        (T0 + timedelta(minutes=100), T0 + timedelta(minutes=160)),  # across one boundary
        (T0 + 5 * H + timedelta(minutes=1), T0 + 13 * H - timedelta(minutes=1)),
    ],
)
def test_rollup_matches_raw_rows_after_every_change(
    repo: Repository, start: datetime, end: datetime
) -> None:
    fake = FakeRepository()
    for target in (repo, fake):
        mutate(target)
    got = repo.channel_stats("slack", "C1", start, end, examples=0)
    want = fake.channel_stats("slack", "C1", start, end, examples=0)
    assert got.count > 0
    assert (got.count, got.unscored, got.negative, got.neutral, got.positive) == (
        want.count,
        want.unscored,
        want.negative,
        want.neutral,
        want.positive,
    )
    assert got.previous_count == want.previous_count
    assert got.mean == pytest.approx(want.mean)
    assert got.previous_mean == pytest.approx(want.previous_mean)
    assert [(h, n) for h, n, _ in got.hourly] == [(h, n) for h, n, _ in want.hourly]
    assert [m for _, _, m in got.hourly] == pytest.approx([m for _, _, m in want.hourly])
    assert got.busiest_hour == want.busiest_hour
