"""Chat text normalisation, the same at training and at serving.

``ChatNormalize`` is a Keras layer placed first in every end-to-end model, so the saved
``.keras`` file carries it (and its emoji table) and serving cannot drift from training.
It lower-cases, drops markup that is not words (HTML line breaks, code blocks, URLs, Slack and
Discord mentions, channel links and custom emoji), maps emoji and emoticons to words the IMDB
vocabulary knows, and keeps only letters, digits and single spaces. Keeping nothing but
letters and digits also removes U+0085 (NEL), U+2028 and friends, which would otherwise split
a vocabulary line when ``TextVectorization`` saves its vocabulary and break loading.

``prepare`` (``model.textprep``, re-exported here) is the Python-side guard used before text
reaches TensorFlow: it repairs invalid surrogates, drops control characters and caps the length.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from model.chat_patterns import APOSTROPHES, MARKUP, NOT_WORDS_BUT_A_SPACE, word_passes
from model.emoji_words import EMOJI_WORDS, EMOTICON_WORDS
from model.textprep import CONTROL_CHARS, MAX_CHARS_DEFAULT, prepare

__all__ = [
    "CONTROL_CHARS",
    "EMOJI_WORDS",
    "EMOTICON_WORDS",
    "MAX_CHARS_DEFAULT",
    "ChatNormalize",
    "normalize",
    "prepare",
]


@keras.saving.register_keras_serializable(package="sentibot")
class ChatNormalize(keras.layers.Layer):
    """Normalise raw chat or review strings into space-separated lower-case words.

    String passes per batch: markup, one per replacement word, lower case, apostrophes,
    everything else that is not a letter or digit, strip; it runs on every scored message. The
    replacement-word passes run only on the texts one of their patterns matches (found in one
    pass): a text none of them matches is left as it is by every one of them, so the output is
    the same as running them all on every text.

    Parameters
    ----------
    emoji_words, emoticon_words
        Tables mapping a replacement word to the emoji names / emoticons it stands for.
        Stored in the layer config, so a saved model keeps the table it was trained with.
    """

    def __init__(
        self,
        emoji_words: dict[str, list[str]] | None = None,
        emoticon_words: dict[str, list[str]] | None = None,
        **kwargs: object,
    ) -> None:
        kwargs.setdefault("trainable", False)
        kwargs.setdefault("dtype", "string")
        super().__init__(**kwargs)
        self.emoji_words = {k: list(v) for k, v in (emoji_words or EMOJI_WORDS).items()}
        self.emoticon_words = {k: list(v) for k, v in (emoticon_words or EMOTICON_WORDS).items()}
        self._words = word_passes(self.emoji_words, self.emoticon_words)
        self._any_word = "(?s).*(?:" + "|".join(p for p, _ in self._words) + ").*"

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        text = tf.strings.regex_replace(inputs, MARKUP, " ")
        if self._words:
            rows = tf.where(tf.strings.regex_full_match(text, self._any_word))
            some = tf.gather_nd(text, rows)
            for pattern, rewrite in self._words:
                some = tf.strings.regex_replace(some, pattern, rewrite)
            text = tf.tensor_scatter_nd_update(text, rows, some)
        text = tf.strings.lower(text, encoding="utf-8")
        text = tf.strings.regex_replace(text, APOSTROPHES, "")
        text = tf.strings.regex_replace(text, NOT_WORDS_BUT_A_SPACE, " ")
        return tf.strings.strip(text)

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        return input_shape

    def get_config(self) -> dict[str, object]:
        config = super().get_config()
        config.update(emoji_words=self.emoji_words, emoticon_words=self.emoticon_words)
        return config


def normalize(texts: list[str]) -> list[str]:
    """Apply ``ChatNormalize`` eagerly to Python strings (for data preparation and tests)."""
    out = ChatNormalize()(tf.constant([prepare(t, 10**9)[0] for t in texts]))
    return [value.decode("utf-8") for value in out.numpy().tolist()]
