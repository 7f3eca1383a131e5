"""A recording fake of ``bot.core.ports.Handler`` for adapter tests (no core, no model)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from bot.core.messages import ChatMessage, Command, Reply


class RecordingHandler:
    """Records every call; ``on_command`` answers from ``replies`` or echoes the command."""

    def __init__(self) -> None:
        self.messages: list[ChatMessage] = []
        self.edits: list[ChatMessage] = []
        self.deletes: list[tuple[str, str, str]] = []
        self.commands: list[Command] = []
        self.replies: dict[str, Reply] = {}
        self.fail_on: set[str] = set()

    async def on_message(self, message: ChatMessage) -> None:
        self.messages.append(message)

    async def on_edit(self, message: ChatMessage) -> None:
        self.edits.append(message)

    async def on_delete(self, platform: str, channel: str, message_id: str) -> None:
        self.deletes.append((platform, channel, message_id))

    async def on_command(self, command: Command) -> Reply:
        self.commands.append(command)
        if command.name in self.fail_on:
            raise RuntimeError("boom")
        return self.replies.get(command.name, Reply(f"{command.name}: {command.text}"))


async def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll ``condition`` until true; fail the test with a clear message after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout:.1f} s")
        await asyncio.sleep(0.01)


async def settle(seconds: float = 0.1) -> None:
    """Let background tasks run (used before asserting that something did NOT happen)."""
    await asyncio.sleep(seconds)
