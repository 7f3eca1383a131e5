"""Real discord.py objects built offline from gateway payloads, and a recording Interaction.

Guilds, channels, members and messages are genuine discord.py classes built on the bot's own
``ConnectionState``; only the Interaction (which discord.py cannot build without a live HTTP
session) is a stand-in that records what the cogs send back.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import discord

GUILD_ID = 1180000000000000001
CHANNEL_ID = 1180000000000000002
BOT_ID = 1180000000000000003
USER_ID = 1180000000000000004
ADMIN_ID = 1180000000000000005
_ids = itertools.count(1180000000000001000)


def user_payload(user_id: int, name: str, *, bot: bool = False) -> dict:
    return {
        "id": str(user_id),
        "username": name,
        "discriminator": "0",
        "avatar": None,
        "global_name": name.title(),
        "bot": bot,
    }


MEMBER = {"roles": [], "joined_at": None, "deaf": False, "mute": False, "flags": 0}


@dataclass
class World:
    """A guild with one text channel, seen by a logged-in bot."""

    client: discord.Client
    guild: discord.Guild
    channel: discord.TextChannel

    @classmethod
    def build(cls, client: discord.Client) -> World:
        state = client._connection
        state.user = discord.ClientUser(
            state=state, data=user_payload(BOT_ID, "sentibot", bot=True)
        )
        everyone = {
            "id": str(GUILD_ID),
            "name": "@everyone",
            "permissions": "0",
            "position": 0,
            "color": 0,
            "hoist": False,
            "managed": False,
            "mentionable": False,
        }
        guild = discord.Guild(
            data={
                "id": str(GUILD_ID),
                "name": "test",
                "roles": [everyone],
                "owner_id": str(ADMIN_ID),
            },
            state=state,
        )
        channel = discord.TextChannel(
            state=state,
            guild=guild,
            data={
                "id": str(CHANNEL_ID),
                "type": 0,
                "name": "general",
                "position": 0,
                "permission_overwrites": [],
                "guild_id": str(GUILD_ID),
            },
        )
        guild._add_channel(channel)
        state._add_guild(guild)
        return cls(client, guild, channel)

    def member(self, user_id: int = USER_ID, name: str = "ann", *, bot: bool = False):
        data = {**MEMBER, "user": user_payload(user_id, name, bot=bot)}
        return discord.Member(data=data, guild=self.guild, state=self.client._connection)

    def message_payload(
        self,
        content: str,
        *,
        author_id: int = USER_ID,
        bot: bool = False,
        kind: int = 0,
        message_id: int | None = None,
    ) -> dict:
        return {
            "id": str(message_id or next(_ids)),
            "channel_id": str(CHANNEL_ID),
            "guild_id": str(GUILD_ID),
            "author": user_payload(author_id, "ann", bot=bot),
            "member": dict(MEMBER),
            "content": content,
            "timestamp": "2026-11-25T12:00:00+00:00",
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "pinned": False,
            "type": kind,
        }

    def message(self, content: str, **kwargs: Any) -> discord.Message:
        data = self.message_payload(content, **kwargs)
        return discord.Message(state=self.client._connection, channel=self.channel, data=data)


@dataclass
class Sent:
    """One thing the cog sent back through the interaction.

    ``ephemeral`` is the flag the cog asked for; ``private`` is what Discord does: the first
    follow-up after a defer replaces the "thinking…" message and keeps the defer's visibility,
    whatever flag it carries (unless that message was deleted first).
    """

    how: str  # "response" | "followup" | "defer"
    content: str | None = None
    ephemeral: bool = False
    files: list = field(default_factory=list)
    id: int = field(default_factory=lambda: next(_ids))
    private: bool = False
    deleted: bool = False


class FakeResponse:
    def __init__(self, log: list[Sent]) -> None:
        self.log, self.done = log, False

    def is_done(self) -> bool:
        return self.done

    async def send_message(self, content=None, *, ephemeral=False, files=(), **_: Any) -> None:
        assert not self.done, "an interaction can be answered only once"
        self.done = True
        self.log.append(Sent("response", content, ephemeral, list(files), private=ephemeral))

    async def defer(self, *, thinking: bool = False, ephemeral: bool = False) -> None:
        assert not self.done, "an interaction can be answered only once"
        self.done = True
        self.log.append(Sent("defer", None, ephemeral, private=ephemeral))


class FakeFollowup:
    def __init__(self, log: list[Sent]) -> None:
        self.log = log

    async def send(self, content=None, *, ephemeral=False, files=(), wait=False, **_: Any):
        private = ephemeral
        defer = next((s for s in self.log if s.how == "defer"), None)
        first_after_defer = not any(s.how == "followup" for s in self.log)
        if defer is not None and first_after_defer and not defer.deleted:
            private = defer.ephemeral  # Discord: it edits the "thinking…" message
        sent = Sent("followup", content, ephemeral, list(files), private=private)
        self.log.append(sent)
        return discord.Object(id=sent.id) if wait else None


class FakeInteraction:
    """Stands in for ``discord.Interaction``: real user/guild objects, recorded responses."""

    def __init__(self, world: World, user: discord.Member, *, admin_permission: bool = False):
        self.client = world.client
        self.user = user
        self.guild = world.guild
        self.guild_id = world.guild.id
        self.channel = world.channel
        self.channel_id = world.channel.id
        self.permissions = discord.Permissions(administrator=admin_permission)
        self.sent: list[Sent] = []
        self.response = FakeResponse(self.sent)
        self.followup = FakeFollowup(self.sent)

    async def delete_original_response(self) -> None:
        original = next(s for s in self.sent if s.how in ("response", "defer"))
        original.deleted = True

    def seen_by_channel(self) -> list[str | None]:
        """What everyone in the channel sees (not deleted, not private)."""
        return [s.content for s in self.sent if not s.private and not s.deleted]

    async def original_response(self) -> discord.Object:
        first = next(s for s in self.sent if s.how == "response")
        return discord.Object(id=first.id)
