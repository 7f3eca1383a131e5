"""The scoring stream: guild messages, edits and deletes go to the core."""

from __future__ import annotations

import logging

import discord
from discord.ext import commands
from discord.utils import utcnow

from bot.adapters.discord.cogs.common import PLATFORM, AdapterSurface, chat_message

logger = logging.getLogger(__name__)


class StreamCog(commands.Cog, name="Stream"):
    """Streams people's guild messages (needs the message-content intent); ignores bots."""

    def __init__(self, surface: AdapterSurface) -> None:
        self.surface = surface

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        converted = chat_message(message)
        if converted is not None:
            await self.surface.handler.on_message(converted)

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        before = payload.cached_message
        if before is not None and before.content == payload.message.content:
            return  # an embed or pin update, not an edit of the words
        converted = chat_message(payload.message)
        if converted is not None:
            await self.surface.handler.on_edit(converted)

    @commands.Cog.listener()
    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        if payload.guild_id is not None:  # Discord gives no delete time: now is the closest
            await self.surface.handler.on_delete(
                PLATFORM, str(payload.channel_id), str(payload.message_id), deleted_at=utcnow()
            )

    @commands.Cog.listener()
    async def on_raw_bulk_message_delete(self, payload: discord.RawBulkMessageDeleteEvent) -> None:
        if payload.guild_id is None:
            return
        when = utcnow()
        for message_id in sorted(payload.message_ids):
            await self.surface.handler.on_delete(
                PLATFORM, str(payload.channel_id), str(message_id), deleted_at=when
            )
