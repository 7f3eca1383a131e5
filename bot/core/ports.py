"""The core's ports: what it offers adapters and what it needs from the parts around it.

Adapters stay thin (errbot's ``Backend``): they build ``ChatMessage`` / ``Command`` objects,
hand them to a ``Handler`` (the core) and deliver the ``Reply`` it returns. All behaviour that
is the same everywhere lives in the core. The core in turn sees the batcher, the writer, the
retrain manager and the report scheduler only through the Protocols below, and commands see the
core only as a ``CommandContext``; ``bot.bootstrap`` plugs the real parts in.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from bot.core.messages import ChatMessage, Command, Person, Press, Reply

if TYPE_CHECKING:
    import asyncio
    from datetime import datetime

    from bot.config import Settings
    from bot.core.privacy import PrivacyFilter, RecentMessages
    from model.batcher import BatchScorer as Scorer
    from model.types import Score
    from storage.receipts import Outcome
    from storage.repository import Repository
    from storage.types import MessageKey, ScoredMessage

Poster = Callable[[str, Reply], Awaitable[None]]
"""Post a reply to a channel unprompted (``Adapter.post``)."""
Notify = Callable[[str], Awaitable[None]]
"""Tell the person who asked something later (a retrain's progress)."""


class Handler(Protocol):
    """What the core offers adapters (implemented by ``bot.core.bot.SentimentBot``)."""

    async def on_message(self, message: ChatMessage, *, durable: bool = False) -> Score | None:
        """A new channel message: score and store it (bot authors are ignored); its score.

        With ``durable`` it returns only once the outcome is in the database, and raises
        ``NotStored`` when it is not: an adapter whose platform redelivers unacknowledged
        events (Slack) acknowledges after this returns.
        """

    async def on_edit(self, message: ChatMessage, *, durable: bool = False) -> None:
        """An edited message: rescore and replace the stored row if this edit is newer."""

    async def on_delete(
        self,
        platform: str,
        channel: str,
        message_id: str,
        *,
        deleted_at: datetime | None = None,
        durable: bool = False,
    ) -> None:
        """A deleted message: remove its row and keep a tombstone, so no copy comes back."""

    async def check_command(self, command: Command) -> Reply | None:
        """The private refusal a command would get, fast and before any work (``None``: it may
        run). Adapters that acknowledge publicly ask first."""

    async def on_command(self, command: Command) -> Reply:
        """A slash command: return the reply to deliver."""

    async def on_press(self, press: Press) -> Reply:
        """A press of one of the bot's buttons (a correction): the private answer to the
        presser."""


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

    @abstractmethod
    async def fetch_message(self, channel: str, message_id: str) -> ChatMessage | None:
        """The message as the platform has it now (``bot.core.messages.MessageSource``), or
        ``None`` when it was deleted, is unknown or the bot cannot read it: a "help me learn"
        button fetches the text it labels at the moment it is pressed."""

    @property
    def connected(self) -> bool:
        """Whether the platform connection is up (for health checks)."""
        return True


class Batcher(Protocol):
    """Scores text off the event loop (``model.batcher.MicroBatcher``).

    The synchronous scorer behind it is ``model.batcher.BatchScorer``, the one Scorer Protocol.
    """

    async def score(self, text: str) -> Score: ...

    async def score_many(self, texts: Sequence[str]) -> list[Score]: ...


class MessageSink(Protocol):
    """Where scored messages go (``storage.writer.MessageWriter``)."""

    async def put(self, msg: ScoredMessage) -> None: ...

    def delete(self, key: MessageKey, deleted_at: datetime | None = None) -> bool: ...

    def submit_durable(self, msg: ScoredMessage) -> asyncio.Future[Outcome]: ...

    def delete_durable(
        self, key: MessageKey, deleted_at: datetime | None = None
    ) -> asyncio.Future[Outcome]: ...

    async def flush(self) -> None: ...


class Retrainer(Protocol):
    """Starts a retrain on an admin's request (``bot.retrain.manager.RetrainManager``)."""

    async def start(self, requested_by: Person, notify: Notify, *, force: bool = False) -> str: ...

    @property
    def running(self) -> bool:
        """Whether a retrain is in progress."""
        ...

    async def new_corrections(self) -> tuple[int, int]:
        """Corrections since the last retrain, and in all."""
        ...

    async def close(self) -> None: ...

    async def sync_active_model(self) -> bool: ...


class Schedules(Protocol):
    """Reschedules a channel's reports (``bot.reports.scheduler.ReportScheduler``)."""

    async def apply_schedule(self, pair: tuple[str, str], cron: str) -> None: ...


class ReportSchedules(Schedules, Protocol):
    """The report scheduler as the app runs it."""

    async def start(self) -> None: ...

    async def shutdown(self) -> None: ...


class Service(Protocol):
    """A part with a background task: started before the adapter, closed after it."""

    async def start(self) -> None: ...

    async def close(self) -> object: ...


class RunningBatcher(Batcher, Service, Protocol):
    """``model.batcher.MicroBatcher`` as the app runs it."""


class RunningSink(MessageSink, Service, Protocol):
    """``storage.writer.MessageWriter`` as the app runs it."""

    @property
    def pending(self) -> int: ...


class DashboardLinks(Protocol):
    """Makes sign-in links for the web dashboard (``bot.dashboard.linkmaker.LinkMaker``)."""

    @property
    def reachable(self) -> bool:
        """Whether people elsewhere can open the links (``[dashboard] public_url`` is set)."""
        ...

    async def channels_of(self, platform: str, workspace: str) -> list[str]:
        """The monitored channels of one server or workspace (candidates for a grant)."""
        ...

    async def link(
        self, platform: str, workspace: str, user_id: str, grants: Sequence[tuple[str, str]]
    ) -> str:
        """Record ``(channel, name)`` grants for the person and return a fresh link for them."""
        ...

    async def operator_link(self) -> str:
        """A fresh link that sees every channel (the local shell's, the CLI's)."""
        ...


class CommandContext(Protocol):
    """What a command handler may use (implemented by ``bot.core.bot.SentimentBot``)."""

    @property
    def settings(self) -> Settings: ...

    @property
    def repository(self) -> Repository: ...

    @property
    def scorer(self) -> Scorer | None: ...

    @property
    def privacy(self) -> PrivacyFilter: ...

    @property
    def recent(self) -> RecentMessages: ...

    @property
    def retrainer(self) -> Retrainer | None: ...

    @property
    def schedules(self) -> Schedules | None: ...

    @property
    def stats(self) -> Counter[str]: ...

    @property
    def dashboard(self) -> DashboardLinks | None: ...

    async def score(self, text: str) -> Score: ...

    async def flush_writes(self) -> bool: ...

    async def post(self, channel: str, reply: Reply) -> None: ...
