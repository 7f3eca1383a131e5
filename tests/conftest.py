"""Shared pytest setup: quiet TensorFlow before anything imports it; shared model fixtures
(a model trained on the fixture reviews; tiny trained models saved as real artifacts)."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"
REVIEWS_FIXTURE = FIXTURES / "reviews.jsonl"
REAL_ARCHIVE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "aclImdb_v1.tar.gz"


@pytest.fixture(scope="session")
def fixture_reviews():
    """400 real IMDB training reviews (balanced, <= 800 chars, some with U+0085) as a ``Split``."""
    from model.data import read_jsonl

    return read_jsonl(REVIEWS_FIXTURE)


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory, fixture_reviews) -> Path:
    """A model of the default architecture trained for 1 epoch on the fixture reviews, saved.

    Takes a few seconds; the directory holds ``sentiment.keras`` and ``metadata.json`` written by
    ``model.artifact.save_artifact`` and loads with ``load_artifact``.
    """
    from model.config import ModelConfig, TrainConfig
    from model.data import train_validation_split
    from model.pipeline import save_trained

    directory = tmp_path_factory.mktemp("tiny_model")
    train, validation = train_validation_split(fixture_reviews, 0.2, seed=7)
    config = ModelConfig(max_tokens=5000)
    fitted_dir = save_trained(
        train, validation, config, TrainConfig(epochs=1, batch_size=32), directory, verbose=0
    )
    return fitted_dir


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A saved tiny model, version ``tiny-a``."""
    from tests.model.tiny import save_tiny_model

    return save_tiny_model(tmp_path_factory.mktemp("tiny-a"), "tiny-a")


@pytest.fixture(scope="session")
def tiny_artifact(tiny_dir: Path):  # noqa: ANN201 - a model.artifact.Artifact
    from model.artifact import load_artifact

    return load_artifact(tiny_dir)


@pytest.fixture(scope="session")
def other_artifact(tiny_artifact):  # noqa: ANN001, ANN201
    """The same network under another version, for hot swap tests."""
    from model.artifact import Artifact

    return Artifact(
        model=tiny_artifact.model,
        metadata={**tiny_artifact.metadata, "version": "tiny-b"},
        directory=tiny_artifact.directory,
        version="tiny-b",
    )


@pytest.fixture(scope="session")
def scorer(tiny_artifact):  # noqa: ANN001, ANN201
    from model.config import ScoringConfig
    from model.service import Scorer

    return Scorer(tiny_artifact, ScoringConfig(max_chars=200))
