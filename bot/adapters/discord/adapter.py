"""The Discord adapter (discord.py 2.x): gateway events in, messages and interactions out.

Thin by design: the cogs in ``bot.adapters.discord.cogs`` (one per feature) turn events and
application commands into ``ChatMessage`` / ``Command`` for the core's ``Handler``; this module
owns the client (sharded when ``[discord] shard_count`` is set), command sync and ``post``.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord.ext import commands

from bot.adapters.discord.cogs import (
    AdminCog,
    ButtonsCog,
    CommandsCog,
    DashboardCog,
    FeedbackCog,
    StreamCog,
)
from bot.adapters.discord.cogs.common import SentibotTree, attachments, chat_message, chunks
from bot.adapters.discord.views import button_view
from bot.adapters.recent_replies import RecentReplies
from bot.config import AdminsConfig, ConfigError, DiscordConfig, Secrets
from bot.core.messages import ChatMessage, Reply
from bot.core.ports import Adapter, Handler

logger = logging.getLogger(__name__)


# What the bot needs in a channel: see it, read history (edits/deletes), post replies and charts.
INVITE_PERMISSIONS = discord.Permissions(
    view_channel=True,
    read_message_history=True,
    send_messages=True,
    send_messages_in_threads=True,
    attach_files=True,
)


def invite_url(client_id: int) -> str:
    """The OAuth2 URL that adds the bot to a server with its commands and permissions."""
    return discord.utils.oauth_url(
        client_id, permissions=INVITE_PERMISSIONS, scopes=("bot", "applications.commands")
    )


def intents() -> discord.Intents:
    """Exactly the gateway intents the bot uses (docs/discord.md lists the same).

    ``guilds`` (the channel cache that ``permissions_for`` and channel names read),
    ``guild_messages`` (messages, edits, deletes), ``guild_reactions`` (feedback reactions) and the
    privileged ``message_content``. Not ``Intents.default()``: no typing, voice, DM, presence,
    invite, scheduled-event or poll events are asked for.
    """
    return discord.Intents(
        guilds=True, guild_messages=True, guild_reactions=True, message_content=True
    )


def build_bot(config: DiscordConfig) -> commands.Bot | commands.AutoShardedBot:
    """A ``commands.Bot``, or an ``AutoShardedBot`` when ``shard_count`` is configured.

    Raises
    ------
    ConfigError
        When ``shard_ids`` names a shard outside ``range(shard_count)``.
    """
    options: dict[str, Any] = {
        "command_prefix": commands.when_mentioned,
        "help_command": None,
        "intents": intents(),
        "tree_cls": SentibotTree,
        "allowed_mentions": discord.AllowedMentions.none(),
    }
    if config.shard_count is None:
        if config.shard_ids:
            raise ConfigError("[discord] shard_ids needs [discord] shard_count")
        return commands.Bot(**options)
    bad = [i for i in config.shard_ids if not 0 <= i < config.shard_count]
    if bad:
        raise ConfigError(f"[discord] shard_ids {bad} outside 0..{config.shard_count - 1}")
    options["shard_ids"] = config.shard_ids or None
    return commands.AutoShardedBot(shard_count=config.shard_count, **options)


class _NoVoiceWarnings(logging.Filter):
    """discord.py warns that voice is unsupported without PyNaCl/davey; sentibot has no voice."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "voice will NOT be supported" not in record.getMessage()


def _quiet_voice_warnings() -> None:
    client_log = logging.getLogger("discord.client")
    if not any(isinstance(f, _NoVoiceWarnings) for f in client_log.filters):
        client_log.addFilter(_NoVoiceWarnings())


