"""What the rollups and the answers built on them must equal, computed in Python from the
stored messages themselves (a SQL repository's rows, or the fake's dict)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from storage.dashboard_types import Totals
from storage.repository import Repository
from storage.tables import DailyRow, HourlyRow, MessageRow
from storage.types import ChannelStats, ScoredMessage
from tests.fakes.storage import FakeRepository

LABELS = ("negative", "neutral", "positive")
Key = tuple[str, str, datetime]  # platform, channel, bucket


def stored(repo: Repository) -> dict[tuple[str, str, str], ScoredMessage]:
    """Every stored message by ``(platform, channel, message_id)`` (identity fields and score)."""
    if isinstance(repo, FakeRepository):
        return {(m.platform, m.channel, m.message_id): m for m in repo.messages.values()}
    m = MessageRow
    columns = (m.platform, m.workspace, m.channel, m.message_id, m.author_id, m.created_at,
               m.score, m.label, m.model_version, m.text, m.reason)  # fmt: skip
    with repo.engine.connect() as conn:  # type: ignore[attr-defined]
        rows = conn.execute(select(*columns)).all()
    return {(r.platform, r.channel, r.message_id): ScoredMessage(*r) for r in rows}


def comparable(messages: dict[tuple[str, str, str], ScoredMessage]) -> dict[tuple, tuple]:
    """What must agree between two repositories: identity, time, score, label."""
    return {k: (m.author_id, m.created_at, m.score, m.label) for k, m in messages.items()}


def totals_of(msg: ScoredMessage) -> Totals:
    """One message's contribution to a rollup bucket."""
    scored = msg.score is not None
    return Totals(1, int(scored), msg.score or 0.0,
                  *(int(scored and msg.label == label) for label in LABELS))  # fmt: skip


def hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def day(moment: datetime) -> datetime:
    return hour(moment).replace(hour=0)


def grouped(
    messages: Iterable[ScoredMessage], bucket: Callable[[datetime], datetime]
) -> dict[Key, Totals]:
    """Totals per ``(platform, channel, bucket of created_at)``."""
    out: dict[Key, Totals] = defaultdict(Totals)
    for msg in messages:
        out[(msg.platform, msg.channel, bucket(msg.created_at))].add(totals_of(msg))
    return dict(out)


def assert_same(got: Totals, want: Totals, where: object = "") -> None:
    """Counts exactly equal; the score sum up to float rounding (added in another order)."""
    assert (got.messages, got.scored, got.negative, got.neutral, got.positive) == (
        want.messages, want.scored, want.negative, want.neutral, want.positive), where  # fmt: skip
    assert got.score_sum == pytest.approx(want.score_sum, abs=1e-9), where


def rollup(engine: Engine, table: type[HourlyRow] | type[DailyRow]) -> dict[Key, Totals]:
    """Every row of a rollup table."""
    bucket = table.hour if table is HourlyRow else table.day  # type: ignore[union-attr]
    counters = ("messages", "scored", "score_sum", "negative", "neutral", "positive")
    query = select(table.platform, table.channel, bucket, *(getattr(table, c) for c in counters))
    with engine.connect() as conn:
        return {(r[0], r[1], r[2]): Totals(*r[3:]) for r in conn.execute(query)}


def assert_rollups_exact(engine: Engine, messages: Iterable[ScoredMessage]) -> None:
    """Both rollup tables hold exactly the stored messages' totals, and no empty bucket."""
    messages = list(messages)
    for table, bucket in ((HourlyRow, hour), (DailyRow, day)):
        got, want = rollup(engine, table), grouped(messages, bucket)
        assert sorted(got) == sorted(want), table.__tablename__
        for key, totals in want.items():
            assert_same(got[key], totals, (table.__tablename__, key))


def reference_stats(
    messages: Iterable[ScoredMessage], platform: str, channel: str, start: datetime, end: datetime
) -> tuple[Totals, Totals, dict[datetime, Totals]]:
    """A channel's totals of ``[start, end)``, of the period before, and per hour."""
    now, before, hours = Totals(), Totals(), defaultdict(Totals)
    for msg in messages:
        if (msg.platform, msg.channel) != (platform, channel):
            continue
        if start <= msg.created_at < end:
            now.add(totals_of(msg))
            hours[hour(msg.created_at)].add(totals_of(msg))
        elif start - (end - start) <= msg.created_at < start:
            before.add(totals_of(msg))
    return now, before, dict(hours)


def assert_stats_match(stats: ChannelStats, messages: Iterable[ScoredMessage]) -> None:
    """``stats`` (from the hourly rollup and raw edges) equals the stored messages' figures."""
    now, before, hours = reference_stats(
        messages, stats.platform, stats.channel, stats.start, stats.end
    )
    where = (stats.channel, stats.start, stats.end)
    assert (stats.count, stats.unscored) == (now.messages, now.messages - now.scored), where
    assert (stats.negative, stats.neutral, stats.positive) == (
        now.negative, now.neutral, now.positive), where  # fmt: skip
    assert stats.mean == pytest.approx(now.mean, abs=1e-9), where
    assert stats.previous_count == before.messages, where
    assert stats.previous_mean == pytest.approx(before.mean, abs=1e-9), where
    ordered = sorted(hours.items())
    assert [(h, n) for h, n, _ in stats.hourly] == [(h, t.messages) for h, t in ordered], where
    assert [m for _, _, m in stats.hourly] == pytest.approx([t.mean for _, t in ordered]), where


PERIODS = (timedelta(hours=24), timedelta(days=7), timedelta(days=30))
