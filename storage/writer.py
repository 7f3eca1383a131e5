"""Batched, loss-free storage of scored messages from the event loop.

``submit`` never blocks: it appends to a bounded in-memory buffer. A background task writes the
buffer in batches through ``Repository.upsert_messages`` in a worker thread. When the database
is unreachable the batch stays buffered and is retried with exponential backoff (capped at
``retry_max_s``); nothing is lost when it comes back. A full buffer refuses new messages and
says so once per episode. A message the database rejects for itself (not an outage) is isolated
by splitting its batch and dropped with a log line, so one bad row can never block the rest.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections import deque
from collections.abc import Callable
from typing import TypeVar

from storage.errors import DatabaseUnavailable
from storage.repository import Repository
from storage.types import MessageKey, ScoredMessage

logger = logging.getLogger(__name__)

R = TypeVar("R")

# Outages worth waiting for; anything else is a problem with the data, isolated and dropped.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (DatabaseUnavailable, ConnectionError)


class MessageWriter:
    """Buffers scored messages and writes them in batches.

    Parameters
    ----------
    repository
        Where messages go; called from a worker thread.
    batch_size
        Messages per write.
    flush_interval_ms
        Longest time a message waits for its batch to fill.
    buffer_limit
        Messages held at most (waiting and being written) before ``submit`` refuses.
    retry_max_s
        Cap of the exponential backoff between retries while the database is down.
    store_text
        Keep message text; when ``False`` (the default privacy setting) it is dropped here.
    retry_min_s
        First retry delay.
    """

    def __init__(
        self,
        repository: Repository,
        batch_size: int = 500,
        flush_interval_ms: float = 200.0,
        buffer_limit: int = 100_000,
        retry_max_s: float = 30.0,
        store_text: bool = False,
        *,
        retry_min_s: float = 0.05,
    ) -> None:
        self.repository = repository
        self.batch_size = max(1, batch_size)
        self.flush_interval_s = flush_interval_ms / 1000.0
        self.buffer_limit = max(1, buffer_limit)
        self.retry_max_s = retry_max_s
        self.retry_min_s = min(retry_min_s, retry_max_s)
        self.store_text = store_text
        self._buffer: deque[ScoredMessage] = deque()
        self._deletes: list[MessageKey] = []
        self._in_flight = 0
        self._accepted = 0  # messages taken by ``submit``
        self._finished = 0  # messages written, filtered or rejected
        self._errors = 0
        self.refused = 0  # messages refused because the buffer was full
        self.rejected = 0  # messages the database refused for themselves
        self._full_since: float | None = None
        self._down_since: float | None = None
        self._wake = asyncio.Event()
        self._progress = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self._sleep = asyncio.sleep  # replaceable in tests to observe the backoff

    # -- public surface --------------------------------------------------------------------
    @property
    def pending(self) -> int:
        """Messages accepted but not yet written."""
        return len(self._buffer) + self._in_flight

    @property
    def errors(self) -> int:
        """Failed write attempts so far (each retry of an outage counts)."""
        return self._errors

    async def start(self) -> None:
        """Start the background flushing task."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="sentibot-message-writer")

    def submit(self, msg: ScoredMessage) -> bool:
        """Queue a message for storage without blocking; ``False`` when refused (buffer full)."""
        if self._closed:
            logger.error("message writer is closed; message %s not stored", msg.message_id)
            self.refused += 1
            return False
        if self.pending >= self.buffer_limit:
            self.refused += 1
            if self._full_since is None:
                self._full_since = time.monotonic()
                logger.error(
                    "write buffer full: %d messages waiting for the database (buffer_limit=%d); "
                    "new messages are refused until it drains",
                    self.pending,
                    self.buffer_limit,
                )
            return False
        if self._full_since is not None:
            logger.warning(
                "write buffer accepting again after %.1f s; %d messages were refused so far",
                time.monotonic() - self._full_since,
                self.refused,
            )
            self._full_since = None
        if msg.text is not None and not self.store_text:
            msg = dataclasses.replace(msg, text=None)
        self._buffer.append(msg)
        self._accepted += 1
        if len(self._buffer) >= self.batch_size:
            self._wake.set()
        return True

    async def put(self, msg: ScoredMessage) -> None:
        """Queue a message, waiting while the buffer is full (backpressure instead of refusal)."""
        while self.pending >= self.buffer_limit and not self._closed:
            self._progress.clear()
            await self._progress.wait()
        self.submit(msg)

    def delete(self, key: MessageKey) -> None:
        """Remove a message: from the buffer now, from the database after in-flight writes."""
        before = len(self._buffer)
        self._buffer = deque(m for m in self._buffer if m.key != key)
        self._finished += before - len(self._buffer)
        self._deletes.append(key)
        self._wake.set()

    async def flush(self) -> None:
        """Write every message submitted so far (waits through an outage)."""
        await self._drain(until=self._accepted)

    async def close(self, timeout: float | None = None) -> int:
        """Stop accepting messages, write everything buffered, stop the task.

        Returns the number of messages left unwritten (0 unless ``timeout`` ran out while the
        database was down; they are logged).
        """
        self._closed = True
        self._progress.set()
        flushed = False
        try:
            async with asyncio.timeout(timeout):
                await self.flush()
            flushed = True
        except TimeoutError:
            logger.error(
                "database still unavailable after %.1f s: %d messages not stored",
                timeout,
                self.pending,
            )
        if self._task is not None:
            self._wake.set()  # the loop sees ``_closed`` and ends after its current step
            if not flushed:
                self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        return self.pending

    # -- background work -------------------------------------------------------------------
    async def _run(self) -> None:
        while not self._closed:
            if len(self._buffer) < self.batch_size and not self._deletes:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.flush_interval_s):
                        await self._wake.wait()
            self._wake.clear()
            if not self._closed:  # ``close`` drains by itself
                await self._drain(until=self._accepted)

    async def _drain(self, until: int) -> None:
        async with self._lock:
            while (self._buffer and self._finished < until) or self._deletes:
                if self._buffer:
                    count = min(self.batch_size, len(self._buffer))
                    batch = [self._buffer.popleft() for _ in range(count)]
                    self._in_flight = count
                    try:
                        await self._write(batch)
                    except BaseException:  # cancelled (close timed out): keep them counted
                        self._buffer.extendleft(reversed(batch))  # a rewrite is idempotent
                        raise
                    finally:
                        self._in_flight = 0
                    self._finished += count
                    self._progress.set()
                if self._deletes:
                    keys, self._deletes = self._deletes, []
                    for key in keys:
                        await self._retrying(self.repository.delete_message, key)

    async def _write(self, batch: list[ScoredMessage]) -> None:
        try:
            await self._retrying(self.repository.upsert_messages, batch)
        except Exception as exc:  # the data, not the database: isolate the bad message(s)
            self._errors += 1
            if len(batch) == 1:
                msg = batch[0]
                self.rejected += 1
                logger.error(
                    "database refused message %s/%s/%s, dropped: %s",
                    msg.platform,
                    msg.channel,
                    msg.message_id,
                    str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
                )
                return
            half = len(batch) // 2
            await self._write(batch[:half])
            await self._write(batch[half:])

    async def _retrying(self, call: Callable[..., R], *args: object) -> R:
        """Run ``call`` in a thread until it stops failing for an outage."""
        delay = self.retry_min_s
        while True:
            try:
                result = await asyncio.to_thread(call, *args)
            except TRANSIENT_ERRORS as exc:
                self._errors += 1
                if self._down_since is None:
                    self._down_since = time.monotonic()
                    logger.error(
                        "database unavailable (%s); buffering %d messages, retrying up to "
                        "every %.0f s",
                        exc,
                        self.pending,
                        self.retry_max_s,
                    )
                await self._sleep(delay)
                delay = min(delay * 2, self.retry_max_s)
                continue
            if self._down_since is not None:
                logger.warning(
                    "database back after %.1f s; writing %d buffered messages",
                    time.monotonic() - self._down_since,
                    self.pending,
                )
                self._down_since = None
            return result
