"""A sentiment-lexicon feature layer: prior knowledge for words IMDB rarely uses.

Chat is short: a message has a handful of words, many of which ("broken", "crashing",
"lifesaver") are rare in movie reviews, so a bag-of-n-grams network trained on IMDB alone is
unsure about it. ``LexiconFeatures`` adds three numbers per text computed from VADER's
hand-rated lexicon (Hutto & Gilbert, 2014; MIT licence, shipped in ``vaderSentiment``): the
normalised sum of word valences with VADER's negation rule (a valence is scaled by -0.74 when
one of the three previous words is a negator), and the same sum over positive and over
negative words. The network learns on IMDB how much to trust these numbers; on a short
message with few known n-grams they carry the decision.

The lexicon is stored in the layer config, so a saved model keeps the table it was trained
with; the layer takes text already normalised by ``model.text.ChatNormalize``.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import keras
import tensorflow as tf

NEGATION_SCALAR = -0.74  # VADER's N_SCALAR
NEGATION_WINDOW = 3
NORMALIZATION_ALPHA = 15.0  # VADER's normalisation: s / sqrt(s^2 + alpha)
_WORD = re.compile(r"^[a-z]+$")


def vader_lexicon_path() -> Path:
    """Locate ``vader_lexicon.txt`` inside the installed ``vaderSentiment`` package."""
    spec = importlib.util.find_spec("vaderSentiment")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the lexicon feature needs the vaderSentiment package")
    return Path(next(iter(spec.submodule_search_locations))) / "vader_lexicon.txt"


def load_lexicon(path: Path | None = None) -> tuple[dict[str, float], list[str]]:
    """Single-word lexicon entries (as ``ChatNormalize`` spells them) and the negators.

    Returns
    -------
    tuple of (dict, list)
        ``{word: mean valence in [-4, 4]}`` and the negation words.
    """
    from vaderSentiment.vaderSentiment import NEGATE

    valences: dict[str, float] = {}
    text = (path or vader_lexicon_path()).read_text(encoding="utf-8")
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) < 2:
            continue
        word = parts[0].strip().lower().replace("'", "")
        if _WORD.match(word):
            valences.setdefault(word, float(parts[1]))
    negators = sorted({w.replace("'", "").replace("-", "") for w in NEGATE} | {"no"})
    return valences, [w for w in negators if _WORD.match(w)]


@keras.saving.register_keras_serializable(package="sentibot")
class LexiconFeatures(keras.layers.Layer):
    """Map normalised texts to ``[compound, positive, negative]`` lexicon scores in [-1, 1].

    Parameters
    ----------
    words, valences
        The lexicon, as parallel lists.
    negators
        Words that flip the valence of the following ``NEGATION_WINDOW`` words.
    """

    def __init__(
        self,
        words: list[str] | None = None,
        valences: list[float] | None = None,
        negators: list[str] | None = None,
        **kwargs: object,
    ) -> None:
        kwargs.setdefault("trainable", False)
        super().__init__(**kwargs)
        if words is None:
            table, negators = load_lexicon()
            words, valences = list(table), list(table.values())
        self.words = list(words)
        self.valences = [float(v) for v in valences or []]
        self.negators = list(negators or [])
        if len(self.words) != len(self.valences):
            raise ValueError("words and valences must have the same length")
        self._words = keras.layers.StringLookup(vocabulary=self.words, num_oov_indices=1)
        self._negators = keras.layers.StringLookup(vocabulary=self.negators, num_oov_indices=1)

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        self._words.build(input_shape)
        self._negators.build(input_shape)
        self.built = True

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        tokens = tf.strings.split(tf.reshape(inputs, [-1]))
        flat, rows = tokens.flat_values, tokens.value_rowids()
        table = tf.constant([0.0, *self.valences], dtype=tf.float32)
        values = tf.gather(table, self._words(flat))
        is_negator = tf.cast(self._negators(flat) > 0, tf.float32)
        count = tf.shape(flat)[0]
        negated = tf.zeros_like(values)
        for back in range(1, NEGATION_WINDOW + 1):
            earlier = tf.pad(is_negator, [[back, 0]])[:count]
            same_row = tf.pad(rows, [[back, 0]], constant_values=-1)[:count] == rows
            negated = tf.maximum(negated, earlier * tf.cast(same_row, tf.float32))
        values = values * (1.0 + (NEGATION_SCALAR - 1.0) * negated)
        n_rows = tokens.nrows()

        def squash(selected: tf.Tensor) -> tf.Tensor:
            total = tf.math.unsorted_segment_sum(selected, rows, n_rows)
            return total / tf.sqrt(total * total + NORMALIZATION_ALPHA)

        return tf.stack(
            [squash(values), squash(tf.nn.relu(values)), squash(-tf.nn.relu(-values))], axis=1
        )

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, int]:
        return (input_shape[0], 3)

    def get_config(self) -> dict[str, object]:
        config = super().get_config()
        config.update(words=self.words, valences=self.valences, negators=self.negators)
        return config
