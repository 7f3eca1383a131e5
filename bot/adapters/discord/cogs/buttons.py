"""Button presses: a correction on a score reply, a label in a report's "help me learn"."""

from __future__ import annotations

import asyncio
import logging

import discord
from discord.ext import commands

from bot.adapters.discord.cogs.common import (
    DEFER_AFTER_S,
    PLATFORM,
    AdapterSurface,
    AnyBot,
    person,
)
from bot.adapters.discord.views import PRESS_COG, CorrectionButton
from bot.core.messages import MessageSource, Press

logger = logging.getLogger(__name__)


class ButtonsCog(commands.Cog, name=PRESS_COG):
    """Registers the bot's buttons with discord.py and hands each press to the core.

    The answer is private to the presser; a slow one (fetching the message, a busy database)
    is deferred privately first, inside Discord's 3 s.
    """

    def __init__(self, bot: AnyBot, surface: AdapterSurface, source: MessageSource) -> None:
        self.bot = bot
        self.surface = surface
        self.source = source

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(CorrectionButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(CorrectionButton)

    async def press(self, interaction: discord.Interaction, action: str) -> None:
        """Hand ``action``, pressed by ``interaction.user``, to the core; answer privately."""
        press = Press(
            platform=PLATFORM,
            workspace=str(interaction.guild_id or ""),
            channel=str(interaction.channel_id or ""),
            user=person(interaction.user),
            action=action,
            source=self.source,
        )
        work = asyncio.ensure_future(self.surface.handler.on_press(press))
        await asyncio.wait({work}, timeout=DEFER_AFTER_S)
        if not work.done():
            await interaction.response.defer(thinking=True, ephemeral=True)
        reply = await work
        if interaction.response.is_done():
            await interaction.followup.send(reply.text, ephemeral=True)
        else:
            await interaction.response.send_message(reply.text, ephemeral=True)
