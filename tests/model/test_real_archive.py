"""One training run on the real IMDB archive with a small budget (``pytest -m slow``)."""

import pytest

from model.config import DataConfig, ModelConfig, TrainConfig
from model.pipeline import run_training
from tests.conftest import REAL_ARCHIVE
from tests.postgres import skip_or_fail

pytestmark = pytest.mark.slow


def test_bigram_on_real_archive_is_well_above_chance(tmp_path):
    if not REAL_ARCHIVE.is_file():
        skip_or_fail(f"real IMDB archive not found at {REAL_ARCHIVE}")
    from model.artifact import load_artifact

    data = DataConfig(archive=str(REAL_ARCHIVE), cache_dir=tmp_path / "cache",
                      sentence_augment=False)  # fmt: skip
    train = TrainConfig(epochs=1, batch_size=64, output_dir=tmp_path / "runs")
    out = run_training(data, ModelConfig(architecture="bigram"), train, tmp_path / "model",
                       max_train=5000, verbose=0)  # fmt: skip
    artifact = load_artifact(out)
    test = artifact.metadata["metrics"]["test"]
    assert artifact.metadata["data"]["sha256"]
    assert test["accuracy"] > 0.80, test
    assert test["auc"] > 0.88, test
