"""The lexicon feature layer: valences, VADER's negation rule, saving."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from model.lexicon import LexiconFeatures, load_lexicon

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture(scope="module")
def layer() -> LexiconFeatures:
    return LexiconFeatures(
        words=["good", "bad", "broken", "love"],
        valences=[1.9, -2.5, -2.1, 3.2],
        negators=["not", "never", "dont"],
    )


def features(layer: LexiconFeatures, texts: list[str]) -> np.ndarray:
    return layer(tf.constant(texts)).numpy()


def test_polarity_and_neutral_text(layer: LexiconFeatures) -> None:
    out = features(layer, ["good", "bad", "the meeting is at noon", ""])
    assert out.shape == (4, 3)
    assert out[0, 0] > 0.4 and out[1, 0] < -0.5
    np.testing.assert_array_equal(out[2], [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(out[3], [0.0, 0.0, 0.0])


def test_negation_flips_within_three_words_only(layer: LexiconFeatures) -> None:
    negated, far, plain = features(layer, ["not bad", "not one two three bad", "bad"])[:, 0]
    assert negated > 0 > plain
    assert far == pytest.approx(plain)


def test_negation_does_not_cross_messages(layer: LexiconFeatures) -> None:
    # "not" ends the first text; the second text's "bad" must stay negative.
    first, second = features(layer, ["this is not", "bad"])[:, 0]
    assert first == 0.0
    assert second < 0


def test_mixed_text_keeps_both_parts(layer: LexiconFeatures) -> None:
    compound, positive, negative = features(layer, ["love it but broken"])[0]
    assert positive > 0 > negative
    assert negative < compound < positive


def test_saved_model_keeps_the_table(layer: LexiconFeatures, tmp_path) -> None:
    text = keras.Input(shape=(), dtype="string")
    model = keras.Model(text, layer(text))
    model.save(tmp_path / "lexicon.keras")
    loaded = keras.saving.load_model(tmp_path / "lexicon.keras")
    probe = tf.constant(["not good", "broken again", "love love"])
    np.testing.assert_allclose(loaded(probe).numpy(), model(probe).numpy())


def test_vader_lexicon_is_loaded_in_normalised_spelling() -> None:
    valences, negators = load_lexicon()
    assert valences["broken"] < 0 < valences["lifesaver"]
    assert {"not", "dont", "never", "no"} <= set(negators)
    assert all(word.isalpha() and word.islower() for word in valences)
