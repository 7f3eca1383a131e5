"""Everyone's commands: score, explain, report, schedule, opt out/in, feedback, and the
"Score this message" context menu."""

from __future__ import annotations

import logging
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapters.discord.cogs.common import AdapterSurface, run_command

logger = logging.getLogger(__name__)

SCORE_MENU = "Score this message"


class CommandsCog(commands.Cog, name="Commands"):
    """The user-facing application commands; each hands a ``Command`` to the core."""

    def __init__(self, bot: commands.Bot, surface: AdapterSurface) -> None:
        self.bot = bot
        self.surface = surface
        self.score_menu = app_commands.ContextMenu(name=SCORE_MENU, callback=self.score_message)

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.score_menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.score_menu.name, type=self.score_menu.type)

    @app_commands.command(name="sentiment", description="Score the sentiment of a text")
    @app_commands.describe(text="The text to score")
    async def sentiment(self, interaction: discord.Interaction, text: str) -> None:
        await run_command(self.surface, interaction, "sentiment", text, scored_text=text)

    @app_commands.command(name="sentiment-explain", description="Show why a text scored as it did")
    @app_commands.describe(text="The text to explain")
    async def explain(self, interaction: discord.Interaction, text: str) -> None:
        await run_command(self.surface, interaction, "sentiment-explain", text, scored_text=text)

    @app_commands.guild_only()
    @app_commands.command(name="sentiment-report", description="A channel's mood report")
    @app_commands.describe(
        channel="The channel to report on (default: this one)",
        period="How far back, like 90m, 24h or 7d (default: 24h)",
    )
    async def report(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel | None = None,
        period: str | None = None,
    ) -> None:
        text = " ".join(part for part in (channel and str(channel.id), period) if part)
        await run_command(self.surface, interaction, "sentiment-report", text, defer_now=True)

    @app_commands.guild_only()
    @app_commands.command(
        name="sentiment-schedule", description="Show or set (admins) this channel's report schedule"
    )
    @app_commands.describe(cron="A cron line like '0 9 * * 1-5', or 'default'")
    async def schedule(self, interaction: discord.Interaction, cron: str | None = None) -> None:
        await run_command(self.surface, interaction, "sentiment-schedule", cron or "", private=True)

    @app_commands.command(
        name="sentiment-optout", description="Delete your data and stop storing it"
    )
    async def optout(self, interaction: discord.Interaction) -> None:
        await run_command(self.surface, interaction, "sentiment-optout", private=True)

    @app_commands.command(name="sentiment-optin", description="Store your scores again")
    async def optin(self, interaction: discord.Interaction) -> None:
        await run_command(self.surface, interaction, "sentiment-optin", private=True)

    @app_commands.guild_only()
    @app_commands.command(name="sentiment-feedback", description="Correct a score")
    @app_commands.describe(
        label="What the sentiment really is",
        text="The text you mean (default: your last message in this channel)",
    )
    async def feedback(
        self,
        interaction: discord.Interaction,
        label: Literal["positive", "negative"],
        text: str | None = None,
    ) -> None:
        words = f"{label} {text or ''}"
        await run_command(self.surface, interaction, "sentiment-feedback", words, private=True)

    async def score_message(self, interaction: discord.Interaction, message: discord.Message):
        """The "Score this message" context menu: ``sentiment`` on the message's text."""
        await run_command(
            self.surface, interaction, "sentiment", message.content, scored_text=message.content
        )
