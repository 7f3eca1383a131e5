"""Two instances (two engines) on one PostgreSQL database: a delete is never undone by a write
that was in flight on the other instance, whichever commits first."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from storage.database import Database
from storage.migrate import upgrade
from storage.types import MessageKey
from tests.storage.factories import message

pytestmark = pytest.mark.postgres


@pytest.fixture
def two(postgres_url: str) -> Iterator[tuple[Database, Database]]:
    upgrade(postgres_url)
    with Database(postgres_url) as a, Database(postgres_url) as b:
        yield a, b


def slow_commits(db: Database, seconds: float) -> None:
    """Make every commit of ``db`` wait ``seconds`` first, holding its transaction open."""
    sa.event.listen(db.engine, "commit", lambda _conn: time.sleep(seconds))


def rows(db: Database) -> int:
    with db.engine.connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM scored_messages")).scalar_one()


def test_delete_during_an_uncommitted_insert_wins(two: tuple[Database, Database]) -> None:
    a, b = two
    slow_commits(a, 0.5)  # instance a has inserted the row but not committed yet
    writer = threading.Thread(target=a.repository.upsert_messages, args=([message(1)],))
    writer.start()
    time.sleep(0.2)
    b.repository.delete_message(MessageKey("slack", "C1", "1"))  # waits for a's commit
    writer.join()
    assert rows(a) == 0


def test_insert_during_an_uncommitted_delete_is_a_no_op(two: tuple[Database, Database]) -> None:
    a, b = two
    a.repository.upsert_messages([message(2)])
    slow_commits(b, 0.5)  # instance b has written the tombstone but not committed yet
    deleter = threading.Thread(
        target=b.repository.delete_message, args=(MessageKey("slack", "C1", "1"),)
    )
    deleter.start()
    time.sleep(0.2)
    assert a.repository.upsert_messages([message(1)]) == 0  # waits, then sees the tombstone
    deleter.join()
    assert rows(a) == 1  # message 2 only


def test_racing_writes_and_deletes_leave_no_deleted_row(two: tuple[Database, Database]) -> None:
    a, b = two
    rng = random.Random(7)
    keys = list(range(300))
    jobs: list[tuple[str, int]] = [("write", k) for k in keys] + [("delete", k) for k in keys]
    rng.shuffle(jobs)

    def run(job: tuple[str, int]) -> None:
        kind, k = job
        db = rng.choice((a, b))
        if kind == "write":
            db.repository.upsert_messages([message(k), message(f"keep-{k}")])
        else:
            db.repository.delete_message(MessageKey("slack", "C1", str(k)))

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(run, jobs))
    with a.engine.connect() as conn:
        left = conn.execute(sa.text("SELECT message_id FROM scored_messages")).scalars().all()
    assert sorted(left) == sorted(f"keep-{k}" for k in keys)
