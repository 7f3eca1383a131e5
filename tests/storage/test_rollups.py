"""The daily rollup (migration 0006): backfilled from existing rows, given back on downgrade,
and exact when two instances write, edit and delete in one PostgreSQL database at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from storage.database import Database
from storage.errors import DatabaseUnavailable
from storage.migrate import downgrade, upgrade
from storage.repository import Repository
from storage.tables import HourlyRow
from tests.storage.random_writes import Op, RandomWrites
from tests.storage.rollup_reference import assert_rollups_exact, grouped, hour, rollup, stored


def test_backfill_then_downgrade_and_upgrade_again(db_url: str) -> None:
    upgrade(db_url, "0005")
    with Database(db_url) as db:  # writes kept by revision 0002's triggers (hourly only)
        for op in RandomWrites(5).ops(80):
            op(db.repository)
        before = stored(db.repository)
    assert len(before) > 20
    upgrade(db_url)
    with Database(db_url) as db:
        assert_rollups_exact(db.engine, stored(db.repository).values())  # no emptied hour left
    downgrade(db_url, "0005")
    with Database(db_url) as db:
        assert "daily_scores" not in sa.inspect(db.engine).get_table_names()
        for op in RandomWrites(6).ops(40):  # the hourly rollup is still kept
            op(db.repository)
        messages = stored(db.repository).values()
        kept = {k: t for k, t in rollup(db.engine, HourlyRow).items() if t.messages}
        want = grouped(messages, hour)
        assert sorted(kept) == sorted(want)
        assert all(kept[k].messages == t.messages for k, t in want.items())
    upgrade(db_url)
    with Database(db_url) as db:
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
        print(f"retries after deadlocks: {retries}")
        messages = stored(a.repository)
        assert len(messages) > 10  # how many survive the others' opt-outs varies by timing
        assert_rollups_exact(a.engine, messages.values())
