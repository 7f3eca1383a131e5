"""Everyone's commands: score, explain, report, schedule, opt out/in, feedback, and the
"Score this message" context menu.

Names, descriptions and option descriptions come from the core's registry
(``bot.core.commands``); each method's typed parameters are the spec's options.
"""

from __future__ import annotations

import logging
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapters.discord.cogs.common import AdapterSurface, AnyBot, run_command, slash
from bot.core.commands.own_data import FEEDBACK, OPTIN, OPTOUT
from bot.core.commands.report import REPORT
from bot.core.commands.schedule import SCHEDULE
from bot.core.commands.scoring import EXPLAIN, SENTIMENT

logger = logging.getLogger(__name__)

SCORE_MENU = "Score this message"


class CommandsCog(commands.Cog, name="Commands"):
    """The user-facing application commands; each hands a ``Command`` to the core."""

    def __init__(self, bot: AnyBot, surface: AdapterSurface) -> None:
        self.bot = bot
        self.surface = surface
        self.score_menu = app_commands.ContextMenu(name=SCORE_MENU, callback=self.score_message)

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.score_menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.score_menu.name, type=self.score_menu.type)

    @slash(SENTIMENT)
    async def sentiment(self, interaction: discord.Interaction, text: str) -> None:
        await run_command(self.surface, interaction, SENTIMENT, text)

    @slash(EXPLAIN)
    async def explain(self, interaction: discord.Interaction, text: str) -> None:
        await run_command(self.surface, interaction, EXPLAIN, text)

    @slash(REPORT)
    async def report(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel | None = None,
        period: str | None = None,
        elsewhere: str | None = None,
    ) -> None:
        options = {
            "channel": str(channel.id) if channel is not None else "",
            "period": period or "",
            "elsewhere": elsewhere or "",
        }
        text = " ".join(part for part in options.values() if part)
        await run_command(self.surface, interaction, REPORT, text, options)

    @slash(SCHEDULE)
    async def schedule(self, interaction: discord.Interaction, cron: str | None = None) -> None:
        await run_command(self.surface, interaction, SCHEDULE, cron or "")

    @slash(OPTOUT)
    async def optout(self, interaction: discord.Interaction) -> None:
        await run_command(self.surface, interaction, OPTOUT)

    @slash(OPTIN)
    async def optin(self, interaction: discord.Interaction) -> None:
        await run_command(self.surface, interaction, OPTIN)

    @slash(FEEDBACK)
    async def feedback(
        self,
        interaction: discord.Interaction,
        label: Literal["positive", "negative"],
        text: str | None = None,
    ) -> None:
        await run_command(self.surface, interaction, FEEDBACK, f"{label} {text or ''}")

    async def score_message(self, interaction: discord.Interaction, message: discord.Message):
        """The "Score this message" context menu: ``sentiment`` on the message's text."""
        await run_command(self.surface, interaction, SENTIMENT, message.content)
