"""MicroBatcher: batching, waiting, failures that stay in their batch, draining on close."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from model.batcher import MicroBatcher, ScoringError
from model.types import Label
from tests.fakes.scoring import FakeScorer


async def test_concurrent_requests_share_batches() -> None:
    scorer = FakeScorer()
    batcher = MicroBatcher(scorer, max_batch=32, max_wait_ms=50)
    await batcher.start()
    texts = [("great" if i % 2 else "awful") + f" {i}" for i in range(100)]
    results = await asyncio.gather(*(batcher.score(t) for t in texts))
    assert [r.score for r in results] == [0.9 if i % 2 else 0.1 for i in range(100)]
    sizes = [len(call) for call in scorer.calls]
    assert sum(sizes) == 100 and max(sizes) == 32 and len(sizes) == 4
    assert [t for call in scorer.calls for t in call] == texts  # order kept
    await batcher.close()


async def test_a_lone_request_waits_at_most_max_wait() -> None:
    batcher = MicroBatcher(FakeScorer(), max_batch=256, max_wait_ms=20)
    started = time.perf_counter()
    result = await asyncio.wait_for(batcher.score("good"), timeout=5)
    assert result.label is Label.POSITIVE
    assert time.perf_counter() - started < 2.0
    await batcher.close()


async def test_a_failing_batch_fails_only_its_requests() -> None:
    scorer = FakeScorer(fail_with=RuntimeError("model exploded"))
    batcher = MicroBatcher(scorer, max_batch=8, max_wait_ms=1)
    failed = await asyncio.gather(
        *(batcher.score("good") for _ in range(3)), return_exceptions=True
    )
    assert all(isinstance(e, ScoringError) for e in failed)
    assert "RuntimeError: model exploded" in str(failed[0])
    scorer.fail_with = None  # the queue is not stuck: later requests are scored
    assert (await asyncio.wait_for(batcher.score("bad"), 5)).label is Label.NEGATIVE
    await batcher.close()


async def test_wrong_result_count_is_a_scoring_error() -> None:
    class Short(FakeScorer):
        def score_many(self, texts):  # noqa: ANN001, ANN202
            return super().score_many(texts)[:-1]

    batcher = MicroBatcher(Short(), max_batch=4, max_wait_ms=1)
    with pytest.raises(ScoringError, match="returned 0 results for 1"):
        await asyncio.wait_for(batcher.score("good"), 5)
    await batcher.close()


async def test_non_string_fails_alone() -> None:
    batcher = MicroBatcher(FakeScorer(), max_batch=4, max_wait_ms=1)
    with pytest.raises(TypeError, match="must be str, not int"):
        await batcher.score(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="text 1 must be str"):
        await batcher.score_many(["good", None])  # type: ignore[list-item]
    assert (await batcher.score_many(["good", ""]))[1].reason == "empty"
    await batcher.close()


async def test_close_drains_pending_requests_then_refuses() -> None:
    scorer = FakeScorer()
    batcher = MicroBatcher(scorer, max_batch=16, max_wait_ms=1000)
    tasks = [asyncio.create_task(batcher.score(f"good {i}")) for i in range(50)]
    await asyncio.sleep(0)  # let them enqueue
    await asyncio.wait_for(batcher.close(), 5)
    assert all(t.done() and t.result().score == 0.9 for t in tasks)
    assert batcher.pending == 0
    with pytest.raises(RuntimeError, match="closed"):
        await batcher.score("good")


async def test_scoring_runs_off_the_event_loop() -> None:
    loop_thread = threading.get_ident()
    seen: list[int] = []

    class Slow(FakeScorer):
        def score_many(self, texts):  # noqa: ANN001, ANN202
            seen.append(threading.get_ident())
            time.sleep(0.2)
            return super().score_many(texts)

    batcher = MicroBatcher(Slow(), max_batch=4, max_wait_ms=0)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    tick_task = asyncio.create_task(ticker())
    await batcher.score("good")
    tick_task.cancel()
    assert seen and loop_thread not in seen
    assert ticks >= 5  # the loop kept running while the model worked
    await batcher.close()


def test_bad_parameters() -> None:
    with pytest.raises(ValueError, match="max_batch"):
        MicroBatcher(FakeScorer(), max_batch=0)
    with pytest.raises(ValueError, match="max_wait_ms"):
        MicroBatcher(FakeScorer(), max_wait_ms=-1)
