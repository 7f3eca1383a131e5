"""The web dashboard's sign-in command: ``/sentiment-dashboard`` (private to the caller)."""

from __future__ import annotations

import discord
from discord.ext import commands

from bot.adapters.discord.cogs.common import AdapterSurface, AnyBot, run_command, slash
from bot.core.commands.dashboard import DASHBOARD


class DashboardCog(commands.Cog, name="Dashboard"):
    """``/sentiment-dashboard``: the core answers with a link only the caller sees."""

    def __init__(self, bot: AnyBot, surface: AdapterSurface) -> None:
        self.bot = bot
        self.surface = surface

    @slash(DASHBOARD)
    async def dashboard(self, interaction: discord.Interaction) -> None:
        await run_command(self.surface, interaction, DASHBOARD)
