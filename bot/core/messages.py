"""Platform-neutral chat types: what adapters turn platform events into, and replies out of."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path


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
class Command:
    """A slash command: ``name`` without the slash (``sentiment-report``), ``text`` its argument."""

    platform: str
    workspace: str
    channel: str
    author: Person
    name: str
    text: str = ""


@dataclass(slots=True)
class Reply:
    """What the bot says back: text, attached files, and whether only the caller sees it."""

    text: str
    files: list[Path] = field(default_factory=list)
    ephemeral: bool = False
