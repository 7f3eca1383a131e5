"""A recording fake of ``bot.core.ports.Handler`` for adapter tests (no core, no model)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime

from bot.core.messages import ChatMessage, Command, Press, Reply
from bot.errors import NotStored


class RecordingHandler:
    """Records every call; ``on_command`` answers from ``replies`` or echoes the command."""

    def __init__(self) -> None:
        self.messages: list[ChatMessage] = []
        self.edits: list[ChatMessage] = []
        self.deletes: list[tuple[str, str, str]] = []
        self.commands: list[Command] = []
        self.presses: list[Press] = []
        self.replies: dict[str, Reply] = {}
        self.fail_on: set[str] = set()
        self.refusals: dict[str, Reply] = {}  # what check_command answers, by command name
        self.durable: list[bool] = []  # the ``durable`` flag of each message, edit and delete
        self.deleted_at: list[datetime | None] = []
        self.not_stored = 0  # the next N durable deliveries raise NotStored (then are stored)

    def _deliver(self, durable: bool) -> None:
        self.durable.append(durable)
        if durable and self.not_stored > 0:
            self.not_stored -= 1
            raise NotStored("test: buffer full")

    async def on_message(self, message: ChatMessage, *, durable: bool = False) -> None:
        self._deliver(durable)
        self.messages.append(message)

    async def on_edit(self, message: ChatMessage, *, durable: bool = False) -> None:
        self._deliver(durable)
        self.edits.append(message)

    async def on_delete(
        self,
        platform: str,
        channel: str,
        message_id: str,
        *,
        deleted_at: datetime | None = None,
        durable: bool = False,
    ) -> None:
        self._deliver(durable)
        self.deletes.append((platform, channel, message_id))
        self.deleted_at.append(deleted_at)

    async def check_command(self, command: Command) -> Reply | None:
        return self.refusals.get(command.name)

    async def on_command(self, command: Command) -> Reply:
        self.commands.append(command)
        if command.name in self.fail_on:
            raise RuntimeError("boom")
        return self.replies.get(command.name, Reply(f"{command.name}: {command.text}"))

    async def on_press(self, press: Press) -> Reply:
        self.presses.append(press)
        return Reply(f"pressed {press.action}", ephemeral=True)


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
