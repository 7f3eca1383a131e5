"""What the Discord cogs share: the adapter surface they use, conversions and reply delivery."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapters.discord.directory import DiscordDirectory
from bot.adapters.discord.views import button_view
from bot.adapters.recent_replies import RecentReplies
from bot.core.commands.registry import admin_refusal
from bot.core.commands.spec import CommandSpec
from bot.core.messages import ChatMessage, Command, Person, Reply
from bot.core.ports import Handler

logger = logging.getLogger(__name__)

PLATFORM = "discord"
TEXT_LIMIT = 2000  # Discord's message length limit
MAX_FILES = 10  # Discord's attachments-per-message limit
DEFER_AFTER_S = 2.0  # answer or defer well inside Discord's 3 s window
UNKNOWN_INTERACTION = 10062  # Discord's error for an interaction answered after its 3 s


AnyBot = commands.Bot | commands.AutoShardedBot


class AdapterSurface(Protocol):
    """The part of ``DiscordAdapter`` the cogs use."""

    @property
    def handler(self) -> Handler: ...

    @property
    def admin_ids(self) -> frozenset[int]: ...

    @property
    def replies(self) -> RecentReplies: ...


def slash(spec: CommandSpec) -> Callable[[Any], Any]:
    """Declare a cog method as the application command ``spec`` describes (name, description,
    option descriptions, admins-only default permission, guild only); the method's typed
    parameters must be the spec's options."""

    def declare(func: Any) -> Any:
        if spec.options:
            func = app_commands.describe(**spec.describe())(func)
        if spec.admin:
            func = app_commands.default_permissions(administrator=True)(func)
        if spec.guild_only:
            func = app_commands.guild_only()(func)
        return app_commands.command(name=spec.name, description=spec.description)(func)

    return declare


def is_admin(interaction: discord.Interaction, admin_ids: Iterable[int]) -> bool:
    """Listed in ``[admins] discord``, or holding the Administrator permission here."""
    return interaction.user.id in set(admin_ids) or interaction.permissions.administrator


def person(user: discord.abc.User, *, admin: bool = False) -> Person:
    return Person(id=str(user.id), name=user.display_name, is_bot=user.bot, is_admin=admin)


def chat_message(message: discord.Message) -> ChatMessage | None:
    """A ``ChatMessage`` for a person's guild text message; ``None`` for bots, DMs, system."""
    if message.guild is None or message.author.bot or message.webhook_id is not None:
        return None
    if message.type not in (discord.MessageType.default, discord.MessageType.reply):
        return None
    return ChatMessage(
        platform=PLATFORM,
        workspace=str(message.guild.id),
        channel=str(message.channel.id),
        message_id=str(message.id),
        author=person(message.author),
        text=message.content,
        created_at=message.created_at,
        link=message.jump_url,
        edited_at=message.edited_at,
    )


