"""Ack after commit: a durable item's future resolves only once its row or tombstone is in the
database (fake, SQLite, PostgreSQL), quickly, through outages, and says when it never will."""

from __future__ import annotations

import asyncio
import time

import sqlalchemy as sa

from storage.database import Database
from storage.errors import DatabaseUnavailable
from storage.migrate import upgrade
from storage.receipts import Outcome
from storage.types import MessageKey
from storage.writer import MessageWriter
from tests.fakes.storage import FakeRepository
from tests.storage.factories import message

DOWN = DatabaseUnavailable("database test unavailable: connection refused")


class CommitLog(FakeRepository):
    """Remembers which message ids had committed when each write returned."""

    def upsert_messages(self, messages):  # noqa: ANN001, ANN201
        written = super().upsert_messages(messages)
        time.sleep(0.02)  # a commit takes a while: later items gather for the next one
        return written


def writer_for(repo: FakeRepository, **kwargs: object) -> MessageWriter:
    options: dict = {"batch_size": 500, "flush_interval_ms": 10_000, "retry_max_s": 0.02}
    options.update(kwargs)
    return MessageWriter(repo, retry_min_s=0.005, **options)


async def test_resolves_after_commit_without_waiting_for_the_interval() -> None:
    repo = CommitLog()
    writer = writer_for(repo)
    await writer.start()
    started = time.perf_counter()
    receipts = []
    for i in range(200):  # a stream: each wakes the writer, later ones share a commit
        receipts.append(writer.submit_durable(message(i)))
        if i % 20 == 0:
            await asyncio.sleep(0.001)
    first = await asyncio.wait_for(receipts[0], 2)
    assert first is Outcome.COMMITTED and MessageKey("slack", "C1", "0") in repo.messages
    assert set(await asyncio.gather(*receipts)) == {Outcome.COMMITTED}
    assert time.perf_counter() - started < 2  # not the 10 s flush interval
    assert len(repo.messages) == 200 and repo.upsert_calls < 50  # group commits
    await writer.close()


async def test_waits_through_an_outage() -> None:
    repo = FakeRepository()
    repo.fail = DOWN
    writer = writer_for(repo)
    await writer.start()
    receipt = writer.submit_durable(message(1))
    await asyncio.sleep(0.1)
    assert not receipt.done()  # not acked: nothing is stored yet
    repo.fail = None
    assert await asyncio.wait_for(receipt, 2) is Outcome.COMMITTED
    await writer.close()


async def test_deletes_rejections_refusals_and_close() -> None:
    repo = FakeRepository()
    writer = writer_for(repo, buffer_limit=2)
    buffered = writer.submit_durable(message(1))
    gone = writer.delete_durable(MessageKey("slack", "C1", "1"))  # deleted while buffered
    assert (await writer.submit_durable(message("x\x00"))) is Outcome.REJECTED
    writer.submit_durable(message(2))
    writer.submit_durable(message(3))
    assert (await writer.submit_durable(message(4))) is Outcome.REFUSED  # buffer full
    await writer.flush()
    assert await buffered is Outcome.COMMITTED and await gone is Outcome.COMMITTED
    assert MessageKey("slack", "C1", "1") in repo.tombstones
    repo.fail = DOWN
    await writer.start()
    late = writer.submit_durable(message(5))
    assert await writer.close(timeout=0.1) == 1
    assert await late is Outcome.REFUSED  # never stored: the platform must redeliver it


async def test_committed_means_visible_to_another_instance(db_url: str) -> None:
    upgrade(db_url)
    with Database(db_url) as mine, Database(db_url) as other:
        writer = MessageWriter(mine.repository, batch_size=500, flush_interval_ms=10_000)
        await writer.start()
        receipts = [writer.submit_durable(message(i)) for i in range(50)]
        receipts.append(writer.delete_durable(MessageKey("slack", "C1", "7")))
        await asyncio.wait_for(asyncio.gather(*receipts), 5)
        with other.engine.connect() as conn:
            stored = conn.execute(sa.text("SELECT count(*) FROM scored_messages")).scalar_one()
            tombs = conn.execute(sa.text("SELECT count(*) FROM message_tombstones")).scalar_one()
        assert (stored, tombs) == (49, 1)
        await writer.close()