class DiscordAdapter(Adapter):
    """Discord connection.

    Parameters
    ----------
    config
        ``[discord]``: ``guild_ids`` (instant command sync there; global otherwise),
        ``shard_count``, ``shard_ids``.
    admins
        ``[admins]``; ``admins.discord`` user ids may run admin commands anywhere.
    secrets
        ``DISCORD_TOKEN``.

    Raises
    ------
    ConfigError
        When ``DISCORD_TOKEN`` is missing or the shard settings are inconsistent.
    """

    name = "discord"

    def __init__(self, config: DiscordConfig, admins: AdminsConfig, secrets: Secrets) -> None:
        if secrets.discord_token is None:
            raise ConfigError("Discord adapter needs DISCORD_TOKEN in the environment")
        _quiet_voice_warnings()
        self.config = config
        self.admin_ids = frozenset(admins.discord)
        self.replies = RecentReplies()
        self._token = secrets.discord_token
        self._handler: Handler | None = None
        self.bot = build_bot(config)
        self.bot.setup_hook = self._setup_hook  # type: ignore[method-assign]

    @property
    def handler(self) -> Handler:
        if self._handler is None:
            raise RuntimeError("DiscordAdapter.start() has not been called")
        return self._handler

    @property
    def connected(self) -> bool:
        return self.bot.is_ready() and not self.bot.is_closed()

    async def install_cogs(self, handler: Handler) -> None:
        """Attach ``handler`` and add the feature cogs (their commands join the tree)."""
        self._handler = handler
        for cog in (
            StreamCog(self),
            CommandsCog(self.bot, self),
            AdminCog(self),
            FeedbackCog(self.bot, self),
            DashboardCog(self.bot, self),
            ButtonsCog(self.bot, self, self),
        ):
            await self.bot.add_cog(cog)

    async def sync_commands(self) -> None:
        """Register the commands: per guild in ``guild_ids`` (instant), else globally."""
        tree = self.bot.tree
        if not self.config.guild_ids:
            synced = await tree.sync()
            logger.info(
                "Discord: %d commands synced globally (may take up to an hour)", len(synced)
            )
            return
        for guild_id in self.config.guild_ids:
            guild = discord.Object(id=guild_id)
            tree.copy_global_to(guild=guild)
            synced = await tree.sync(guild=guild)
            logger.info("Discord: %d commands synced to guild %d", len(synced), guild_id)

    async def _setup_hook(self) -> None:
        await self.install_cogs(self.handler)
        await self.sync_commands()
        if self.bot.application_id is not None:
            logger.info("Discord: invite URL %s", invite_url(self.bot.application_id))

    async def start(self, handler: Handler) -> None:
        """Log in, sync commands and stream events until ``stop()``."""
        self._handler = handler
        try:
            await self.bot.start(self._token.get_secret_value())
        except discord.LoginFailure:
            raise ConfigError("Discord rejected DISCORD_TOKEN (login failed)") from None
        except discord.PrivilegedIntentsRequired:
            raise ConfigError(
                "Discord: enable the Message Content intent for this bot in the Developer Portal"
            ) from None

    async def stop(self) -> None:
        """Close the gateway connection(s)."""
        await self.bot.close()

    async def post(self, channel: str, reply: Reply) -> None:
        """Post ``reply`` to the channel with id ``channel``: text in 2000-character parts, files
        with the last part.

        Raises
        ------
        ValueError
            For a channel id that is not a number or not a channel the bot can post in.
        """
        if not channel.isdigit():
            raise ValueError(f"not a Discord channel id: {channel!r}")
        target = self.bot.get_channel(int(channel)) or await self.bot.fetch_channel(int(channel))
        if not isinstance(target, discord.abc.Messageable):
            raise ValueError(f"Discord channel {channel} cannot take messages")
        files = attachments(reply)
        parts: list[str | None] = list(chunks(reply.text)) if reply.text else [None]
        for index, part in enumerate(parts):
            extra: dict[str, Any] = {}
            if index == len(parts) - 1:
                view = button_view(reply)
                extra = {"files": files or None} | ({"view": view} if view else {})
            await target.send(part, **extra)

    async def fetch_message(self, channel: str, message_id: str) -> ChatMessage | None:
        """The message as Discord has it now (``GET /channels/{id}/messages/{id}``); ``None``
        when deleted, unknown, not a person's guild message, or unreadable."""
        if not channel.isdigit() or not message_id.isdigit():
            return None
        try:
            target = self.bot.get_channel(int(channel)) or await self.bot.fetch_channel(
                int(channel)
            )
            if not isinstance(target, discord.abc.Messageable):
                return None
            found = await target.fetch_message(int(message_id))
        except discord.HTTPException as exc:
            logger.info("Discord: cannot read a message in %s (%s)", channel, exc.status)
            return None
        return chat_message(found)
