"""The composition root: adapter choice and one-line startup errors (in-process)."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.adapters.shell import ShellAdapter
from bot.bootstrap import build_app
from bot.config import Secrets, Settings
from bot.factories import (
    StartupError,
    build_adapter,
    choose_adapter,
    load_scorer,
    open_storage,
)
from storage.types import ModelVersion
from tests.bot.conftest import make_settings, start_harness
from tests.fakes.storage import FakeRepository

TOKENS = {"SLACK_BOT_TOKEN": "xoxb-1", "DISCORD_TOKEN": "d-1"}


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "shell"),
        ({"DISCORD_TOKEN": "d-1"}, "discord"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "slack"),
        (TOKENS, "slack"),
    ],
)
def test_auto_picks_by_token(tmp_path: Path, env: dict, expected: str) -> None:
    assert choose_adapter(make_settings(tmp_path), Secrets(env)) == expected


def test_explicit_choice_wins(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, '[bot]\nadapter = "shell"\n')
    assert choose_adapter(settings, Secrets(TOKENS)) == "shell"


def test_shell_adapter_uses_configured_channel(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, '[bot]\nshell_channel = "dev"\n')
    adapter = build_adapter(settings, Secrets({}))
    assert isinstance(adapter, ShellAdapter) and adapter.channel == "dev"
    assert adapter.user.is_admin


@pytest.mark.parametrize(("name", "token"), [("slack", "SLACK_BOT_TOKEN"), ("discord", "DISCORD")])
def test_missing_token_names_it(tmp_path: Path, name: str, token: str) -> None:
    settings = make_settings(tmp_path, f'[bot]\nadapter = "{name}"\n')
    with pytest.raises(StartupError, match=token):
        build_adapter(settings, Secrets({}))


def one_line(exc: pytest.ExceptionInfo) -> str:
    text = str(exc.value)
    assert "\n" not in text and text
    return text


def test_missing_model_is_one_line(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, f'[model]\npath = "{tmp_path / "nothing"}"\n')
    with pytest.raises(StartupError) as exc:
        load_scorer(settings)
    assert "nothing" in one_line(exc)


def test_corrupt_model_is_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "metadata.json").write_text("{not json", encoding="utf-8")
    (broken / "sentiment.keras").write_bytes(b"garbage")
    settings = make_settings(tmp_path, f'[model]\npath = "{broken}"\n')
    with pytest.raises(StartupError) as exc:
        load_scorer(settings)
    assert "broken" in one_line(exc)


def test_unreachable_database_hides_password(tmp_path: Path) -> None:
    url = "postgresql+psycopg://bot:s3cret@127.0.0.1:9/none"
    settings = make_settings(tmp_path, f'[storage]\nurl = "{url}"\n')
    with pytest.raises(StartupError) as exc:
        open_storage(settings)
    line = one_line(exc)
    assert "unreachable" in line and "s3cret" not in line and "127.0.0.1:9" in line


def test_sqlite_is_created_and_migrated_on_first_start(tmp_path: Path) -> None:
    from tests.fakes.scoring import FakeScorer

    db = tmp_path / "sub" / "bot.db"
    settings = make_settings(tmp_path, f'[storage]\nurl = "sqlite:///{db}"\n')
    app = build_app(
        settings,
        adapter=ShellAdapter(),
        scorer=FakeScorer(),
        secrets=Secrets({}),
        scheduler_factory=None,
        retrainer_factory=None,
    )
    try:
        assert db.is_file()
        app.repository.ping()
        assert app.bot.repository is app.repository and app.bot.scorer is app.scorer
    finally:
        app.database.close()


async def test_ops_port_serves_health_and_metrics(tmp_path: Path) -> None:
    import socket

    import aiohttp

    from bot.adapters.fake import FakeAdapter
    from tests.fakes.scoring import FakeScorer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = make_settings(tmp_path, f"[ops]\nport = {port}\n")
    adapter = FakeAdapter()
    app = build_app(
        settings,
        adapter=adapter,
        scorer=FakeScorer(),
        repository=FakeRepository(),
        scheduler_factory=None,
        retrainer_factory=None,
    )
    task = asyncio.create_task(app.run())
    await asyncio.wait_for(adapter.started.wait(), 5)
    await adapter.say("great")
    await app.bot.drain()
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
            assert response.status == 200
            body = await response.json()
        async with http.get(f"http://127.0.0.1:{port}/metrics") as response:
            metrics = await response.text()
    assert set(body["checks"]) == {"model", "database", "adapters", "writer"}
    assert 'sentibot_messages_scored_total{label="positive"} 1.0' in metrics
    app.request_stop("test")
    assert await asyncio.wait_for(task, 10) == 0


def fake_model_dir(root: Path, version: str) -> Path:
    """A folder with just the ``metadata.json`` the fake loader below reads."""
    directory = root / version
    directory.mkdir(parents=True)
    (directory / "metadata.json").write_text(json.dumps({"version": version}), encoding="utf-8")
    return directory


@pytest.fixture
def fake_loader(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Make ``Scorer.from_directory`` a FakeScorer named by the folder's metadata (no TF model)."""
    from model.artifact import ModelLoadError
    from model.service import Scorer
    from tests.fakes.scoring import FakeScorer

    loaded: list[Path] = []

    def from_directory(directory, scoring):
        loaded.append(Path(directory))
        meta = Path(directory) / "metadata.json"
        if not meta.is_file():
            raise ModelLoadError(f"no model in {directory}")
        return FakeScorer(scoring, version=json.loads(meta.read_text("utf-8"))["version"])

    monkeypatch.setattr(Scorer, "from_directory", staticmethod(from_directory))
    return loaded


