"""The daily rollup (migration 0006): backfilled from existing rows, given back on downgrade,
and exact when two instances write, edit and delete in one PostgreSQL database at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import sqlalchemy as sa

from storage.database import Database
from storage.errors import DatabaseUnavailable
from storage.migrate import downgrade, upgrade
from storage.repository import Repository
from storage.tables import HourlyRow, UTCDateTime
from storage.types import ScoredMessage
from tests.storage.factories import message
from tests.storage.random_writes import Op, RandomWrites
from tests.storage.rollup_reference import assert_rollups_exact, grouped, hour, rollup, stored


def raw_writes(url: str, messages: list[ScoredMessage], deleted: list[ScoredMessage]) -> None:
    """Insert and delete rows in plain SQL, as an older revision's code would (the repository
    of today needs today's schema)."""
    columns = ("platform", "workspace", "channel", "message_id", "author_id", "created_at",
               "score", "label", "model_version")  # fmt: skip
    table = sa.table("scored_messages", *(sa.column(c) for c in columns))
    table.c.created_at.type = UTCDateTime()
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.insert(table), [{c: getattr(m, c) for c in columns} for m in messages])
            for m in deleted:
                where = (table.c.channel == m.channel) & (table.c.message_id == m.message_id)
                conn.execute(sa.delete(table).where(where))
    finally:
        engine.dispose()


def some(first: int, n: int) -> list[ScoredMessage]:
    """``n`` messages over three channels and five days."""
    return [message(i, None if i % 9 == 0 else (i % 10) / 10, channel=f"C{i % 3}",
                    at=timedelta(minutes=97 * i)) for i in range(first, first + n)]  # fmt: skip


def test_backfill_then_downgrade_and_upgrade_again(db_url: str) -> None:
    upgrade(db_url, "0005")
    rows = some(0, 90)
    raw_writes(db_url, rows, [m for m in rows if m.channel == "C2" or m.score == 0.3])
    with Database(db_url) as db:
        emptied = {k for k, t in rollup(db.engine, HourlyRow).items() if not t.messages}
    assert emptied  # revision 0002's triggers leave emptied hours at zero
    upgrade(db_url)
    with Database(db_url) as db:
        assert_rollups_exact(db.engine, stored(db.repository).values())  # backfilled, pruned
    downgrade(db_url, "0005")
    more = some(90, 30)
    raw_writes(db_url, more, more[:10])  # the hourly rollup is still kept by 0002's triggers
    with Database(db_url) as db:
        assert "daily_scores" not in sa.inspect(db.engine).get_table_names()
        kept = {k: t for k, t in rollup(db.engine, HourlyRow).items() if t.messages}
        want = grouped(stored(db.repository).values(), hour)
        assert sorted(kept) == sorted(want)
        assert all(kept[k].messages == t.messages for k, t in want.items())
    upgrade(db_url)
    with Database(db_url) as db:
        assert_rollups_exact(db.engine, stored(db.repository).values())
        for op in RandomWrites(6).ops(40):  # and today's code writes on
            op(db.repository)
        assert_rollups_exact(db.engine, stored(db.repository).values())


def _run(repo: Repository, ops: list[Op]) -> int:
    """Apply ``ops``; a deadlock between instances rolls back and is retried, as the writer
    does for ``DatabaseUnavailable``. Returns how many retries it took."""
    retries = 0
    for op in ops:
        while True:
            try:
                op(repo)
                break
            except DatabaseUnavailable:
                retries += 1
    return retries


@pytest.mark.postgres
def test_two_instances_at_once_keep_the_rollups_exact(postgres_url: str) -> None:
    upgrade(postgres_url)
    with Database(postgres_url) as a, Database(postgres_url) as b:
        # Four writers (two per instance) over the same channels and hours, each its own ids.
        writers = [RandomWrites(seed, ids=f"w{seed}-") for seed in range(4)]
        jobs = [(db.repository, w.ops(150)) for w, db in zip(writers, (a, b, a, b), strict=True)]
        with ThreadPoolExecutor(max_workers=4) as pool:
            retries = sum(pool.map(lambda job: _run(*job), jobs))
        assert retries == 0  # buckets are taken in one order (storage.rollup_locks): no deadlock
        messages = stored(a.repository)
        assert len(messages) > 10  # how many survive the others' opt-outs varies by timing
        assert_rollups_exact(a.engine, messages.values())
