"""Two bot instances (two engines) on one PostgreSQL database claim each report once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from storage.database import Database
from storage.migrate import upgrade
from tests.storage.factories import T0

pytestmark = pytest.mark.postgres


def test_report_claimed_once_across_instances(postgres_url: str) -> None:
    upgrade(postgres_url)
    with Database(postgres_url) as a, Database(postgres_url) as b:
        periods = [(T0 + timedelta(days=d), T0 + timedelta(days=d + 1)) for d in range(20)]

        def claim(args: tuple[Database, str, int]) -> tuple[int, str, bool]:
            db, name, i = args
            start, end = periods[i]
            return i, name, db.repository.claim_report("slack", "C1", start, end, name)

        jobs = [(db, name, i) for i in range(20) for db, name in ((a, "a"), (b, "b"))]
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(claim, jobs))
    for i in range(20):
        wins = [name for j, name, won in results if j == i and won]
        assert len(wins) == 1, f"period {i} claimed by {wins}"
