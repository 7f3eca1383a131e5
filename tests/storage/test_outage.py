"""The writer on real databases through an outage: keep sending, restore, count the rows."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
import sqlalchemy as sa

from storage import engine as storage_engine
from storage.database import Database
from storage.migrate import upgrade
from storage.writer import MessageWriter
from tests.storage.factories import message
from tests.storage.proxy import TcpProxy


async def send_through_outage(writer: MessageWriter, cut, restore) -> int:  # noqa: ANN001
    """Send 200 messages up, 400 while the database is down, 200 after; returns how many."""
    await writer.start()
    sent = 0
    for phase in ("up", "down", "back"):
        if phase == "down":
            await asyncio.to_thread(cut)
        if phase == "back":
            assert writer.pending > 0 and writer.errors > 0, "the outage was not noticed"
            await asyncio.to_thread(restore)
        for _ in range(400 if phase == "down" else 200):
            assert writer.submit(message(sent, 0.5, author=f"U{sent % 7}"))
            sent += 1
            if sent % 25 == 0:
                await asyncio.sleep(0.01)  # keep sending while the writer retries
        if phase == "up":
            await writer.flush()
    assert await writer.close(timeout=30) == 0
    return sent


def count_rows(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT count(*) FROM scored_messages")).scalar_one()
    finally:
        engine.dispose()


async def test_sqlite_locked_database(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(storage_engine, "SQLITE_BUSY_TIMEOUT_MS", 20)
    upgrade(sqlite_url)
    path = sqlite_url.removeprefix("sqlite:///")
    locker = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    db = Database(sqlite_url)
    writer = MessageWriter(db.repository, 100, 10, 10_000, 0.05)
    sent = await send_through_outage(
        writer,
        cut=lambda: locker.execute("BEGIN EXCLUSIVE"),  # another process holds the database
        restore=lambda: locker.execute("COMMIT"),
    )
    locker.close()
    db.close()
    assert count_rows(sqlite_url) == sent == 800


@pytest.mark.postgres
async def test_postgres_connection_cut(postgres_url: str) -> None:
    upgrade(postgres_url)
    real = sa.engine.make_url(postgres_url)
    proxy = TcpProxy(real.host or "127.0.0.1", real.port or 5432)
    proxy.start()
    via_proxy = real.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    db = Database(via_proxy)
    writer = MessageWriter(db.repository, 100, 10, 10_000, 0.05)
    try:
        sent = await send_through_outage(writer, cut=proxy.stop, restore=proxy.start)
    finally:
        db.close()
        proxy.stop()
    assert count_rows(postgres_url) == sent == 800
