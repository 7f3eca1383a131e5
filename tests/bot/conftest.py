"""Fixtures for the core: the real bot wired by ``build_app`` around fakes (no TF, no database)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.adapters.fake import FakeAdapter
from bot.app import App
from bot.bootstrap import build_app
from bot.config import Settings, load_settings
from storage.repository import Repository
from tests.fakes.scoring import FakeScorer
from tests.fakes.storage import FakeRepository
from tests.postgres import postgres_url  # noqa: F401  (fixture)


def make_settings(tmp_path: Path, text: str = "") -> Settings:
    """Settings from a config file holding ``text`` (nothing else from the working directory)."""
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    settings = load_settings(path)
    settings.reports.chart_dir = tmp_path / "charts"
    return settings


@dataclass
class Harness:
    """A running bot and its parts."""

    app: App
    adapter: FakeAdapter
    scorer: FakeScorer
    repo: FakeRepository
    task: asyncio.Task[int]

    @property
    def bot(self):
        return self.app.bot

    async def settle(self) -> None:
        """Wait until everything said so far is scored and written."""
        await self.app.bot.drain()
        await self.app.writer.flush()

    async def stop(self) -> int:
        self.app.request_stop("test")
        return await asyncio.wait_for(self.task, 10)


async def start_harness(settings: Settings, **parts: object) -> Harness:
    adapter = FakeAdapter()
    scorer = parts.pop("scorer", None) or FakeScorer(settings.scoring)
    repo = parts.pop("repository", None) or FakeRepository()
    parts.setdefault("scheduler_factory", None)
    parts.setdefault("retrainer_factory", None)
    app = build_app(settings, adapter=adapter, scorer=scorer, repository=repo, **parts)
    task = asyncio.create_task(app.run())
    await asyncio.wait_for(adapter.started.wait(), 5)
    return Harness(app, adapter, scorer, repo, task)  # type: ignore[arg-type]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, "[storage]\nflush_interval_ms = 5\n[scoring]\nmax_wait_ms = 1\n")


@pytest.fixture
async def harness(settings: Settings) -> AsyncIterator[Harness]:
    h = await start_harness(settings)
    yield h
    if not h.task.done():
        await h.stop()


@pytest.fixture
def fake_repo() -> FakeRepository:
    return FakeRepository()


@pytest.fixture
def sqlite_repo(tmp_path: Path) -> Iterator[Repository]:
    from storage.database import Database
    from storage.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'reports.db'}"
    upgrade(url)
    database = Database(url)
    try:
        yield database.repository
    finally:
        database.close()


@pytest.fixture(params=["fake", "sqlite"])
def any_repo(request: pytest.FixtureRequest) -> Repository:
    """The same test on the in-memory fake and on SQLite."""
    return request.getfixturevalue(f"{request.param}_repo")
