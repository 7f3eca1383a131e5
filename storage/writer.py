"""Batched, loss-free storage of scored messages from the event loop.

``submit`` never blocks: it appends to a bounded in-memory buffer (``storage.buffer``). A
background task writes the buffer in batches through ``Repository.upsert_messages`` in a worker
thread. When the database is unreachable the batch stays buffered and is retried with
exponential backoff capped at ``retry_max_s`` (``storage.retry``); nothing is lost when it comes
back. A full buffer refuses new messages and says so once per episode. A message the database
rejects for itself (not an outage) is isolated by splitting its batch and dropped with a log
line, so one bad row can never block the rest.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from storage.buffer import WriteBuffer
from storage.repository import Repository
from storage.retry import OutageRetry
from storage.types import MessageKey, ScoredMessage

logger = logging.getLogger(__name__)


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
        self._buffer = WriteBuffer(self.buffer_limit)
        self._retrying = OutageRetry(
            self.retry_min_s,
            self.retry_max_s,
            pending=lambda: self.pending,
            sleep=lambda delay: self._sleep(delay),  # looked up per call: tests replace it
        )
        self._deletes: list[MessageKey] = []
        self._accepted = 0  # messages taken by ``submit``
        self._finished = 0  # messages written, filtered or rejected
        self._errors = 0  # write attempts the database refused for the data
        self.rejected = 0  # messages the database refused for themselves
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
        return self._buffer.pending

    @property
    def errors(self) -> int:
        """Failed write attempts so far (each retry of an outage counts)."""
        return self._errors + self._retrying.failures

    @property
    def refused(self) -> int:
        """Messages refused because the buffer was full or the writer closed."""
        return self._buffer.refused

    async def start(self) -> None:
        """Start the background flushing task."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="sentibot-message-writer")

    def submit(self, msg: ScoredMessage) -> bool:
        """Queue a message for storage without blocking; ``False`` when refused (buffer full)."""
        if self._closed:
            logger.error("message writer is closed; message %s not stored", msg.message_id)
            self._buffer.refused += 1
            return False
        if not self._buffer.admit():
            return False
        if msg.text is not None and not self.store_text:
            msg = msg.without_text()
        self._buffer.append(msg)
        self._accepted += 1
        if len(self._buffer) >= self.batch_size:
            self._wake.set()
        return True

    async def put(self, msg: ScoredMessage) -> None:
        """Queue a message, waiting while the buffer is full (backpressure instead of refusal)."""
        while self._buffer.full and not self._closed:
            self._progress.clear()
            await self._progress.wait()
        self.submit(msg)

    def delete(self, key: MessageKey) -> None:
        """Remove a message: from the buffer now, from the database after in-flight writes."""
        self._finished += self._buffer.remove(key)
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
                    batch = self._buffer.take(self.batch_size)
                    try:
                        await self._write(batch)
                    except BaseException:  # cancelled (close timed out): keep them counted
                        self._buffer.put_back(batch)  # a rewrite is idempotent
                        raise
                    finally:
                        self._buffer.release()
                    self._finished += len(batch)
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
