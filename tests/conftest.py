"""Shared pytest setup: quiet TensorFlow before anything imports it; shared model fixtures."""

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
