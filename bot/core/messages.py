"""Platform-neutral chat types: what adapters turn platform events into, and replies out of."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Person:
    """The author of a message or command. ``is_admin`` is decided by the adapter."""

    id: str
    name: str = ""
    is_bot: bool = False
    is_admin: bool = False


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """A channel message, from any platform."""

    platform: str  # "shell" | "slack" | "discord" | "fake"
    workspace: str  # Slack team id, Discord guild id, "local"
    channel: str
    message_id: str
    author: Person
    text: str
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    link: str | None = None
    edited_at: datetime | None = None  # the platform's time of the edit this text comes from


@dataclass(frozen=True, slots=True)
class ChannelInfo:
    """What a platform says about a channel, as seen by the person running a command."""

    workspace: str  # the Slack team / Discord guild the channel belongs to
    viewable: bool  # whether that person may read the channel on the platform
    name: str = ""


class ChannelDirectory(Protocol):
    """Looks channels up on the platform for one command (the adapter provides it)."""

    async def channel(self, channel_id: str) -> ChannelInfo | None:
        """The channel, or ``None`` when the platform does not know it or the bot cannot see
        it."""


@dataclass(frozen=True, slots=True)
class Command:
    """A slash command: ``name`` without the slash (``sentiment-report``), ``text`` its argument.

    ``options`` holds typed options where the platform has them (Discord: ``channel`` as an id,
    ``period``), so a word is never mistaken for another option. ``directory`` lets the core
    ask the platform about other channels (``bot.core.access``); ``None`` on the local shell and
    the CLI, whose user is the operator.
    """

    platform: str
    workspace: str
    channel: str
    author: Person
    name: str
    text: str = ""
    options: Mapping[str, str] = field(default_factory=dict)
    directory: ChannelDirectory | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Button:
    """A button under a reply. ``action`` is what the platform sends back when it is pressed
    (at most 100 characters, Discord's ``custom_id`` limit); ``style`` is ``"primary"``,
    ``"danger"`` or ``""``."""

    label: str
    action: str
    style: str = ""


@dataclass(slots=True)
class Reply:
    """What the bot says back: text, attached files, buttons, and whether only the caller sees
    it."""

    text: str
    files: list[Path] = field(default_factory=list)
    ephemeral: bool = False
    buttons: list[Button] = field(default_factory=list)


class MessageSource(Protocol):
    """Fetches a message from the platform at this moment (the adapter provides it)."""

    async def fetch_message(self, channel: str, message_id: str) -> ChatMessage | None:
        """The message as the platform has it now, or ``None`` when it was deleted, is unknown
        or the bot cannot read it."""


@dataclass(frozen=True, slots=True)
class Press:
    """A press of one of the bot's buttons.

    ``workspace`` is the presser's Slack team or Discord guild, ``channel`` where the button
    was, ``action`` the button's ``Button.action``; ``source`` fetches messages from the
    platform (``None`` where it cannot)."""

    platform: str
    workspace: str
    channel: str
    user: Person
    action: str
    source: MessageSource | None = field(default=None, compare=False, repr=False)
