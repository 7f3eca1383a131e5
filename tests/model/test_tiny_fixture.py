"""The shared ``tiny_model_dir`` fixture loads and predicts from raw strings."""

import tensorflow as tf

from model.artifact import load_artifact


def test_tiny_model_dir_loads_and_predicts(tiny_model_dir, fixture_reviews):
    artifact = load_artifact(tiny_model_dir)
    texts = fixture_reviews.texts[:8]
    probs = artifact.model(tf.constant(texts)).numpy()
    assert probs.shape == (8, 1)
    assert ((probs >= 0) & (probs <= 1)).all()
    assert artifact.version.startswith("bigram-")
    assert artifact.metadata["architecture"] == "bigram"
