"""Micro-batching for asyncio callers: many ``await score(text)`` become one model call.

Requests wait until ``max_batch`` texts are pending or ``max_wait_ms`` has passed since the
first one, then the batch is scored in a worker thread (``asyncio.to_thread``), so the event
loop never runs TensorFlow. A failing batch fails only its own requests, with a
``ScoringError`` naming the cause; the queue keeps moving. ``close`` scores everything still
pending before it returns.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Sequence
from typing import Any, Generic, Protocol, TypeVar

from model.types import Score

logger = logging.getLogger(__name__)


class ScoringError(RuntimeError):
    """Scoring a batch failed; the message names the cause."""


T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class ManyScorer(Protocol[T_co]):
    """What a ``MicroBatcher`` calls: a thread-safe ``score_many(texts) -> list[result]``."""

    def score_many(self, texts: Sequence[str]) -> Sequence[T_co]: ...


class BatchScorer(Protocol):
    """The one Scorer Protocol: ``model.service.Scorer``, ``model.remote.RemoteScorer``,
    ``bot.ops.metrics.MeteredScorer`` and ``tests.fakes.scoring.FakeScorer``."""

    @property
    def version(self) -> str: ...

    def score_many(self, texts: Sequence[str]) -> list[Score]: ...

    def swap(self, artifact: Any) -> None: ...


class MicroBatcher(Generic[T]):
    """Collect texts into batches and score them off the event loop.

    Parameters
    ----------
    scorer
        Anything with ``score_many(texts) -> list[result]`` (thread-safe): a ``BatchScorer``
        (results are ``Score``), or a model server's rows (``bot.serve``).
    max_batch
        Most texts per model call.
    max_wait_ms
        Longest a text waits for others to join its batch.
    """

    def __init__(
        self, scorer: ManyScorer[T], max_batch: int = 256, max_wait_ms: float = 5.0
    ) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        if max_wait_ms < 0:
            raise ValueError("max_wait_ms must not be negative")
        self.scorer = scorer
        self.max_batch = max_batch
        self.max_wait = max_wait_ms / 1000.0
        self._pending: deque[tuple[str, asyncio.Future[T]]] = deque()
        self._ready: asyncio.Event | None = None
        self._worker: asyncio.Task[None] | None = None
        self._closing = False
        self.batches = 0  # number of model calls made

    @property
    def pending(self) -> int:
        """Texts waiting for a batch."""
        return len(self._pending)

    async def start(self) -> None:
        """Start the batching task (``score`` also starts it on first use)."""
        if self._closing:
            raise RuntimeError("MicroBatcher is closed")
        if self._worker is None:
            self._ready = asyncio.Event()
            self._worker = asyncio.create_task(self._run(), name="sentibot-micro-batcher")

    async def score(self, text: str) -> T:
        """Score one text.

        Raises
        ------
        TypeError
            When ``text`` is not a ``str`` (before it joins a batch, so it fails alone).
        ScoringError
            When the batch it was scored in failed.
        RuntimeError
            After ``close``.
        """
        return await self._submit(text)

    async def score_many(self, texts: Sequence[str]) -> list[T]:
        """Score several texts (they may share batches with other callers)."""
        for index, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"text {index} must be str, not {type(text).__name__}")
        futures = [self._submit(text) for text in texts]
        return list(await asyncio.gather(*futures))

    def _submit(self, text: str) -> asyncio.Future[T]:
        if not isinstance(text, str):
            raise TypeError(f"text must be str, not {type(text).__name__}")
        if self._closing:
            raise RuntimeError("MicroBatcher is closed")
        loop = asyncio.get_running_loop()
        if self._worker is None:
            self._ready = asyncio.Event()
            self._worker = loop.create_task(self._run(), name="sentibot-micro-batcher")
        future: asyncio.Future[T] = loop.create_future()
        self._pending.append((text, future))
        if len(self._pending) == 1 or len(self._pending) >= self.max_batch:
            assert self._ready is not None  # made with the worker, above
            self._ready.set()  # wake the worker: first text, or a full batch
        return future

    async def close(self) -> None:
        """Stop accepting texts and wait until every pending one is scored."""
        self._closing = True
        if self._worker is None or self._ready is None:
            return
        self._ready.set()
        await self._worker
        logger.debug("micro-batcher closed after %d batches", self.batches)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        ready = self._ready
        assert ready is not None  # made before the worker is started
        while True:
            while not self._pending:
                if self._closing:
                    return
                ready.clear()
                await ready.wait()
            deadline = loop.time() + self.max_wait
            while len(self._pending) < self.max_batch and not self._closing:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                ready.clear()
                try:
                    await asyncio.wait_for(ready.wait(), remaining)
                except TimeoutError:
                    break
            count = min(self.max_batch, len(self._pending))
            batch = [self._pending.popleft() for _ in range(count)]
            await self._score_batch(batch)

    async def _score_batch(self, batch: list[tuple[str, asyncio.Future[T]]]) -> None:
        texts = [text for text, _ in batch]
        try:
            results = await asyncio.to_thread(self.scorer.score_many, texts)
            if len(results) != len(texts):
                raise ScoringError(f"scorer returned {len(results)} results for {len(texts)}")
        except Exception as exc:  # fail this batch only, keep the queue moving
            logger.exception("scoring a batch of %d texts failed", len(texts))
            for _, future in batch:
                if not future.done():
                    error = ScoringError(
                        f"scoring failed for a batch of {len(texts)}: {type(exc).__name__}: {exc}"
                    )
                    error.__cause__ = exc
                    future.set_exception(error)
            return
        finally:
            self.batches += 1
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():  # the caller may have given up (cancelled)
                future.set_result(result)
