"""Slack channel lookups for the access rule, against the local Web API mock (#12)."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.directory import SlackDirectory
from bot.core.messages import ChannelInfo
from tests.fakes.slack_api import MockSlackApi


async def test_lookups_follow_slacks_answers() -> None:
    mock = MockSlackApi(
        channels={
            "C1": {"name": "general"},
            "C2": {"name": "grid", "team": "T9"},
            "G3": {"name": "mods", "is_private": True, "members": ["UIN"]},
        }
    )
    await mock.start()
    try:
        client = AsyncWebClient(token="xoxb-test", base_url=mock.base + "/api/")
        seen = SlackDirectory(client, "T1", "UIN")
        assert await seen.channel("C1") == ChannelInfo("T1", True, "general")
        assert await seen.channel("C2") == ChannelInfo("T9", True, "grid")
        assert await seen.channel("G3") == ChannelInfo("T1", True, "mods")
        outsider = SlackDirectory(client, "T1", "UOUT")
        assert await outsider.channel("G3") == ChannelInfo("T1", False, "mods")
        assert await seen.channel("C404") is None  # channel_not_found
        calls = len(mock.calls)
        assert await seen.channel("../../etc") is None and len(mock.calls) == calls
    finally:
        await mock.close()
