"""``sentibot export``: a SavedModel that takes raw strings and gives Scorer's scores."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from bot.cli.main import main
from model.artifact import ModelLoadError, load_artifact
from model.config import ScoringConfig
from model.export import ExportError, export_artifact, export_model
from model.service import Scorer
from model.text import normalize

TEXTS = [
    "the food was great, wonderful people",
    "terrible service and an awful day",
    "I love it 😍 <@U123> https://example.com",
    "plain words about nothing",
    "",
]


def test_round_trip_gives_the_scorer_probabilities(export_base: Path, ops_model_dir: Path) -> None:
    loaded = tf.saved_model.load(str(export_base / "1"))
    out = loaded.signatures["serving_default"](text=tf.constant(TEXTS))

    scorer = Scorer(load_artifact(ops_model_dir), ScoringConfig(languages=[]))
    expected, words, version = scorer.probabilities(TEXTS)
    np.testing.assert_allclose(out["probability"].numpy(), expected, atol=1e-5)
    assert [w.decode() for w in out["words"].numpy()] == words == normalize(TEXTS)
    assert {v.decode() for v in out["model_version"].numpy()} == {version} == {"tiny-ops"}
    # the probabilities differ between texts, so equality above is not a constant's
    assert expected[0] > 0.5 > expected[1]


def test_export_applies_the_calibration(export_base: Path, ops_model_dir: Path) -> None:
    artifact = load_artifact(ops_model_dir)
    raw = artifact.model(tf.constant(TEXTS[:2])).numpy().reshape(-1)
    loaded = tf.saved_model.load(str(export_base / "1"))
    served = loaded.signatures["serving_default"](text=tf.constant(TEXTS[:2]))["probability"]
    assert not np.allclose(served.numpy(), raw, atol=1e-3)


def test_export_carries_metadata_and_numbers_versions(ops_model_dir: Path, tmp_path: Path) -> None:
    base = tmp_path / "sentiment"
    (base / "7").mkdir(parents=True)  # an older version TF Serving already serves
    target = export_model(ops_model_dir, base)
    assert target == base / "8"
    assert (target / "saved_model.pb").is_file()
    meta = json.loads((target / "assets.extra" / "metadata.json").read_text())
    assert meta["version"] == "tiny-ops"
    assert not list(base.glob(".*tmp*"))  # no half-written folder left behind


def test_export_refuses_an_existing_target(ops_model_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "1").mkdir()
    with pytest.raises(ExportError, match="already exists"):
        export_artifact(load_artifact(ops_model_dir), tmp_path / "1")


def test_export_refuses_unknown_calibration(ops_model_dir: Path, tmp_path: Path) -> None:
    artifact = load_artifact(ops_model_dir)
    artifact.metadata = {**artifact.metadata, "calibration": {"method": "isotonic"}}
    with pytest.raises(ExportError, match="isotonic"):
        export_artifact(artifact, tmp_path / "1")
    assert not (tmp_path / "1").exists()


def test_cli_export(ops_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["export", "--model", str(ops_model_dir), "--output", str(tmp_path / "m")]) == 0
    assert (tmp_path / "m" / "1" / "saved_model.pb").is_file()
    assert "exported" in capsys.readouterr().out


def test_cli_export_of_a_corrupt_model_is_one_line(
    ops_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(ops_model_dir, broken)
    (broken / "sentiment.keras").write_bytes(b"not a model")
    assert main(["export", "--model", str(broken), "--output", str(tmp_path / "m")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("sentibot export:") and "\n" not in err
    assert not (tmp_path / "m" / "1").exists()
    with pytest.raises(ModelLoadError):
        export_model(tmp_path / "missing", tmp_path / "m")
