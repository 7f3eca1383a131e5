"""The adapter interface: each chat platform translates its events in and replies out.

Adapters stay thin (errbot's ``Backend``): they build ``ChatMessage`` / ``Command`` objects,
hand them to a ``Handler`` (the core) and deliver the ``Reply`` it returns. All behaviour that
is the same everywhere lives in the core.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Protocol

from bot.core.messages import ChatMessage, Command, Reply


class Handler(Protocol):
    """What the core offers adapters (implemented by ``bot.core.bot.SentimentBot``)."""

    async def on_message(self, message: ChatMessage) -> None:
        """A new channel message: score and store it (bot authors are ignored)."""

    async def on_edit(self, message: ChatMessage) -> None:
        """An edited message: rescore and replace the stored row."""

    async def on_delete(self, platform: str, channel: str, message_id: str) -> None:
        """A deleted message: remove its stored row."""

    async def on_command(self, command: Command) -> Reply:
        """A slash command: return the reply to deliver."""


class Adapter(ABC):
    """A connection to one chat platform."""

    name: str = "adapter"

    @abstractmethod
    async def start(self, handler: Handler) -> None:
        """Connect and deliver events to ``handler`` until ``stop`` is called or input ends."""

    @abstractmethod
    async def post(self, channel: str, reply: Reply) -> None:
        """Post ``reply`` (text and files) to ``channel`` unprompted, e.g. a scheduled report."""

    @abstractmethod
    async def stop(self) -> None:
        """Stop taking events and close the connection."""

    @property
    def connected(self) -> bool:
        """Whether the platform connection is up (for health checks)."""
        return True
