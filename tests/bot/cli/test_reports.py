"""``sentibot report`` and ``sentibot models`` against a SQLite database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.reports.charts import is_png
from storage.types import ModelVersion
from tests.fakes.reports import NOW, fill, message


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A config file whose database is a fresh SQLite file, and its repository filled."""
    from storage.database import Database
    from storage.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    path = tmp_path / "config.toml"
    path.write_text(f'[storage]\nurl = "{url}"\n[reports]\nmin_messages = 2\n')
    monkeypatch.delenv("SENTIBOT_STORAGE__URL", raising=False)
    upgrade(url)
    now = datetime.now(UTC)
    with Database(url) as db:
        fill(db.repository, "C1", [(now - timedelta(hours=h), 0.2 * h) for h in (1, 2, 3)])
        fill(db.repository, "dup", [(now - timedelta(hours=1), 0.5)])
        db.repository.upsert_messages([message("dup", "d1", now, 0.5, platform="discord")])
        retrained = {"feedback_accuracy": 0.75, "feedback_count": 12.0, "corrections_trained": 48.0}
        for version, active, metrics in (("v1", False, {}), ("v2", True, retrained)):
            model_dir = tmp_path / version
            model_dir.mkdir()
            (model_dir / "metadata.json").write_text(json.dumps({"version": version}))
            metrics = {"imdb_accuracy": 0.8, **metrics}
            db.repository.add_model_version(
                ModelVersion(version, str(model_dir), metrics, active, NOW, "ann")
            )
        broken = ModelVersion("v3", str(tmp_path / "missing"), {}, False, NOW)
        db.repository.add_model_version(broken)
    yield path


def test_report_prints_and_saves_the_chart(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chart = tmp_path / "out" / "chart.png"
    code = main(
        [
            "report",
            "--channel",
            "C1",
            "--since",
            "24h",
            "--chart",
            str(chart),
            "--config",
            str(config),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "Sentiment report for #C1 (slack), last 24h" in out
    assert "Messages: 3 scored" in out and "Mean score: 0.400" in out
    assert is_png(chart) and f"chart saved to {chart}" in out


def test_report_errors_are_clear(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--channel", "C1", "--since", "soon", "--config", str(config)]) == 1
    assert "unknown period 'soon'" in capsys.readouterr().err
    assert main(["report", "--channel", "nope", "--config", str(config)]) == 1
    assert "no channel 'nope' in the database" in capsys.readouterr().err
    assert main(["report", "--channel", "dup", "--config", str(config)]) == 1
    assert "channel dup is on discord, slack; name one" in capsys.readouterr().err
    assert (  # an unknown channel exits 1 everywhere (#15)
        main(["report", "--channel", "nope", "--platform", "slack", "--config", str(config)]) == 1
    )
    assert "no channel 'nope'" in capsys.readouterr().err


def test_models_lists_and_activates(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "--config", str(config)]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0] == (
        "  v1  2026-11-25 12:00 by ann  IMDB accuracy 0.8000 (no held-back corrections measured)"
    )
    assert listed[2] == (
        "* v2  2026-11-25 12:00 by ann  IMDB accuracy 0.8000, held-back corrections 0.7500 "
        "(n=12), trained on 48 corrections"
    )
    assert main(["--config", str(config), "models", "activate", "v1"]) == 0
    assert "v1 is now the active model" in capsys.readouterr().out
    assert main(["models", "--config", str(config)]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("* v1")


def test_activate_refuses_unknown_or_missing_models(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--config", str(config), "models", "activate", "v9"]) == 1
    assert "unknown model version 'v9' (known: v1, v2, v3)" in capsys.readouterr().err
    assert main(["--config", str(config), "models", "activate", "v3"]) == 1
    assert "not activated: cannot read" in capsys.readouterr().err
    assert main(["models", "--config", str(config)]) == 0
    assert "* v2" in capsys.readouterr().out  # unchanged


def test_an_unknown_channel_suggests_the_known_ones(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "--channel", "C", "--config", str(config)]) == 1
    err = capsys.readouterr().err
    assert "no channel 'C'" in err and "C1" in err and len(err.strip().splitlines()) == 1
    assert main(["report", "--channel", "dupp", "--config", str(config)]) == 1
    assert "did you mean dup?" in capsys.readouterr().err
    assert (
        main(["report", "--channel", "C1", "--platform", "discord", "--config", str(config)]) == 1
    )
