"""The running bot: start everything, run the adapter, shut down gracefully.

``App`` holds what ``bot.bootstrap.build_app`` wired together. ``run`` starts the batcher, the
writer and the scheduler, hands the core to the adapter and waits until the adapter ends (end of
input in the shell) or SIGTERM/SIGINT arrives. Shutdown then stops taking messages, scores and
stores everything already received, and closes in dependency order within
``[ops] shutdown_timeout_s``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.core.bot import SentimentBot
    from bot.core.ports import Adapter, ReportSchedules, RunningBatcher, RunningSink
    from model.batcher import BatchScorer as Scorer
    from storage.database import Database
    from storage.repository import Repository

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_ERROR = 1


@dataclass
class App:
    """Everything the bot runs, built by ``bot.bootstrap.build_app``.

    Attributes
    ----------
    settings, bot, adapter, batcher, writer
        The configuration, the core, the chat adapter, the ``MicroBatcher`` and the
        ``MessageWriter``.
    scorer, repository, database, scheduler
        The synchronous scorer, the repository, the ``Database`` (disposed at the end) and the
        optional report scheduler.
    on_start, on_close
        Extra callables (sync or async) run last at start and at shutdown, e.g. the ops
        server's start and stop.
    """

    settings: Settings
    bot: SentimentBot
    adapter: Adapter
    batcher: RunningBatcher
    writer: RunningSink
    scorer: Scorer | None = None
    repository: Repository | None = None
    database: Database | None = None
    scheduler: ReportSchedules | None = None
    on_start: list[Callable[[], Any]] = field(default_factory=list)
    on_close: list[Callable[[], Any]] = field(default_factory=list)
    stop_requested: asyncio.Event | None = None
    _started: bool = False

    async def start(self) -> None:
        """Start the batcher, the writer and the scheduler."""
        self.stop_requested = asyncio.Event()
        await self.batcher.start()
        await self.writer.start()
        if self.scheduler is not None:
            await self.scheduler.start()
        self._started = True
        for starter in self.on_start:
            await _maybe_await(starter())

    def request_stop(self, reason: str = "stop requested") -> None:
        """Begin a graceful shutdown (safe to call more than once)."""
        if self.stop_requested is not None and not self.stop_requested.is_set():
            logger.info("%s: finishing the work in hand, then exiting", reason)
            self.stop_requested.set()

    async def run(self) -> int:
        """Run until end of input or a signal; return the process exit status."""
        try:
            await self.start()
        except Exception as exc:
            logger.error("startup failed: %s", exc)
            await self.shutdown(failed=True)
            return EXIT_ERROR
        loop = asyncio.get_running_loop()
        installed = _install_signals(loop, self.request_stop)
        assert self.stop_requested is not None
        adapter_task = asyncio.create_task(self.adapter.start(self.bot), name="adapter")
        stop_task = asyncio.create_task(self.stop_requested.wait(), name="stop")
        status = EXIT_OK
        try:
            await asyncio.wait({adapter_task, stop_task}, return_when=asyncio.FIRST_COMPLETED)
            done = adapter_task.done() and not adapter_task.cancelled()
            failure = adapter_task.exception() if done else None
            if failure is not None:
                logger.error("the %s adapter stopped: %s", self.adapter.name, failure)
                status = EXIT_ERROR
        finally:
            stop_task.cancel()
            for sig in installed:
                loop.remove_signal_handler(sig)
            if not await self.shutdown(adapter_task, failed=status != EXIT_OK):
                status = EXIT_ERROR
        return status

    async def shutdown(
        self, adapter_task: asyncio.Task[None] | None = None, *, failed: bool = False
    ) -> bool:
        """Stop taking messages, store everything taken, close; ``True`` when nothing was lost."""
        timeout = self.settings.ops.shutdown_timeout_s
        try:
            await asyncio.wait_for(self._close_in_order(adapter_task), timeout)
            done = "stopped after the failure above" if failed else "shut down cleanly"
            logger.info("%s: %s", done, dict(self.bot.stats))
            return True
        except TimeoutError:
            logger.error(
                "shutdown took over %.0f s ([ops] shutdown_timeout_s); %d message(s) were "
                "still being scored and %s waiting for the database",
                timeout,
                self.bot.inflight,
                self.writer.pending,
            )
            return False

    async def _close_in_order(self, adapter_task: asyncio.Task[None] | None) -> None:
        await _step("adapter", self.adapter.stop)
        if adapter_task is not None and not adapter_task.done():
            await asyncio.wait({adapter_task})
        await self.bot.drain()  # everything taken is scored and handed to the writer
        self.bot.stop_accepting()
        await self.bot.drain()
        if self.scheduler is not None:
            await _step("scheduler", self.scheduler.shutdown)
        if self._started:
            await _step("batcher", self.batcher.close)
            await _step("writer", self.writer.close)  # flushes everything
        for closer in self.on_close:
            await _step("close", closer)
        database = self.database
        if database is not None:
            await _step("database", lambda: asyncio.to_thread(database.close))


async def _maybe_await(value: Any) -> Any:
    if isinstance(value, Awaitable):
        return await value
    return value


async def _step(what: str, action: Callable[[], Any]) -> None:
    """Run one shutdown step; a failing step is logged and the next one still runs."""
    try:
        await _maybe_await(action())
    except Exception as exc:
        logger.error("shutdown step '%s' failed: %s", what, exc)


def _install_signals(
    loop: asyncio.AbstractEventLoop, request_stop: Callable[[str], None]
) -> list[signal.Signals]:
    installed = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, request_stop, sig.name)
            installed.append(sig)
    return installed
