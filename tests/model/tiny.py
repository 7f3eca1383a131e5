"""A tiny end-to-end sentiment model, trained in seconds, for the scoring tests."""

from __future__ import annotations

from pathlib import Path

import keras
import tensorflow as tf

from model.artifact import save_artifact
from model.text import ChatNormalize

# Every context appears with positive and negative words alike, so only the sentiment words
# carry signal (that keeps the explanation tests meaningful).
CONTEXTS = [
    "the food was {}",
    "the service was {}",
    "{} movie",
    "what a {} day",
    "the staff was {} and the room was {}",
    "{} job team",
    "it was {}",
    "{}",
]
POSITIVE_WORDS = ["great", "wonderful", "excellent", "love", "lovely"]
NEGATIVE_WORDS = ["terrible", "awful", "disappointing", "horrible", "bad"]
POSITIVE = [c.format(w, w) for c in CONTEXTS for w in POSITIVE_WORDS]
NEGATIVE = [c.format(w, w) for c in CONTEXTS for w in NEGATIVE_WORDS]


def build_tiny_model(seed: int = 7, epochs: int = 40) -> keras.Model:
    """Raw strings -> ChatNormalize -> bigram tf-idf -> Dense(1, sigmoid), trained on 80 lines."""
    keras.utils.set_random_seed(seed)
    texts = POSITIVE + NEGATIVE
    labels = [1.0] * len(POSITIVE) + [0.0] * len(NEGATIVE)
    vectorize = keras.layers.TextVectorization(
        max_tokens=500, standardize=None, ngrams=2, output_mode="tf_idf"
    )
    normalize = ChatNormalize()
    vectorize.adapt(normalize(tf.constant(texts)))
    inputs = keras.Input(shape=(), dtype="string")
    outputs = keras.layers.Dense(1, activation="sigmoid")(vectorize(normalize(inputs)))
    network = keras.Model(inputs, outputs)
    network.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy")
    network.fit(tf.constant(texts), tf.constant(labels), epochs=epochs, verbose=0)
    return network


def save_tiny_model(directory: Path, version: str, calibration: dict | None = None) -> Path:
    """Train and save a tiny model with ``model.artifact.save_artifact``."""
    metadata = {"architecture": "bigram", "version": version, "calibration": calibration}
    return save_artifact(build_tiny_model(), directory, metadata)
