"""``sentibot train`` and ``sentibot evaluate`` on a tiny Keras-format data set."""

import json

import pytest

from bot.cli.main import main
from model.artifact import load_artifact
from tests.model.helpers import write_keras_imdb


@pytest.fixture
def keras_data(tmp_path, monkeypatch, fixture_reviews):
    """Point [data] at a tiny local imdb.npz (300 train, 100 test) and keep runs in tmp."""
    npz, index = write_keras_imdb(tmp_path, fixture_reviews, n_train=300)
    monkeypatch.setenv("SENTIBOT_DATA__SOURCE", "keras")
    monkeypatch.setenv("SENTIBOT_DATA__KERAS_NPZ", str(npz))
    monkeypatch.setenv("SENTIBOT_DATA__KERAS_WORD_INDEX", str(index))
    monkeypatch.setenv("SENTIBOT_TRAIN__OUTPUT_DIR", str(tmp_path / "runs"))
    monkeypatch.setenv("SENTIBOT_MODEL__MAX_TOKENS", "3000")
    monkeypatch.setenv("SENTIBOT_DATA__LEXICON_REPEAT", "1")
    return tmp_path


def test_train_then_evaluate(keras_data, capsys):
    out = keras_data / "model"
    code = main(["train", "--architecture", "bigram", "--epochs", "1", "--output", str(out),
                 "--json"])  # fmt: skip
    assert code == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["architecture"] == "bigram"
    assert set(summary["test"]) >= {"loss", "accuracy", "precision", "recall", "auc"}
    assert set(summary["short_text"]) == {"review_sentences", "chat"}
    artifact = load_artifact(out)
    assert artifact.metadata["data"]["source"] == "keras"
    assert artifact.metadata["data"]["train_reviews"] == 240  # 20% of 300 held out
    assert artifact.metadata["calibration"] is None or "method" in artifact.metadata["calibration"]
    run_dirs = list((keras_data / "runs").iterdir())
    assert len(run_dirs) == 1 and (run_dirs[0] / "history.png").is_file()

    assert main(["evaluate", "--model", str(out), "--json"]) == 0
    metrics = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert list(metrics) == ["loss", "accuracy", "precision", "recall", "auc"]
    assert metrics["accuracy"] == pytest.approx(summary["test"]["accuracy"], abs=1e-6)


def test_evaluate_missing_model_is_a_clear_error(keras_data, capsys):
    assert main(["evaluate", "--model", str(keras_data / "nothing")]) == 1
    assert "model directory not found" in capsys.readouterr().err


def test_train_with_missing_archive_is_a_clear_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SENTIBOT_DATA__ARCHIVE", str(tmp_path / "none.tar.gz"))
    assert main(["train", "--output", str(tmp_path / "m")]) == 1
    assert "IMDB archive not found" in capsys.readouterr().err


def test_bad_config_value_is_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SENTIBOT_MODEL__DROPOUT", "2")
    assert main(["train", "--output", str(tmp_path / "m")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "model.dropout" in err


def test_train_accepts_every_configured_architecture() -> None:
    from typing import get_args

    from bot.cli.main import build_parser
    from model.config import Architecture

    parser = build_parser()
    for name in get_args(Architecture):  # nblr included: README and config.toml list it
        assert parser.parse_args(["train", "--architecture", name]).architecture == name


def test_train_prints_a_table_not_a_dict() -> None:
    from bot.cli.model import training_table

    table = training_table(
        {
            "test": {"accuracy": 0.9015, "auc": 0.9634},
            "short_text": {"review_sentences": 0.982},
            "chat_labels": {"devchat_dev": {"accuracy": 0.764, "macro_f1": 0.763}},
        }
    )
    assert "{" not in table and "devchat_dev" in table and "macro-F1" in table
    assert table.splitlines()[0].split() == ["set", "measure", "value"]


def test_train_writes_a_new_version_to_the_store_never_the_bundled_model(
    keras_data, capsys, monkeypatch
):
    from model.config import BUNDLED_MODEL_DIR

    bundled = (BUNDLED_MODEL_DIR / "metadata.json").read_bytes()
    monkeypatch.chdir(keras_data)  # var/ (store and database) in the test's folder
    assert main(["train", "--architecture", "bigram", "--epochs", "1", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    stored = keras_data / "var" / "models"
    [folder] = list(stored.iterdir())
    assert summary["model"] == str(folder.relative_to(keras_data))
    assert (BUNDLED_MODEL_DIR / "metadata.json").read_bytes() == bundled  # untouched
    assert main(["models"]) == 0
    listed = capsys.readouterr().out
    assert summary["version"] in listed and "* " + summary["version"] not in listed  # not active
