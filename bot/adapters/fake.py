"""An in-memory adapter for tests (errbot's ``TestBackend``).

Tests push messages and commands in with ``say`` / ``edit`` / ``delete`` / ``command`` and read
what the bot said from ``outbox``, a queue of ``(channel, Reply)``.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from datetime import UTC, datetime

from bot.core.messages import ChannelInfo, ChatMessage, Command, Person, Press, Reply
from bot.core.ports import Adapter, Handler

logger = logging.getLogger(__name__)

DEFAULT_USER = Person(id="U1", name="alice")


class FakeDirectory:
    """The fake platform's channels (``ChannelDirectory``): ``channels`` maps ids to what the
    platform says of them; any other id is unknown."""

    def __init__(self, channels: dict[str, ChannelInfo]) -> None:
        self.channels = channels

    async def channel(self, channel_id: str) -> ChannelInfo | None:
        return self.channels.get(channel_id)


class FakeAdapter(Adapter):
    """A chat platform that lives in the test.

    Parameters
    ----------
    platform
        The platform name put on every message and command.
    workspace
        The workspace (team / guild) put on every message and command.
    """

    name = "fake"

    def __init__(self, platform: str = "fake", workspace: str = "test") -> None:
        self.platform = platform
        self.workspace = workspace
        self.outbox: asyncio.Queue[tuple[str, Reply]] = asyncio.Queue()
        self.handler: Handler | None = None
        self.started = asyncio.Event()
        self._stopped = asyncio.Event()
        self._ids = itertools.count(1)
        # the platform's channels; tests add others (another workspace, a hidden channel)
        self.channels: dict[str, ChannelInfo] = {
            name: ChannelInfo(workspace, True, name) for name in ("general", "other")
        }
        # the platform's messages as it has them now (said, edited, not deleted)
        self.messages: dict[tuple[str, str], ChatMessage] = {}

    async def start(self, handler: Handler) -> None:
        """Attach ``handler`` and wait until ``stop``."""
        self.handler = handler
        self.started.set()
        await self._stopped.wait()

    async def post(self, channel: str, reply: Reply) -> None:
        """Record an unprompted post (scheduled report, retrain progress)."""
        await self.outbox.put((channel, reply))

    async def stop(self) -> None:
        """End ``start``."""
        self._stopped.set()

    @property
    def connected(self) -> bool:
        return self.started.is_set() and not self._stopped.is_set()

    async def fetch_message(self, channel: str, message_id: str) -> ChatMessage | None:
        """The message as the fake platform has it now (``None`` once deleted)."""
        return self.messages.get((channel, message_id))

    # -- test helpers -------------------------------------------------------------------------

    def _require_handler(self) -> Handler:
        if self.handler is None:
            raise RuntimeError("FakeAdapter.start(handler) has not been called")
        return self.handler

    def message(
        self,
        text: str,
        *,
        channel: str = "general",
        user: Person = DEFAULT_USER,
        message_id: str | None = None,
        created_at: datetime | None = None,
    ) -> ChatMessage:
        """Build a ``ChatMessage`` as this platform would deliver it."""
        return ChatMessage(
            platform=self.platform,
            workspace=self.workspace,
            channel=channel,
            message_id=message_id or f"m{next(self._ids)}",
            author=user,
            text=text,
            created_at=created_at or datetime.now(UTC),
        )

    async def say(self, text: str, **kwargs: object) -> ChatMessage:
        """Deliver a new message to the handler; returns it (for its ``message_id``)."""
        message = self.message(text, **kwargs)  # type: ignore[arg-type]
        self.messages[(message.channel, message.message_id)] = message
        await self._require_handler().on_message(message)
        return message

    async def edit(self, message: ChatMessage, text: str) -> ChatMessage:
        """Deliver an edit of ``message`` with new ``text``."""
        edited = ChatMessage(
            platform=message.platform,
            workspace=message.workspace,
            channel=message.channel,
            message_id=message.message_id,
            author=message.author,
            text=text,
            created_at=message.created_at,
        )
        self.messages[(edited.channel, edited.message_id)] = edited
        await self._require_handler().on_edit(edited)
        return edited

    async def delete(self, message: ChatMessage) -> None:
        """Deliver the deletion of ``message``."""
        self.messages.pop((message.channel, message.message_id), None)
        await self._require_handler().on_delete(
            message.platform, message.channel, message.message_id
        )

    async def command(
        self, name: str, text: str = "", *, channel: str = "general", user: Person = DEFAULT_USER
    ) -> Reply:
        """Run a command; its reply is returned and also put in ``outbox``."""
        command = Command(
            self.platform,
            self.workspace,
            channel,
            user,
            name,
            text,
            directory=FakeDirectory(self.channels),
        )
        reply = await self._require_handler().on_command(command)
        await self.outbox.put((channel, reply))
        return reply

    async def press(
        self,
        action: str,
        *,
        channel: str = "general",
        user: Person = DEFAULT_USER,
        workspace: str | None = None,
    ) -> Reply:
        """Press a button with ``action`` (as ``user`` of ``workspace``, by default this one)."""
        press = Press(
            self.platform,
            self.workspace if workspace is None else workspace,
            channel,
            user,
            action,
            source=self,
        )
        return await self._require_handler().on_press(press)
