"""Fixtures for storage tests on real databases: a SQLite file and (when configured) PostgreSQL.

Each PostgreSQL test gets its own schema (dropped afterwards), so tests are independent and can
share one server. Set ``SENTIBOT_TEST_POSTGRES_URL`` to run them, e.g.
``postgresql+psycopg://postgres@127.0.0.1:5432/test``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from storage.database import Database
from storage.migrate import upgrade
from storage.repository import Repository
from storage.sql_repository import SqlRepository
from tests.fakes.storage import FakeRepository
from tests.postgres import postgres_url  # noqa: F401  (fixture)


@pytest.fixture
def sqlite_url(tmp_path) -> str:  # noqa: ANN001
    return f"sqlite:///{tmp_path / 'data' / 'sentibot.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """An empty database of each kind."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return request.getfixturevalue(name)


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    """A migrated database of each kind."""
    upgrade(db_url)
    db = Database(db_url)
    try:
        yield db
    finally:
        db.close()


@pytest.fixture
def repo(database: Database) -> SqlRepository:
    return database.repository


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres), "fake"])
def any_repo(request: pytest.FixtureRequest) -> Iterator[Repository]:
    """The repository on each database and the in-memory fake: one set of assertions for all."""
    if request.param == "fake":
        yield FakeRepository()
        return
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")
    upgrade(url)
    db = Database(url)
    try:
        yield db.repository
    finally:
        db.close()
