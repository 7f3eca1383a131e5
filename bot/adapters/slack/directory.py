"""Channels as the person running a Slack command sees them (``bot.core.access``'s lookups).

A bot token belongs to one workspace: ``conversations.info`` knows only channels the bot can
see there (Enterprise Grid channels say their team in ``context_team_id``). A private channel is
viewable only by its members.
"""

from __future__ import annotations

import logging
import re

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.messages import ChannelInfo

logger = logging.getLogger(__name__)

_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{1,20}$")
MEMBERS_PAGE = 1000


class SlackDirectory:
    """``ChannelDirectory`` for one command: the bot's workspace, the caller's membership."""

    def __init__(self, client: AsyncWebClient, home_team: str | None, user: str) -> None:
        self._client = client
        self._home_team = home_team
        self._user = user

    async def channel(self, channel_id: str) -> ChannelInfo | None:
        """The channel's team and whether the caller may view it; ``None`` when unknown."""
        if not _CHANNEL_ID.match(channel_id):
            return None
        try:
            found = (await self._client.conversations_info(channel=channel_id)).get("channel")
        except SlackApiError as exc:
            logger.info("conversations.info: %s", exc.response.get("error"))
            return None
        if not isinstance(found, dict):
            return None
        team = found.get("context_team_id") or self._home_team or ""
        viewable = True
        if found.get("is_private"):
            try:
                page = await self._client.conversations_members(
                    channel=channel_id, limit=MEMBERS_PAGE
                )
                viewable = self._user in (page.get("members") or [])
            except SlackApiError:
                viewable = False
        return ChannelInfo(str(team), viewable, str(found.get("name") or ""))
