"""Feedback by reaction: 👍/👎 on the bot's reply to a scoring command."""

from __future__ import annotations

import logging

import discord
from discord.ext import commands

from bot.adapters.discord.cogs.common import PLATFORM, AdapterSurface, AnyBot
from bot.core.feedback import reaction_label
from bot.core.messages import Command, Person

logger = logging.getLogger(__name__)


class FeedbackCog(commands.Cog, name="Feedback"):
    """Turns a 👍/👎 on a remembered score reply into ``sentiment-feedback <label> <text>``.

    The answer is sent to the reacting user by direct message when the core marks it private
    (reactions have no ephemeral channel), and to the channel otherwise.
    """

    def __init__(self, bot: AnyBot, surface: AdapterSurface) -> None:
        self.bot = bot
        self.surface = surface

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        me = self.bot.user
        label = reaction_label(str(payload.emoji))
        if me is None or label is None or payload.user_id == me.id:
            return
        if payload.message_author_id != me.id:
            return
        channel = str(payload.channel_id)
        scored = self.surface.replies.get(channel, str(payload.message_id))
        if scored is None:
            logger.info("ignoring %s reaction on an unknown bot reply", label)
            return
        command = Command(
            platform=PLATFORM,
            workspace=str(payload.guild_id or ""),
            channel=channel,
            author=Person(id=str(payload.user_id)),
            name="sentiment-feedback",
            text=f"{label} {scored}",
            options={"author": self.surface.replies.author(channel, str(payload.message_id))},
        )
        reply = await self.surface.handler.on_command(command)
        try:
            if reply.ephemeral:
                user = payload.member or await self.bot.fetch_user(payload.user_id)
                await user.send(reply.text)
            else:
                target = self.bot.get_channel(payload.channel_id)
                if isinstance(target, discord.abc.Messageable):
                    await target.send(reply.text)
        except discord.HTTPException as exc:
            logger.info("could not answer reaction feedback: %s", exc.status)
