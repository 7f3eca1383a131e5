"""Admin commands: ``sentiment-schedule`` (changing it) and ``sentiment-retrain``.

Each handler takes the ``SentimentBot`` and the ``Command`` and returns a ``Reply``; the
registry in ``bot.core.commands.registry`` lists them. Non-admins get a private refusal that
says why.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.core.messages import Command, Reply

if TYPE_CHECKING:
    from bot.core.bot import SentimentBot

logger = logging.getLogger(__name__)


async def cmd_schedule(bot: SentimentBot, command: Command) -> Reply:
    """``sentiment-schedule [cron|default]``: show or set this channel's report schedule."""
    if command.text.strip() and not command.author.is_admin:
        return Reply("Only admins can change a channel's report schedule.", ephemeral=True)
    if bot.scheduler is None:
        return Reply("Scheduled reports are not running in this instance.", ephemeral=True)
    return await bot.scheduler.set_schedule(
        command.platform, command.channel, command.text, workspace=command.workspace
    )


async def cmd_retrain(bot: SentimentBot, command: Command) -> Reply:
    """``sentiment-retrain``: admins only; start a retrain and report progress here."""
    if not command.author.is_admin:
        return Reply(
            "Only admins can start a retrain: it trains a new model that may replace the one "
            "scoring every channel. Nothing was started; ask an admin if you think it's needed.",
            ephemeral=True,
        )
    if bot.retrainer is None:
        return Reply("Retraining is not running in this instance.")

    async def notify(text: str) -> None:
        if bot.post is not None:
            await bot.post(command.channel, Reply(text))

    return Reply(await bot.retrainer.start(command.author, notify))
