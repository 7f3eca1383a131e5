"""Batched, loss-free storage of scored messages and deletes from the event loop.

``submit`` never blocks: it appends to a bounded in-memory buffer (``storage.buffer``). A
background task writes the buffer in batches through ``Repository.upsert_messages`` in a worker
thread. When the database is unreachable the batch stays buffered and is retried with
exponential backoff capped at ``retry_max_s`` (``storage.retry``); nothing is lost when it comes
back. A full buffer refuses new messages and says so once per episode.

Guarantees:

- One bad item never stops the rest. Ids are checked on arrival (``storage.ids``): an invalid
  message or delete is refused there. A message the database rejects for itself (not an
  outage) is isolated by splitting its batch. Either way it is logged with the reason and its
  ids escaped and capped (never its text) and counted in ``rejected``.
- The writer never dies silently: ``alive`` is false and ``failure`` holds the exception if the
  background task ever ends other than by ``close`` (``/healthz`` reports it).
- Deletes win: ``delete`` drops buffered copies at once and writes a tombstone after the
  writes in flight, so no later write of that message is stored (``storage.ordering``).
- Ack after commit: ``submit_durable`` and ``delete_durable`` return a future resolved with an
  ``Outcome`` only once the item's row, edit or tombstone has committed (``COMMITTED``), or
  when it never will (``REJECTED``: invalid; ``REFUSED``: buffer full, or still unwritten when
  ``close`` gave up). A durable item wakes the writer at once; items arriving while a write is
  in flight go together in the next one (group commit), so batching stays as it is.
  "Committed" is the database's own durability: PostgreSQL per its ``synchronous_commit``;
  SQLite (WAL, ``synchronous=NORMAL``) survives a killed process, not necessarily a power cut.
- Without a receipt, an accepted message is written unless the process dies first: up to
  ``flush_interval_ms`` (plus any outage) of accepted messages live only in memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime

from storage.buffer import WriteBuffer
from storage.errors import InvalidId
from storage.ids import check_key, check_message, loggable, reason_of
from storage.receipts import Outcome, Receipts
from storage.repository import Repository
from storage.retry import OutageRetry
from storage.types import MessageKey, ScoredMessage
from storage.writer_loop import QueuedDelete, WriteLoop

logger = logging.getLogger(__name__)


class MessageWriter(WriteLoop):
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
        self._receipts = Receipts()
        self._deletes: list[QueuedDelete] = []
        self._accepted = 0  # messages taken by ``submit``
        self._finished = 0  # messages written, filtered or rejected
        self._errors = 0  # write attempts the database refused for the data
        self.rejected = 0  # messages and deletes refused for themselves (invalid or by the DB)
        self.failure: BaseException | None = None  # why the background task ended, if it did
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

    @property
    def alive(self) -> bool:
        """Whether the background task runs (``False`` before ``start``, after ``close`` or a
        crash, which ``failure`` then explains)."""
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        """Start the background flushing task."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="sentibot-message-writer")

    def submit(self, msg: ScoredMessage) -> bool:
        """Queue a message for storage without blocking; ``False`` when refused (buffer full,
        closed) or rejected (an invalid id, logged and counted)."""
        return self._accept(msg) is not None

    def submit_durable(self, msg: ScoredMessage) -> asyncio.Future[Outcome]:
        """Queue a message; the future resolves once it is committed (see the module's
        guarantees). Call from the event loop."""
        try:
            check_message(msg)
        except InvalidId as exc:
            self._reject("message", msg.key, exc)
            return Receipts.done(Outcome.REJECTED)
        stored = self._accept(msg, checked=True)
        if stored is None:
            return Receipts.done(Outcome.REFUSED)
        self._wake.set()
        return self._receipts.expect(stored)

    async def put(self, msg: ScoredMessage) -> None:
        """Queue a message, waiting while the buffer is full (backpressure instead of refusal)."""
        while self._buffer.full and not self._closed:
            self._progress.clear()
            await self._progress.wait()
        self.submit(msg)

    def delete(self, key: MessageKey, deleted_at: datetime | None = None) -> bool:
        """Delete a message for good: from the buffer now, from the database (with a
        tombstone) after in-flight writes. ``deleted_at`` is the platform's time of the delete.
        ``False`` when the key is invalid (logged and counted)."""
        return self._queue_delete(key, deleted_at) is not None

    def delete_durable(
        self, key: MessageKey, deleted_at: datetime | None = None
    ) -> asyncio.Future[Outcome]:
        """``delete``; the future resolves once the tombstone has committed."""
        entry = self._queue_delete(key, deleted_at)
        if entry is None:
            return Receipts.done(Outcome.REJECTED)
        return self._receipts.expect(entry)

    async def flush(self) -> None:
        """Write every message submitted so far (waits through an outage)."""
        await self._drain(until=self._accepted)

    async def close(self, timeout: float | None = None) -> int:
        """Stop accepting messages, write everything buffered, stop the task.

        Returns the number of messages left unwritten (0 unless ``timeout`` ran out while the
        database was down; they are logged and their receipts say ``REFUSED``).
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
        self._receipts.settle_all(Outcome.REFUSED)
        return self.pending

    # -- intake ----------------------------------------------------------------------------
    def _accept(self, msg: ScoredMessage, *, checked: bool = False) -> ScoredMessage | None:
        if self._closed:
            logger.error(
                "message writer is closed; message %s not stored", loggable(msg.message_id)
            )
            self._buffer.refused += 1
            return None
        if not checked:
            try:
                check_message(msg)
            except InvalidId as exc:
                self._reject("message", msg.key, exc)
                return None
        if not self._buffer.admit():
            return None
        if msg.text is not None and not self.store_text:
            msg = msg.without_text()
        self._buffer.append(msg)
        self._accepted += 1
        if len(self._buffer) >= self.batch_size:
            self._wake.set()
        return msg

    def _queue_delete(self, key: MessageKey, deleted_at: datetime | None) -> QueuedDelete | None:
        try:
            check_key(key)
        except InvalidId as exc:
            self._reject("delete of", key, exc)
            return None
        entry = QueuedDelete(key, deleted_at)
        removed = self._buffer.remove(key)
        self._finished += len(removed)
        self._receipts.move(removed, entry)
        self._deletes.append(entry)
        self._wake.set()
        return entry

    def _reject(self, what: str, key: MessageKey, exc: BaseException) -> None:
        self.rejected += 1
        logger.error(
            "%s %s/%s/%s refused, dropped: %s",
            what,
            loggable(key.platform),
            loggable(key.channel),
            loggable(key.message_id),
            reason_of(exc),
        )
