"""Every architecture builds end to end from raw strings and trains an epoch on the fixture."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from model.architectures import ARCHITECTURES, build_network
from model.config import ModelConfig
from model.data import train_validation_split
from model.training import fit, normalize_texts, predict_probabilities
from tests.model.helpers import quick_train, small_model


@pytest.fixture(scope="module")
def halves(fixture_reviews):
    return train_validation_split(fixture_reviews, 0.25, seed=11)


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_each_architecture_trains_an_epoch(architecture, halves):
    train, validation = halves
    fitted = fit(train, validation, small_model(architecture), quick_train(), verbose=0)
    model = fitted.model
    assert model.input_shape == (None,) and model.output_shape == (None, 1)
    assert model.layers[0 if architecture == "sequential" else 1].name == "chat_normalize"
    probs = predict_probabilities(model, ["great film", "", "awful 😡"])
    assert probs.shape == (3,) and np.isfinite(probs).all()
    assert set(fitted.history) >= {"loss", "val_loss", "accuracy", "precision", "recall", "auc"}


def test_sequential_is_the_lab_network():
    texts = normalize_texts(["a good film", "a bad film"])
    network = build_network(ModelConfig(architecture="sequential"), texts)
    model = network.end_to_end
    assert isinstance(model, keras.Sequential)
    kinds = [layer.__class__.__name__ for layer in model.layers]
    assert kinds == [
        "ChatNormalize", "TextVectorization", "Embedding", "Flatten", "Dense", "Dense", "Dense",
    ]  # fmt: skip
    embedding = model.layers[2]
    assert embedding.input_dim == 10000 or network.vectorize.vocabulary_size() < 10000
    assert embedding.output_dim == 32
    assert network.vectorize.get_config()["output_sequence_length"] == 500
    assert [layer.units for layer in model.layers[4:]] == [16, 16, 1]
    assert model.layers[-1].activation.__name__ == "sigmoid"
    assert model(tf.constant(["good"])).shape == (1, 1)


@pytest.mark.parametrize("architecture", ["mlp", "cnn", "lstm", "bigram"])
def test_functional_variants(architecture):
    network = build_network(small_model(architecture), normalize_texts(["good", "bad film"]))
    assert not isinstance(network.end_to_end, keras.Sequential)
    assert isinstance(network.core, keras.Model)


def test_training_lowers_the_loss(halves):
    train, validation = halves
    recipe = quick_train(epochs=4, patience=4, learning_rate=3e-3)
    fitted = fit(train, validation, small_model("bigram"), recipe, verbose=0)
    losses = fitted.history["loss"]
    assert len(losses) == 4
    assert all(later < earlier for earlier, later in zip(losses, losses[1:], strict=False))
    assert losses[-1] < losses[0] - 0.1


def test_training_writes_logs_and_plot(halves, tmp_path):
    train, validation = halves
    fitted = fit(train, validation, small_model("mlp"), quick_train(epochs=2), run_dir=tmp_path,
                 verbose=0)  # fmt: skip
    assert (tmp_path / "history.csv").read_text().startswith("epoch,")
    assert fitted.plot == tmp_path / "history.png"
    assert fitted.plot.read_bytes().startswith(b"\x89PNG")
    assert any((tmp_path / "tensorboard").rglob("events.out.tfevents.*"))


@pytest.mark.parametrize("schedule", ["cosine", "exponential"])
def test_learning_rate_schedules(schedule, halves):
    train, validation = halves
    fitted = fit(train, validation, small_model("bigram"),
                 quick_train(lr_schedule=schedule, optimizer="adamw"), verbose=0)  # fmt: skip
    assert np.isfinite(fitted.history["loss"]).all()