def settings_with_model(tmp_path: Path) -> Settings:
    configured = fake_model_dir(tmp_path / "models", "configured")
    return make_settings(tmp_path, f'[model]\npath = "{configured}"\n')


def test_startup_serves_the_active_version(tmp_path: Path, fake_loader: list[Path]) -> None:
    settings = settings_with_model(tmp_path)
    repo = FakeRepository()
    assert load_scorer(settings, repo).version == "configured"  # none recorded yet
    newer = fake_model_dir(tmp_path / "models", "v2")
    repo.add_model_version(ModelVersion("v2", str(newer), {}, True, datetime.now(UTC)))
    assert load_scorer(settings, repo).version == "v2"
    assert load_scorer(settings).version == "configured"  # no repository: not asked


@pytest.mark.parametrize("problem", ["missing", "other-version"])
def test_unloadable_active_version_falls_back_with_a_log_line(
    tmp_path: Path, fake_loader: list[Path], caplog: pytest.LogCaptureFixture, problem: str
) -> None:
    settings = settings_with_model(tmp_path)
    path = tmp_path / "gone"
    if problem == "other-version":
        path = fake_model_dir(tmp_path / "models", "v1")
    repo = FakeRepository()
    repo.add_model_version(ModelVersion("v3", str(path), {}, True, datetime.now(UTC)))
    with caplog.at_level(logging.WARNING, logger="bot.retrain.versions"):
        scorer = load_scorer(settings, repo)
    assert scorer.version == "configured"
    assert "active model version v3" in caplog.text and "configured" in caplog.text
    assert fake_loader[0] == path  # the active one was tried first


async def test_shutdown_closes_the_retrainer_and_passes_the_config(tmp_path: Path) -> None:
    seen: dict[str, object] = {}

    class Retrainer:
        closed = False

        async def close(self) -> None:
            Retrainer.closed = True

    def factory(settings, scorer, repository, config_path):
        seen["config"] = config_path
        return Retrainer()

    config = tmp_path / "config.toml"
    settings = make_settings(tmp_path)
    harness = await start_harness(settings, retrainer_factory=factory, config_path=config)
    assert seen["config"] == config and not Retrainer.closed
    assert await harness.stop() == 0
    assert Retrainer.closed
