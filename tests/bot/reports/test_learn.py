"""A scheduled report ends with "help me learn": links to the period's least-sure messages with
positive / negative buttons, no text unless it is stored; a press labels the message."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.core.corrections import parse_action
from bot.reports.build import build_report
from bot.reports.learn import TITLE
from bot.reports.scheduler import ReportScheduler
from tests.bot.reports.test_scheduler import settings_for
from tests.fakes.reports import NOW, RecordingAdapter, message
from tests.fakes.storage import FakeRepository

DAY = timedelta(days=1)
SCORES = {"1700000001.000100": 0.95, "1700000002.000100": 0.62, "1700000003.000100": 0.35}
SCORES |= {"1700000004.000100": 0.05, "1700000005.000100": 0.7, "1700000006.000100": 0.5}


def filled(text: bool = False) -> FakeRepository:
    repo = FakeRepository()
    repo.upsert_messages(
        [
            message("C1", ts, NOW - timedelta(hours=i + 1), s, text=f"words {i}" if text else None)
            for i, (ts, s) in enumerate(SCORES.items())
        ]
    )
    return repo


async def test_report_asks_about_the_three_least_sure() -> None:
    reply = await build_report(filled(), "slack", "C1", DAY, now=NOW, min_messages=1, learn=3)
    head, _, learn = reply.text.partition(TITLE)
    assert head and learn.splitlines()[1:] == [
        "  1. <https://slack.com/archives/C1/p1700000002000100> (scored 0.62)",
        "  2. <https://slack.com/archives/C1/p1700000003000100> (scored 0.35)",
        "  3. <https://slack.com/archives/C1/p1700000005000100> (scored 0.70)",
    ]
    actions = [parse_action(b.action) for b in reply.buttons]
    assert [(a.ref, a.message_id, a.label) for a in actions if a] == [
        ("C1", ts, label)
        for ts in ("1700000002.000100", "1700000003.000100", "1700000005.000100")
        for label in ("positive", "negative")
    ]
    assert [b.label for b in reply.buttons[:2]] == ["1: 🙂 positive", "1: 🙁 negative"]


async def test_text_is_quoted_only_when_stored_and_on_demand_reports_do_not_ask() -> None:
    quiet = await build_report(filled(True), "slack", "C1", DAY, now=NOW, min_messages=1, learn=3)
    assert "words" not in quiet.text  # store_text off: nothing copied
    told = await build_report(
        filled(True), "slack", "C1", DAY, now=NOW, min_messages=1, learn=3, store_text=True
    )
    assert "(scored 0.62) “words 1”" in told.text
    plain = await build_report(filled(), "slack", "C1", DAY, now=NOW, min_messages=1)
    assert TITLE not in plain.text and plain.buttons == []


async def test_scheduled_report_carries_the_buttons(tmp_path: Path) -> None:
    adapter = RecordingAdapter("slack")
    scheduler = ReportScheduler(settings_for(tmp_path), filled(), {"slack": adapter})
    assert await scheduler.run_report("slack", "C1", end=NOW, period=DAY)
    [(channel, reply)] = adapter.posts
    assert channel == "C1" and TITLE in reply.text and len(reply.buttons) == 6