def chunks(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Split ``text`` into pieces Discord accepts, at line breaks where possible."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > 0 else limit
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n")
    return [*pieces, text] if text or not pieces else pieces


def attachments(reply: Reply) -> list[discord.File]:
    """The reply's files that exist, as ``discord.File`` (missing ones are logged, skipped)."""
    files = []
    for path in reply.files[:MAX_FILES]:
        if path.is_file():
            files.append(discord.File(path, filename=path.name))
        else:
            logger.warning("Discord: not attaching %s: no such file", path)
    return files


async def send_reply(interaction: discord.Interaction, reply: Reply) -> discord.Message | None:
    """Answer an interaction (first response or follow-ups); returns the first message sent."""
    files = attachments(reply)
    parts: list[str | None] = list(chunks(reply.text)) if reply.text else [None]
    if parts == [None] and not files:
        parts = ["(nothing to say)"]
    first: discord.Message | None = None
    for index, part in enumerate(parts):
        extra: dict = {"ephemeral": reply.ephemeral}
        if part is not None:
            extra["content"] = part
        if index == len(parts) - 1 and files:
            extra["files"] = files
        view = button_view(reply) if index == len(parts) - 1 else None
        if view is not None:
            extra["view"] = view
        if not interaction.response.is_done():
            await interaction.response.send_message(**extra)
            if not reply.ephemeral:
                first = await interaction.original_response()
        else:
            sent = await interaction.followup.send(wait=True, **extra)
            first = first or sent
    return first


async def run_command(
    surface: AdapterSurface,
    interaction: discord.Interaction,
    spec: CommandSpec,
    text: str = "",
    options: Mapping[str, str] | None = None,
) -> Reply:
    """Hand a command to the core and deliver its reply, deferring when it takes long.

    Refusals and errors reach only the caller. What can be refused (an admin command from a
    non-admin, a bad period, a channel the caller may not see) is decided first
    (``Handler.check_command``) and answered privately, before anything is acknowledged. The
    core then gets ``DEFER_AFTER_S`` seconds; slower work (or a ``spec.defer`` command) is
    deferred with Discord's "thinking…" state (only the caller sees it when ``spec.private``)
    and answered by a follow-up; a ``spec.private`` command's answer is private either way.
    Discord gives the first follow-up the defer's visibility, so a private answer after a
    public defer removes the "thinking…" message and follows up privately instead. A public
    reply to a scoring command is remembered so a 👍/👎 on it becomes feedback on ``text``.
    """
    command = Command(
        platform=PLATFORM,
        workspace=str(interaction.guild_id or ""),
        channel=str(interaction.channel_id or ""),
        author=person(interaction.user, admin=is_admin(interaction, surface.admin_ids)),
        name=spec.name,
        text=text.strip(),
        options={k: v for k, v in (options or {}).items() if v},
        directory=DiscordDirectory(interaction),
    )
    refusal = admin_refusal(command)
    if refusal is None:
        try:
            refusal = await asyncio.wait_for(surface.handler.check_command(command), DEFER_AFTER_S)
        except TimeoutError:
            refusal = None  # the command itself answers, privately (below)
    if refusal is not None:
        await interaction.response.send_message(refusal.text, ephemeral=True)
        return refusal
    work = asyncio.ensure_future(surface.handler.on_command(command))
    if not spec.defer:
        await asyncio.wait({work}, timeout=DEFER_AFTER_S)
    deferred_publicly = False
    if not work.done():
        await interaction.response.defer(thinking=True, ephemeral=spec.private)
        deferred_publicly = not spec.private
    reply = await work
    if spec.private and not reply.ephemeral:
        # a private command's answer is the caller's however fast it came (a deferred one is
        # ephemeral anyway: the first follow-up keeps the defer's visibility)
        reply = dataclasses.replace(reply, ephemeral=True)
    if reply.ephemeral and deferred_publicly:
        await _drop_public_defer(interaction)
    message = await send_reply(interaction, reply)
    if message is not None and spec.scoring and text:
        surface.replies.remember(command.channel, str(message.id), text, command.author.id)
    return reply


async def _drop_public_defer(interaction: discord.Interaction) -> None:
    """Remove a public "thinking…" message so the next follow-up can be private."""
    try:
        await interaction.delete_original_response()
    except discord.HTTPException:
        logger.warning("could not remove a deferred Discord response")


class SentibotTree(app_commands.CommandTree):
    """A command tree whose errors go back to the user as ephemeral messages (except when the
    interaction has expired: then one warning, and nothing is sent)."""

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        original = getattr(error, "original", None)
        if isinstance(original, discord.NotFound) and original.code == UNKNOWN_INTERACTION:
            # too late: Discord has shown "did not respond" and takes no answer any more
            name = interaction.command.name if interaction.command else "?"
            logger.warning("Discord: /%s answered after Discord's 3 s deadline", name)
            return
        if isinstance(error, app_commands.CheckFailure):
            text = str(error) or "You can't use this command here."
        elif isinstance(error, app_commands.TransformerError):
            # e.g. a channel option naming a channel the bot cannot see: the caller's mistake
            text = "I can't use that value here (is it a channel I can see?)."
            logger.info("Discord command option not resolved (%s)", error.type.name)
        else:
            logger.error("Discord command failed", exc_info=error)
            text = "Sorry, that command failed on our side; the error has been logged."
        try:
            if interaction.response.is_done():
                await interaction.followup.send(text, ephemeral=True)
            else:
                await interaction.response.send_message(text, ephemeral=True)
        except discord.HTTPException:
            logger.warning("could not deliver an error message for a Discord command")
