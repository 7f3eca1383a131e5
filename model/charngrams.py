"""Character n-grams inside word boundaries, as a ``TextVectorization`` front end.

A word the vocabulary of words and word pairs never saw ("segfaults", "flaky", "lgtm!!")
still shares pieces with words it did ("segfault", "flake", "lgtm"): character n-grams carry
them. ``CharNgramSplit`` is the ``split`` callable of a ``TextVectorization`` layer
(``build_char_vectorizer``); it works like scikit-learn's ``analyzer="char_wb"`` on text
already normalised by ``model.text.ChatNormalize`` (lower case, letters and digits, single
spaces): every word is padded with one space on each side and cut into all its character
n-grams of ``low`` to ``high`` characters (the characters joined with nothing), so
"ok go" with 2-3 gives `` o``, ``ok``, ``k ``, `` ok``, ``ok ``, `` g``, ``go``, ``o ``,
`` go``, ``go ``. No n-gram crosses a word boundary; a padded word shorter than ``low``
characters gives none (every padded word has at least 3, so ``low <= 3`` loses nothing).

``RowL2Normalize`` divides each row of a sparse (or dense) feature matrix by its L2 norm, as
scikit-learn's ``TfidfVectorizer`` does, so a 1,000-word review and a 5-word message put the
same weight on the linear term. Both are registered, so a saved model keeps them.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from model.config import ModelConfig


@keras.saving.register_keras_serializable(package="sentibot")
class CharNgramSplit:
    """Normalised texts, shape ``(n,)``, to their word-bounded character n-grams (ragged).

    Parameters
    ----------
    low, high
        The shortest and the longest n-gram, in characters (``1 <= low <= high``).
    max_chars
        Only the first this many characters of a text are cut (0: all), which bounds the cost
        of a long review; chat messages are shorter.
    """

    def __init__(self, low: int = 2, high: int = 5, max_chars: int = 0) -> None:
        if not 1 <= low <= high:
            raise ValueError(f"char n-grams need 1 <= low <= high, got {low}..{high}")
        self.low, self.high, self.max_chars = int(low), int(high), int(max_chars)

    def __call__(self, texts: tf.Tensor) -> tf.RaggedTensor:
        if self.max_chars:
            texts = tf.strings.substr(texts, 0, self.max_chars, unit="UTF8_CHAR")
        words = tf.strings.split(texts)  # (n, words)
        padded = tf.ragged.map_flat_values(lambda w: " " + w + " ", words)
        chars = tf.strings.unicode_split(padded, "UTF-8")  # (n, words, chars)
        widths = tuple(range(self.low, self.high + 1))
        grams = tf.strings.ngrams(chars, ngram_width=widths, separator="")  # (n, words, grams)
        return grams.merge_dims(1, 2)

    def get_config(self) -> dict[str, int]:
        return {"low": self.low, "high": self.high, "max_chars": self.max_chars}

    @classmethod
    def from_config(cls, config: dict[str, int]) -> CharNgramSplit:
        return cls(**config)


def build_char_vectorizer(config: ModelConfig) -> keras.layers.TextVectorization | None:
    """The (unadapted) character n-gram ``TextVectorization`` of ``config``, or ``None`` if off.

    On when ``config.char_ngrams`` is ``[low, high]``; ``char_max_tokens`` most frequent
    n-grams (plus ``[UNK]``) of the first ``char_max_chars`` characters (0: all), output
    ``char_output_mode`` (``multi_hot``, ``count`` or ``tf_idf``).
    """
    if not config.char_ngrams:
        return None
    low, high = config.char_ngrams
    return keras.layers.TextVectorization(
        max_tokens=config.char_max_tokens,
        standardize=None,
        split=CharNgramSplit(low, high, config.char_max_chars),
        ngrams=None,
        output_mode=config.char_output_mode,
        sparse=config.char_output_mode != "tf_idf",  # sparse tf_idf is broken in Keras 3.15
        name="char_vectorize",
    )


@keras.saving.register_keras_serializable(package="sentibot")
class RowL2Normalize(keras.layers.Layer):
    """Each row divided by its L2 norm and times ``scale`` (rows of zeros stay zeros); sparse
    in, sparse out. With Adam the weights after it move at the same pace whatever the inputs'
    size, so ``scale`` sets how fast the term's logits can grow.
    """

    def __init__(self, scale: float = 1.0, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.scale = float(scale)

    def get_config(self) -> dict[str, object]:
        return {**super().get_config(), "scale": self.scale}

    def call(self, inputs: tf.Tensor | tf.SparseTensor) -> tf.Tensor | tf.SparseTensor:
        if isinstance(inputs, tf.SparseTensor):
            rows = inputs.indices[:, 0]
            squares = tf.math.unsorted_segment_sum(
                tf.square(inputs.values), rows, inputs.dense_shape[0]
            )
            scale = tf.gather(self.scale * tf.math.rsqrt(tf.maximum(squares, 1e-12)), rows)
            return tf.SparseTensor(inputs.indices, inputs.values * scale, inputs.dense_shape)
        squares = tf.reduce_sum(tf.square(inputs), axis=1, keepdims=True)
        return inputs * (self.scale * tf.math.rsqrt(tf.maximum(squares, 1e-12)))

    def compute_output_spec(self, inputs: keras.KerasTensor) -> keras.KerasTensor:
        return keras.KerasTensor(inputs.shape, dtype=inputs.dtype, sparse=inputs.sparse)
