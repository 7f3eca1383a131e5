"""``bot.retrain.versions``: which model a command loads (the active version, else the
configured one) and the model store."""

from __future__ import annotations

from pathlib import Path


def test_commands_load_the_active_version(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from bot.config import Settings, StorageConfig
    from bot.retrain.versions import model_directory
    from storage.database import Database
    from storage.migrate import upgrade
    from storage.types import ModelVersion

    url = f"sqlite:///{tmp_path / 'bot.db'}"
    settings = Settings(storage=StorageConfig(url=url))
    configured = Path(settings.model.directory)
    assert model_directory(settings) == configured  # no database file yet: nothing created
    assert not (tmp_path / "bot.db").exists()
    upgrade(url)
    retrained = tmp_path / "models" / "v2"
    retrained.mkdir(parents=True)
    with Database(url) as db:
        now = datetime.now(UTC)
        db.repository.add_model_version(ModelVersion("v2", str(retrained), {}, True, now))
    assert model_directory(settings) == retrained  # what a running bot serves after a retrain
    assert model_directory(settings, tmp_path / "mine") == tmp_path / "mine"  # --model wins
    retrained.rmdir()
    assert model_directory(settings) == configured  # the active one is gone: the configured


def test_a_database_that_is_down_means_the_configured_model() -> None:
    from bot.config import Settings, StorageConfig
    from bot.retrain.versions import model_directory

    down = Settings(storage=StorageConfig(url="postgresql+psycopg://x:y@127.0.0.1:1/none"))
    assert model_directory(down) == Path(down.model.directory)


def test_into_store_copies_a_version_out_of_scratch(tmp_path: Path) -> None:
    from bot.retrain.versions import into_store

    scratch = tmp_path / "runs" / "20261202" / "model"
    scratch.mkdir(parents=True)
    (scratch / "metadata.json").write_text("{}")
    stored = into_store(scratch, "v9", tmp_path / "store")
    assert stored == tmp_path / "store" / "v9" and (stored / "metadata.json").is_file()
    assert into_store(stored, "v9", tmp_path / "store") == stored  # already there: as it is
