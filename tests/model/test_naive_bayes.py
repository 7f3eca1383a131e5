"""The ``nblr`` network: naive Bayes feature weights, set before fitting and saved with it."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from model.data import train_validation_split
from model.naive_bayes import NaiveBayesScale, log_count_ratio
from model.training import fit, predict_probabilities
from tests.model.helpers import quick_train, small_model

# Four rows, four features: 0 only in positives, 1 only in negatives, 2 in all, 3 in none.
FEATURES = np.array([[1, 0, 1, 0], [1, 0, 1, 0], [0, 1, 1, 0], [0, 0, 1, 0]], np.float32)
LABELS = np.array([1, 1, 0, 0], np.float32)


def expected_ratio() -> np.ndarray:
    p = 1 + FEATURES[LABELS == 1].sum(axis=0)
    q = 1 + FEATURES[LABELS == 0].sum(axis=0)
    return np.log((p / p.sum()) / (q / q.sum()))


def test_log_count_ratio_dense_and_sparse_batches_agree_with_the_formula():
    dense = tf.data.Dataset.from_tensor_slices((FEATURES, LABELS)).batch(3)
    sparse = dense.map(lambda x, y: (tf.sparse.from_dense(x), y))
    for batches in (dense, sparse):
        ratio = log_count_ratio(batches, 4)
        np.testing.assert_allclose(ratio, expected_ratio(), rtol=1e-6)
    assert ratio[0] > 0 > ratio[1]  # the positive-only feature up, the negative-only one down


def test_scale_layer_weights_sparse_and_dense_inputs_alike():
    layer = NaiveBayesScale(4)
    layer.build((None, 4))
    layer.ratio.assign(expected_ratio().astype(np.float32))
    dense = layer(tf.constant(FEATURES)).numpy()
    sparse = tf.sparse.to_dense(layer(tf.sparse.from_dense(FEATURES))).numpy()
    np.testing.assert_allclose(dense, FEATURES * expected_ratio(), rtol=1e-6)
    np.testing.assert_allclose(sparse, dense, rtol=1e-6)


@pytest.fixture(scope="module")
def fitted_nblr(fixture_reviews):
    train, validation = train_validation_split(fixture_reviews, 0.25, seed=11)
    recipe = quick_train(epochs=3, learning_rate=1e-2)
    return fit(train, validation, small_model("nblr"), recipe, verbose=0), validation


def test_nblr_sets_its_ratios_from_the_training_rows_and_learns(fitted_nblr):
    fitted, validation = fitted_nblr
    layer = fitted.network.core.get_layer("naive_bayes")
    ratio = np.asarray(layer.ratio)
    assert ratio.shape == (fitted.network.vectorize.vocabulary_size(),)
    assert not np.allclose(ratio, 1.0)  # primed, not the initial ones
    assert fitted.network.vectorize.get_config()["ngrams"] == 3  # 1-, 2- and 3-grams
    probs = predict_probabilities(fitted.model, validation.texts)
    assert ((probs > 0.5) == (validation.labels == 1)).mean() > 0.6


def test_nblr_round_trips_through_a_keras_file(fitted_nblr, tmp_path):
    fitted, validation = fitted_nblr
    path = tmp_path / "nblr.keras"
    fitted.model.save(path)
    loaded = keras.saving.load_model(path)
    texts = [*validation.texts[:20], "great film", "awful 😡", ""]
    np.testing.assert_allclose(
        predict_probabilities(loaded, texts), predict_probabilities(fitted.model, texts), atol=1e-6
    )
