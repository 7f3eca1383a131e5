"""The background half of ``storage.writer.MessageWriter``: the flushing task and its writes.

Batches go to ``Repository.upsert_messages`` and deletes to ``Repository.delete_message``
through ``storage.retry.OutageRetry`` (outages are waited out). An error that is not an outage
is the data's: a batch is split until the bad message is isolated and rejected; a bad delete is
rejected alone. Receipts (``storage.receipts``) are settled after each commit. If the task ever
ends by an error, ``failure`` keeps it and every waiting receipt says ``REFUSED``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime

from storage.buffer import WriteBuffer
from storage.ids import reason_of
from storage.receipts import Outcome, Receipts
from storage.repository import Repository
from storage.retry import OutageRetry
from storage.types import MessageKey, ScoredMessage

logger = logging.getLogger("storage.writer")


class QueuedDelete:
    """A queued delete (its identity carries its receipts)."""

    __slots__ = ("key", "deleted_at")

    def __init__(self, key: MessageKey, deleted_at: datetime | None) -> None:
        self.key, self.deleted_at = key, deleted_at


class WriteLoop:
    """The flushing task; ``MessageWriter`` sets these attributes up."""

    repository: Repository
    batch_size: int
    flush_interval_s: float
    failure: BaseException | None
    _buffer: WriteBuffer
    _retrying: OutageRetry
    _receipts: Receipts
    _deletes: list[QueuedDelete]
    _wake: asyncio.Event
    _progress: asyncio.Event
    _lock: asyncio.Lock
    _closed: bool
    _accepted: int
    _finished: int
    _errors: int

    def _reject(self, what: str, key: MessageKey, exc: BaseException) -> None:
        raise NotImplementedError

    # -- background work -------------------------------------------------------------------
    async def _run(self) -> None:
        try:
            while not self._closed:
                if len(self._buffer) < self.batch_size and not self._deletes:
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(self.flush_interval_s):
                            await self._wake.wait()
                self._wake.clear()
                if not self._closed:  # ``close`` drains by itself
                    await self._drain(until=self._accepted)
        except Exception as exc:  # recorded, not re-raised: nobody awaits this task
            self.failure = exc
            logger.critical("message writer stopped: %s", reason_of(exc), exc_info=exc)
            self._receipts.settle_all(Outcome.REFUSED)  # ends the task: ``alive`` turns false

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
                    entries, self._deletes = self._deletes, []
                    for entry in entries:
                        await self._write_delete(entry)

    async def _write_delete(self, entry: QueuedDelete) -> None:
        try:
            await self._retrying(self.repository.delete_message, entry.key, entry.deleted_at)
        except Exception as exc:  # the data, not the database
            self._errors += 1
            self._reject("delete of", entry.key, exc)
            self._receipts.settle([entry], Outcome.REJECTED)
            return
        self._receipts.settle([entry], Outcome.COMMITTED)

    async def _write(self, batch: list[ScoredMessage]) -> None:
        try:
            await self._retrying(self.repository.upsert_messages, batch)
        except Exception as exc:  # the data, not the database: isolate the bad message(s)
            self._errors += 1
            if len(batch) == 1:
                self._reject("message", batch[0].key, exc)
                self._receipts.settle(batch, Outcome.REJECTED)
                return
            half = len(batch) // 2
            await self._write(batch[:half])
            await self._write(batch[half:])
            return
        self._receipts.settle(batch, Outcome.COMMITTED)
