"""Channel reports over stores filled with known scores: exact figures, edge cases, privacy."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.reports.build import build_report
from bot.reports.charts import is_png
from bot.reports.format import format_period, message_link, parse_period
from storage.repository import Repository
from storage.types import ChannelSettings
from tests.fakes.reports import NOW, fill, message
from tests.fakes.storage import FakeRepository, utc

DAY = timedelta(hours=24)

EXPECTED = """\
Sentiment report for <#C1> (slack), last 24h
Period: 2026-11-24 12:00 UTC to 2026-11-25 12:00 UTC
Messages: 7 scored (+1 unscored)
Mean score: 0.543 (▲ +0.193 vs the previous 24h: 0.350 over 2 messages)
Negative 28.6% · Neutral 28.6% · Positive 42.9%
Busiest hour: 2026-11-25 10:00 UTC (4 messages)"""


def known_channel(repo: Repository) -> None:
    """Seven scored and one unscored message in the last 24 h, two in the 24 h before."""
    fill(
        repo,
        "C1",
        [
            (utc(2026, 11, 25, 10, 5), 0.9),
            (utc(2026, 11, 25, 10, 15), 0.8),
            (utc(2026, 11, 25, 10, 25), 0.1),
            (utc(2026, 11, 25, 10, 35), None),
            (utc(2026, 11, 25, 8, 30), 0.5),
            (utc(2026, 11, 25, 8, 40), 0.6),
            (utc(2026, 11, 25, 8, 50), 0.7),
            (utc(2026, 11, 24, 13, 5), 0.2),
            # previous period [11-23 12:00, 11-24 12:00): start inclusive
            (utc(2026, 11, 24, 11, 59), 0.3),
            (utc(2026, 11, 23, 12, 0), 0.4),
            # outside both periods: before the previous one, and at the (exclusive) end
            (utc(2026, 11, 23, 11, 59), 0.99),
            (NOW, 0.0),
        ],
    )
    fill(repo, "C2", [(utc(2026, 11, 25, 10, 0), 0.0)])


async def test_report_figures_are_exact(any_repo: Repository, tmp_path: Path) -> None:
    known_channel(any_repo)
    reply = await build_report(
        any_repo, "slack", "C1", DAY, now=NOW, min_messages=5, chart_dir=tmp_path
    )
    assert reply.text == EXPECTED
    assert len(reply.files) == 1 and is_png(reply.files[0])
    assert reply.files[0].parent == tmp_path


async def test_report_in_the_configured_timezone(any_repo: Repository) -> None:
    known_channel(any_repo)
    reply = await build_report(any_repo, "slack", "C1", DAY, now=NOW, timezone="Europe/Paris")
    assert "Period: 2026-11-24 13:00 CET to 2026-11-25 13:00 CET" in reply.text
    assert "Busiest hour: 2026-11-25 11:00 CET (4 messages)" in reply.text


async def test_a_drop_shows_a_down_arrow(fake_repo: FakeRepository) -> None:
    fill(fake_repo, "C1", [(NOW - timedelta(hours=h), 0.2) for h in range(1, 6)])
    fake_repo.upsert_messages([message("C1", "old", NOW - timedelta(hours=30), 0.8)])
    reply = await build_report(fake_repo, "slack", "C1", DAY, now=NOW)
    assert "Mean score: 0.200 (▼ -0.600 vs the previous 24h: 0.800 over 1 message)" in reply.text


async def test_too_few_messages_says_so_without_figures(
    any_repo: Repository, tmp_path: Path
) -> None:
    fill(any_repo, "C1", [(NOW - timedelta(hours=1), 0.9), (NOW - timedelta(hours=2), None)])
    reply = await build_report(
        any_repo, "slack", "C1", DAY, now=NOW, min_messages=5, chart_dir=tmp_path
    )
    assert "Only 1 scored message (+1 unscored) in this period: fewer than 5" in reply.text
    assert "Mean score" not in reply.text
    assert reply.files == []


async def test_no_previous_period_is_worded(fake_repo: FakeRepository) -> None:
    fill(fake_repo, "C1", [(NOW - timedelta(minutes=m), 0.5) for m in range(1, 6)])
    reply = await build_report(fake_repo, "slack", "C1", DAY, now=NOW)
    assert "Mean score: 0.500 (no scored messages in the previous 24h)" in reply.text


async def test_unknown_channel_gets_a_clear_answer(any_repo: Repository) -> None:
    known_channel(any_repo)
    reply = await build_report(any_repo, "slack", "nope", DAY, now=NOW)
    assert reply.text.startswith("I have no messages from <#nope> on slack: unknown channel")


async def test_known_but_quiet_channel_is_not_unknown(fake_repo: FakeRepository) -> None:
    fake_repo.set_channel(ChannelSettings("slack", "quiet"))
    reply = await build_report(fake_repo, "slack", "quiet", DAY, now=NOW)
    assert "Only 0 scored messages" in reply.text


async def test_opted_out_channel_has_no_report(fake_repo: FakeRepository) -> None:
    fake_repo.set_channel(ChannelSettings("slack", "C9", opted_out=True))
    reply = await build_report(fake_repo, "slack", "C9", DAY, now=NOW)
    assert "opted out" in reply.text


def _with_text(repo: Repository) -> None:
    rows = [
        message("C1", "1764064800.000100", NOW - timedelta(hours=1), 0.95, text="love it"),
        message("C1", "1764064800.000200", NOW - timedelta(hours=2), 0.05, text="@everyone awful"),
        message("C1", "1764064800.000300", NOW - timedelta(hours=3), 0.5, text="meh"),
        message("C1", "1764064800.000400", NOW - timedelta(hours=4), 0.7, text="nice\n\tday"),
        message("C1", "1764064800.000500", NOW - timedelta(hours=5), 0.3, text="hmm"),
    ]
    repo.upsert_messages(rows)


async def test_examples_only_with_store_text(any_repo: Repository) -> None:
    _with_text(any_repo)
    off = await build_report(any_repo, "slack", "C1", DAY, now=NOW, store_text=False)
    assert "Most positive" not in off.text and "love it" not in off.text
    on = await build_report(any_repo, "slack", "C1", DAY, now=NOW, store_text=True)
    lines = on.text.splitlines()
    start = lines.index("Most positive:")
    assert lines[start + 1 : start + 3] == [
        "  0.95  “love it” <https://slack.com/archives/C1/p1764064800000100>",
        "  0.70  “nice day” <https://slack.com/archives/C1/p1764064800000400>",
    ]
    negative = lines[lines.index("Most negative:") + 1 :]
    # quoted text cannot ping the channel; 0.5 is not "negative"
    assert negative == [
        "  0.05  “@\u200beveryone awful” <https://slack.com/archives/C1/p1764064800000200>",
        "  0.30  “hmm” <https://slack.com/archives/C1/p1764064800000500>",
    ]


def test_message_links() -> None:
    assert message_link("discord", "G1", "C1", "42") == "https://discord.com/channels/G1/C1/42"
    assert message_link("discord", "", "C1", "42") is None
    assert message_link("slack", "T1", "C1", "1.000200") == "https://slack.com/archives/C1/p1000200"
    assert message_link("shell", "local", "local", "3") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("24h", timedelta(hours=24)),
        ("7d", timedelta(days=7)),
        ("90m", timedelta(minutes=90)),
        (" 2W ", timedelta(weeks=2)),
        ("1.5h", timedelta(minutes=90)),
    ],
)
def test_parse_period(text: str, expected: timedelta) -> None:
    assert parse_period(text) == expected


@pytest.mark.parametrize("text", ["", "24", "h", "-1h", "24 hours", "0m", "400d", "1y"])
def test_parse_period_rejects_with_a_clear_message(text: str) -> None:
    with pytest.raises(ValueError, match="period"):
        parse_period(text)


def test_format_period_round_trips() -> None:
    for text in ("24h", "7d", "90m", "1h", "36h"):
        assert format_period(parse_period(text)) == text
