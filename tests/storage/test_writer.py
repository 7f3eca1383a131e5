"""MessageWriter against the in-memory repository: batching, privacy, outages, full buffer."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

import pytest

from storage.errors import DatabaseUnavailable
from storage.types import MessageKey, ScoredMessage
from storage.writer import MessageWriter
from tests.fakes.storage import FakeRepository
from tests.storage.factories import message

DOWN = DatabaseUnavailable("database test unavailable: connection refused")


class RecordingRepository(FakeRepository):
    """Remembers batch sizes; refuses messages whose id starts with "bad" like a strict DB."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[int] = []

    def upsert_messages(self, messages: Sequence[ScoredMessage]) -> int:
        self._check()
        if any(m.message_id.startswith("bad") for m in messages):
            raise ValueError("value too long for type character varying(64)")
        self.batches.append(len(messages))
        return super().upsert_messages(messages)


def writer_for(repo: FakeRepository, **kwargs: object) -> MessageWriter:
    options: dict = {
        "batch_size": 500,
        "flush_interval_ms": 20,
        "buffer_limit": 10_000,
        "retry_max_s": 0.05,
        "retry_min_s": 0.005,
    }
    options.update(kwargs)
    return MessageWriter(repo, **options)


async def test_batches_and_close_flushes() -> None:
    repo = RecordingRepository()
    writer = writer_for(repo)
    await writer.start()
    assert all(writer.submit(message(i)) for i in range(1200))
    assert await writer.close() == 0
    assert len(repo.messages) == 1200
    assert sum(repo.batches) == 1200 and max(repo.batches) <= 500
    assert writer.pending == 0 and writer.errors == 0


async def test_interval_flushes_a_partial_batch() -> None:
    repo = RecordingRepository()
    writer = writer_for(repo)
    await writer.start()
    writer.submit(message(1))
    for _ in range(100):
        if repo.messages:
            break
        await asyncio.sleep(0.01)
    assert len(repo.messages) == 1
    await writer.close()


@pytest.mark.parametrize("store_text", [False, True])
async def test_text_kept_only_when_configured(store_text: bool) -> None:
    repo = FakeRepository()
    writer = writer_for(repo, store_text=store_text)
    writer.submit(message(1, text="secret words"))
    await writer.flush()
    stored = repo.messages[MessageKey("slack", "C1", "1")].text
    assert stored == ("secret words" if store_text else None)


async def test_outage_loses_nothing(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, "storage.writer")
    repo = FakeRepository()
    writer = writer_for(repo)
    await writer.start()
    writer.submit(message("before"))
    await writer.flush()
    repo.fail = DOWN
    for i in range(300):
        assert writer.submit(message(i))
        if i % 50 == 0:
            await asyncio.sleep(0.02)
    assert writer.pending > 0 and writer.errors > 0
    repo.fail = None
    await writer.close()
    assert len(repo.messages) == 301
    assert sum("database unavailable" in r.message for r in caplog.records) == 1
    assert sum("database back" in r.message for r in caplog.records) == 1


async def test_backoff_doubles_up_to_the_cap() -> None:
    repo = FakeRepository()
    repo.fail = DOWN
    writer = writer_for(repo, retry_min_s=0.01, retry_max_s=0.08)
    delays: list[float] = []

    async def record(delay: float) -> None:
        delays.append(delay)
        if len(delays) == 7:
            repo.fail = None
        await asyncio.sleep(0)

    writer._sleep = record
    writer.submit(message(1))
    await writer.flush()
    assert delays == [0.01, 0.02, 0.04, 0.08, 0.08, 0.08, 0.08]
    assert len(repo.messages) == 1


async def test_full_buffer_refuses_and_logs_once(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, "storage.writer")
    repo = FakeRepository()
    repo.fail = DOWN
    writer = writer_for(repo, buffer_limit=10, batch_size=4)
    await writer.start()
    accepted = [writer.submit(message(i)) for i in range(25)]
    assert accepted == [True] * 10 + [False] * 15
    assert writer.refused == 15
    full = [r for r in caplog.records if "write buffer full" in r.message]
    assert len(full) == 1 and full[0].levelno == logging.ERROR
    repo.fail = None
    await writer.flush()
    assert writer.submit(message("after"))
    assert any("accepting again" in r.message for r in caplog.records)
    await writer.close()
    assert len(repo.messages) == 11


async def test_put_waits_for_space() -> None:
    repo = FakeRepository()
    repo.fail = DOWN
    writer = writer_for(repo, buffer_limit=5, batch_size=5)
    await writer.start()
    for i in range(5):
        writer.submit(message(i))
    waiting = asyncio.create_task(writer.put(message("late")))
    await asyncio.sleep(0.05)
    assert not waiting.done()
    repo.fail = None
    await asyncio.wait_for(waiting, 2)
    await writer.close()
    assert len(repo.messages) == 6


async def test_a_bad_message_does_not_block_the_rest(caplog: pytest.LogCaptureFixture) -> None:
    repo = RecordingRepository()
    writer = writer_for(repo, batch_size=64)
    for i in range(100):
        writer.submit(message("bad-one" if i == 37 else i))
    await writer.close()
    assert len(repo.messages) == 99 and writer.rejected == 1
    assert any("slack/C1/bad-one" in r.message for r in caplog.records)


async def test_delete_of_buffered_and_stored_messages() -> None:
    repo = FakeRepository()
    writer = writer_for(repo)
    writer.submit(message(1))
    await writer.flush()
    writer.submit(message(2))
    writer.delete(MessageKey("slack", "C1", "2"))  # still buffered
    writer.delete(MessageKey("slack", "C1", "1"))  # already stored
    writer.submit(message(3))
    await writer.close()
    assert [k.message_id for k in repo.messages] == ["3"]


async def test_close_gives_up_after_timeout_and_says_how_many() -> None:
    repo = FakeRepository()
    repo.fail = DOWN
    writer = writer_for(repo)
    await writer.start()
    for i in range(7):
        writer.submit(message(i))
    assert await writer.close(timeout=0.1) == 7
    assert not writer.submit(message("after close"))
