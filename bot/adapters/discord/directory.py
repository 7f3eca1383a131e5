"""Channels as the person running a Discord command sees them (``bot.core.access``'s lookups).

Only discord.py's cache is read (the ``guilds`` intent fills it): no REST call, so a report's
refusal is decided in microseconds, before the interaction is acknowledged.
"""

from __future__ import annotations

import discord

from bot.core.messages import ChannelInfo

MAX_SNOWFLAKE_DIGITS = 20


class DiscordDirectory:
    """``ChannelDirectory`` for one interaction: its client's channels, its user's permissions."""

    def __init__(self, interaction: discord.Interaction) -> None:
        self._client = interaction.client
        self._guild_id = interaction.guild_id
        self._user = interaction.user

    async def channel(self, channel_id: str) -> ChannelInfo | None:
        """The channel's server and whether the caller may view it; ``None`` when unknown."""
        if not channel_id.isdigit() or len(channel_id) > MAX_SNOWFLAKE_DIGITS:
            return None
        found = self._client.get_channel(int(channel_id))
        if not isinstance(found, discord.abc.GuildChannel):
            return None  # unknown, not cached, a DM or a thread the bot cannot see
        member = self._user if found.guild.id == self._guild_id else None
        viewable = isinstance(member, discord.Member) and found.permissions_for(member).view_channel
        return ChannelInfo(str(found.guild.id), viewable, found.name)
