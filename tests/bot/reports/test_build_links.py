"""Report examples link to their messages: Discord links need the guild the message came from."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from bot.reports.build import build_report
from bot.reports.format import format_report
from storage.repository import Repository
from storage.types import ChannelSettings, ChannelStats, ExampleMessage
from tests.fakes.reports import NOW, message

DAY = timedelta(hours=24)


def _discord_rows(repo: Repository, guild: str) -> None:
    rows = [
        message("900", "1001", NOW - timedelta(hours=1), 0.9, platform="discord", text="great"),
        message("900", "1002", NOW - timedelta(hours=2), 0.1, platform="discord", text="awful"),
    ]
    repo.upsert_messages([dataclasses.replace(m, workspace=guild) for m in rows])


async def test_discord_examples_link_to_their_guild(any_repo: Repository) -> None:
    _discord_rows(any_repo, "555")
    # No channel settings at all: the guild comes from the stored message itself.
    reply = await build_report(
        any_repo, "discord", "900", DAY, now=NOW, min_messages=1, store_text=True
    )
    lines = reply.text.splitlines()
    assert lines[lines.index("Most positive:") + 1] == (
        "  0.90  “great” <https://discord.com/channels/555/900/1001>"
    )
    assert lines[lines.index("Most negative:") + 1] == (
        "  0.10  “awful” <https://discord.com/channels/555/900/1002>"
    )


async def test_discord_examples_without_a_guild_have_no_link(any_repo: Repository) -> None:
    _discord_rows(any_repo, "")
    reply = await build_report(
        any_repo, "discord", "900", DAY, now=NOW, min_messages=1, store_text=True
    )
    assert "  0.90  “great”" in reply.text.splitlines()
    assert "https://" not in reply.text


async def test_channel_workspace_is_the_fallback(any_repo: Repository) -> None:
    _discord_rows(any_repo, "")
    any_repo.set_channel(ChannelSettings("discord", "900", "777"))
    reply = await build_report(
        any_repo, "discord", "900", DAY, now=NOW, min_messages=1, store_text=True
    )
    assert "<https://discord.com/channels/777/900/1001>" in reply.text


def test_example_workspace_beats_the_channel_one() -> None:
    stats = ChannelStats(
        platform="discord",
        channel="900",
        start=NOW - DAY,
        end=NOW,
        count=1,
        unscored=0,
        mean=0.9,
        negative=0,
        neutral=0,
        positive=1,
        previous_count=0,
        previous_mean=None,
        most_positive=[ExampleMessage("1001", 0.9, "great", "555")],
    )
    text = format_report(stats, period=DAY, min_messages=1, workspace="777")
    assert text.endswith("  0.90  “great” <https://discord.com/channels/555/900/1001>")


def test_example_message_workspace_defaults_to_empty() -> None:
    assert ExampleMessage("1", 0.5, "ok").workspace == ""
