"""Admin commands: ``/sentiment-retrain`` (hidden from non-admins, and checked when run)."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapters.discord.cogs.common import (
    ADMIN_REFUSAL,
    AdapterSurface,
    is_admin,
    run_command,
)

logger = logging.getLogger(__name__)


class AdminCog(commands.Cog, name="Admin"):
    """Commands only admins may run.

    ``default_permissions(administrator=True)`` hides them from other members by default, but a
    server can override that, so each call is checked again: ``[admins] discord`` ids or the
    Administrator permission.
    """

    def __init__(self, surface: AdapterSurface) -> None:
        self.surface = surface

    @app_commands.command(name="sentiment-retrain", description="Retrain the model (admins only)")
    @app_commands.default_permissions(administrator=True)
    @app_commands.guild_only()
    async def retrain(self, interaction: discord.Interaction) -> None:
        if not is_admin(interaction, self.surface.admin_ids):
            logger.info("refused /sentiment-retrain for non-admin %s", interaction.user.id)
            text = ADMIN_REFUSAL.format(name="sentiment-retrain")
            await interaction.response.send_message(text, ephemeral=True)
            return
        await run_command(
            self.surface, interaction, "sentiment-retrain", defer_now=True, private=True
        )
