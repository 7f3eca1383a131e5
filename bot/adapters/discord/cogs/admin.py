"""Admin commands: ``/sentiment-retrain`` (hidden from non-admins, and checked when run)."""

from __future__ import annotations

import discord
from discord.ext import commands

from bot.adapters.discord.cogs.common import AdapterSurface, run_command, slash
from bot.core.commands.admin import RETRAIN


class AdminCog(commands.Cog, name="Admin"):
    """Commands only admins may run.

    ``default_permissions(administrator=True)`` hides them from other members by default, but a
    server can override that, so each call is checked again (``run_command`` asks the core's
    ``admin_refusal``): ``[admins] discord`` ids or the Administrator permission.
    """

    def __init__(self, surface: AdapterSurface) -> None:
        self.surface = surface

    @slash(RETRAIN)
    async def retrain(self, interaction: discord.Interaction, force: bool = False) -> None:
        options = {"force": "true"} if force else {}
        await run_command(self.surface, interaction, RETRAIN, "force" if force else "", options)
