"""Dashboard fixtures: a migrated database of each kind with channels in two servers, and an
HTTP client on the real app."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.dashboard.context import Deps, Options
from bot.dashboard.links import Signer
from bot.dashboard.web import build_app
from storage.dashboard_queries import SqlDashboardReader
from storage.dashboard_store import Grant, SqlDashboardStore, Viewer
from storage.database import Database
from storage.migrate import upgrade
from storage.types import ScoredMessage
from tests.postgres import postgres_url  # noqa: F401  (fixture)

XSS = "<img src=x onerror=alert(1)>"
ALICE = Viewer("slack", "T1", "U1")  # may see C1 only (in T1)
KEY = b"k" * 32


@pytest.fixture
def sqlite_url(tmp_path) -> str:  # noqa: ANN001
    return f"sqlite:///{tmp_path / 'dash.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> Iterator[Database]:
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")
    upgrade(url)
    db = Database(url)
    try:
        yield db
    finally:
        db.close()


def message(workspace: str, channel: str, i: int, score: float | None, *,
            when: datetime, text: str | None = None) -> ScoredMessage:  # fmt: skip
    label = "unscored" if score is None else (
        "negative" if score < 0.4 else "positive" if score > 0.6 else "neutral")  # fmt: skip
    return ScoredMessage("slack", workspace, channel, f"{channel}-{i}", f"A{i}", when, score,
                         label, "v1", text, None if score is not None else "too_long")  # fmt: skip


def seed(db: Database, now: datetime) -> None:
    """C1 and C2 in T1, C3 in T2; C1 has the XSS message; Alice is granted C1 (and C3,
    which is in another server, so it must never show)."""
    rows = []
    for i in range(12):
        when = now - timedelta(minutes=5 + i * 50)
        rows.append(message("T1", "C1", i, 0.2 + 0.05 * i, when=when, text=f"hello {i}"))
        rows.append(message("T1", "C2", i, 0.9, when=when, text="private"))
        rows.append(message("T2", "C3", i, 0.1, when=when, text="elsewhere"))
    rows.append(message("T1", "C1", 99, 0.01, when=now - timedelta(minutes=2), text=XSS))
    rows.append(message("T1", "C1", 100, None, when=now - timedelta(minutes=3)))
    rows.append(message("T1", "C1", 200, 0.9, when=now - timedelta(days=1, hours=2)))
    db.repository.upsert_messages(rows)
    store = SqlDashboardStore(db.engine)
    store.replace_grants(ALICE, [Grant("C1", "general"), Grant("C3", "elsewhere")])


@pytest.fixture
def deps(database: Database) -> Deps:
    seed(database, datetime.now(UTC))
    store = SqlDashboardStore(database.engine)
    return Deps(SqlDashboardReader(database.engine), store, Signer(KEY), Options(store_text=True))


@pytest.fixture
async def client(deps: Deps) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(build_app(deps))) as test_client:
        yield test_client
