"""save_artifact / load_artifact: round trips and clear errors for bad model directories."""

import json
import shutil

import numpy as np
import pytest
import tensorflow as tf

from model.artifact import METADATA_FILE, MODEL_FILE, ModelLoadError, load_artifact, save_artifact
from model.data import train_validation_split
from model.training import fit, predict_probabilities
from tests.model.helpers import quick_train, small_model

ODD_TEXTS = [
    "",
    "   ",
    "great 👍 <@U123> check https://example.com/x `code`",
    "terrible\x85awful\u2028worse\x00\x1f",
    "<br /><br />Loved it!!! :) :D",
    "x" * 200_000,
]


@pytest.fixture(scope="module")
def copied(tiny_model_dir, tmp_path_factory):
    """A private copy of the tiny model that tests may damage."""

    def make():
        target = tmp_path_factory.mktemp("copy")
        shutil.copytree(tiny_model_dir, target, dirs_exist_ok=True)
        return target

    return make


def test_round_trip_after_adapting_on_real_reviews_with_nel(fixture_reviews, tmp_path):
    assert any("\x85" in text for text in fixture_reviews.texts)  # real U+0085 in the vocabulary
    train, validation = train_validation_split(fixture_reviews, 0.2, seed=3)
    for architecture in ("bigram", "sequential"):
        fitted = fit(train, validation, small_model(architecture), quick_train(), verbose=0)
        texts = validation.texts + ODD_TEXTS
        before = predict_probabilities(fitted.model, texts)
        directory = save_artifact(
            fitted.model, tmp_path / architecture, {"architecture": architecture}
        )
        artifact = load_artifact(directory)
        after = predict_probabilities(artifact.model, texts)
        np.testing.assert_allclose(after, before, rtol=0, atol=1e-6)
        assert artifact.version.startswith(f"{architecture}-")
        assert np.isfinite(after).all() and ((after >= 0) & (after <= 1)).all()


def test_loaded_model_takes_a_batch_of_raw_strings(tiny_model_dir):
    model = load_artifact(tiny_model_dir).model
    assert model(tf.constant(["good", "bad", "meh"])).shape == (3, 1)
    assert model.layers[1].__class__.__name__ == "ChatNormalize"


def test_metadata_records_the_agreed_keys(tiny_model_dir):
    meta = json.loads((tiny_model_dir / METADATA_FILE).read_text())
    for key in (
        "version",
        "architecture",
        "config",
        "data",
        "metrics",
        "calibration",
        "keras_version",
        "tensorflow_version",
        "created_at",
        "format",
        "model_sha256",
    ):
        assert key in meta, key


def test_missing_directory(tmp_path):
    with pytest.raises(ModelLoadError, match="not found"):
        load_artifact(tmp_path / "nope")


@pytest.mark.parametrize("name", [MODEL_FILE, METADATA_FILE])
def test_missing_file(copied, name):
    directory = copied()
    (directory / name).unlink()
    with pytest.raises(ModelLoadError, match=f"{name} is missing"):
        load_artifact(directory)


def test_corrupt_metadata(copied):
    directory = copied()
    (directory / METADATA_FILE).write_text("{not json")
    with pytest.raises(ModelLoadError, match="corrupt"):
        load_artifact(directory)


def test_metadata_without_required_keys(copied):
    directory = copied()
    (directory / METADATA_FILE).write_text(json.dumps({"architecture": "bigram"}))
    with pytest.raises(ModelLoadError, match="lacks required keys: version"):
        load_artifact(directory)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("keras_version", "2.15.0", "incompatible with installed keras"),
        ("tensorflow_version", "1.15.0", "incompatible with installed tensorflow"),
        ("format", 99, "format 99 is not supported"),
    ],
)
def test_incompatible_metadata(copied, key, value, message):
    directory = copied()
    meta = json.loads((directory / METADATA_FILE).read_text())
    meta[key] = value
    (directory / METADATA_FILE).write_text(json.dumps(meta))
    with pytest.raises(ModelLoadError, match=message):
        load_artifact(directory)


def test_damaged_model_file_fails_the_hash_check(copied):
    directory = copied()
    with (directory / MODEL_FILE).open("r+b") as handle:
        handle.seek(100)
        handle.write(b"\x00garbage\x00")
    with pytest.raises(ModelLoadError, match="damaged"):
        load_artifact(directory)


def test_unloadable_model_file_is_a_clear_error(copied):
    directory = copied()
    (directory / MODEL_FILE).write_bytes(b"not a zip file")
    meta = json.loads((directory / METADATA_FILE).read_text())
    meta.pop("model_sha256")
    (directory / METADATA_FILE).write_text(json.dumps(meta))
    with pytest.raises(ModelLoadError, match="cannot load"):
        load_artifact(directory)
