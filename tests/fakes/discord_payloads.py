"""Discord's objects as the gateway and REST API send them, for the loopback fake.

The world of ``tests.fakes.discord_server``: two guilds, ``GUILD`` (``#general``; ``#mods``,
hidden from ``@everyone``) and ``OTHER_GUILD`` (``#secrets``), both owned by ``OWNER``; the bot is
in both. Payloads carry the fields discord.py reads (Discord's v10 shapes).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.fakes.discord_interactions import next_id

TOKEN = "test-token.fake.discord"
APP_ID = 1190000000000000001
BOT_ID = APP_ID
GUILD = 1190000000000000010
GENERAL = 1190000000000000011
MODS = 1190000000000000012  # hidden from @everyone
OTHER_GUILD = 1190000000000000020
SECRETS = 1190000000000000021
OWNER = 1190000000000000030  # owns both guilds
USER = 1190000000000000031  # a plain member
OTHER_USER = 1190000000000000032  # another plain member
OPERATOR = 1190000000000000033  # listed in the bot's [admins] discord; no guild permissions
VIEW_CHANNEL = 1 << 10
ADMINISTRATOR = 1 << 3


def user(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    """A Discord user object."""
    return {
        "id": str(user_id),
        "username": name,
        "discriminator": "0",
        "global_name": name.title(),
        "avatar": None,
        "bot": bot,
    }


def member(user_id: int, name: str, permissions: int = 0) -> dict[str, Any]:
    """A guild member object (``permissions`` as interactions carry it)."""
    return {
        "user": user(user_id, name),
        "roles": [],
        "joined_at": "2026-01-01T00:00:00+00:00",
        "deaf": False,
        "mute": False,
        "flags": 0,
        "permissions": str(permissions),
    }


def channel(channel_id: int, guild_id: int, name: str, deny_everyone: int = 0) -> dict[str, Any]:
    """A guild text channel; ``deny_everyone`` permission bits are denied to ``@everyone``."""
    overwrites = [{"id": str(guild_id), "type": 0, "allow": "0", "deny": str(deny_everyone)}]
    return {
        "id": str(channel_id),
        "guild_id": str(guild_id),
        "type": 0,
        "name": name,
        "position": 0,
        "permission_overwrites": overwrites if deny_everyone else [],
        "nsfw": False,
        "parent_id": None,
    }


def guild(guild_id: int, name: str, channels: list[dict[str, Any]]) -> dict[str, Any]:
    """A GUILD_CREATE payload: ``@everyone`` may view and send, the bot is a member."""
    everyone = {"id": str(guild_id), "name": "@everyone", "permissions": str(VIEW_CHANNEL | 2048)}
    everyone |= {"position": 0, "color": 0, "hoist": False, "managed": False, "mentionable": False}
    return {
        "id": str(guild_id),
        "name": name,
        "owner_id": str(OWNER),
        "roles": [everyone],
        "channels": channels,
        "members": [member(BOT_ID, "sentibot") | {"user": user(BOT_ID, "sentibot", bot=True)}],
        "member_count": 3,
        "large": False,
        "unavailable": False,
        "features": [],
        "emojis": [],
        "stickers": [],
        "threads": [],
        "voice_states": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
    }


def now_iso() -> str:
    """Now, as Discord writes timestamps."""
    return datetime.now(UTC).isoformat()


def message(content: str, author: dict[str, Any], channel: dict[str, Any]) -> dict[str, Any]:
    """A MESSAGE_CREATE / REST message payload by ``author`` in ``channel``, with a fresh id."""
    return {
        "id": str(next_id()),
        "channel_id": channel["id"],
        "guild_id": channel.get("guild_id"),
        "author": author,
        "member": {k: v for k, v in member(int(author["id"]), "x").items() if k != "user"},
        "content": content,
        "timestamp": now_iso(),
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": False,
        "type": 0,
        "flags": 0,
    }
