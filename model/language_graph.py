"""The language gate's quick English test as TensorFlow ops (``model.language`` is TF-free).

``english_graph_check`` runs inside the compiled serving call (``model.serving_graph``), so a
batch of plain English chat skips the Python gate; ``known_count_graph`` counts each text's
words in the model's vocabulary, the figure the gate reads (``KNOWN_SHARE``), for the
SavedModel export, so a bot scoring through TF Serving applies the same gate without the
vocabulary.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

import tensorflow as tf

from model.language import ENGLISH_WORDS, KNOWN_SHARE


def english_graph_check(known_words: Collection[str] = ()) -> Callable[[tf.Tensor], tf.Tensor]:
    """The gate's quick English test as TensorFlow ops, for a whole batch in a compiled call.

    Parameters
    ----------
    known_words
        The English model's vocabulary (see ``LanguageFilter.foreign_language``).

    Returns
    -------
    callable
        Normalised texts (``tf.string``, shape ``(n,)``) to a ``bool`` tensor: ``True`` where
        the text is ASCII and passes ``_looks_english`` or ``_mostly_known``, so that
        ``foreign_language(text, known_words)`` is ``None`` for an ``"en"`` filter without
        running it. ``False`` decides nothing: those texts go through ``foreign_language``.
    """
    # One lookup per word: bit 1 = a common English word, bit 2 = a word the model knows.
    flags = {word: 1 for word in ENGLISH_WORDS}
    for word in known_words:
        flags[word] = flags.get(word, 0) | 2
    keys = tf.constant(sorted(flags), tf.string)
    values = tf.constant([flags[key] for key in sorted(flags)], tf.int32)
    table = tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer(keys, values), 0)

    def check(words: tf.Tensor) -> tf.Tensor:
        tokens = tf.strings.split(words)
        count = tf.cast(tokens.row_lengths(), tf.float64)
        found = tf.ragged.map_flat_values(table.lookup, tokens)

        def hits(bit: int) -> tf.Tensor:
            return tf.cast(
                tf.reduce_sum(tf.bitwise.bitwise_and(found, bit), axis=1) // bit, tf.float64
            )

        common_hits = hits(1)
        english = tf.where(count < 6, common_hits * 2 >= count, common_hits * 3 >= count)
        if known_words:
            english |= hits(2) >= KNOWN_SHARE * count
        # ASCII: as many bytes as characters (cheaper than a regular expression).
        ascii_only = tf.strings.length(words) == tf.strings.length(words, unit="UTF8_CHAR")
        return english & ascii_only & (count > 0)

    return check


def vocabulary_table(known_words: Collection[str]) -> tf.lookup.StaticHashTable:
    """A lookup table: 1 for a word in ``known_words`` (the model's vocabulary), else 0."""
    keys = sorted(known_words) or [""]
    return tf.lookup.StaticHashTable(
        tf.lookup.KeyValueTensorInitializer(
            tf.constant(keys, tf.string), tf.ones([len(keys)], tf.int32)
        ),
        0,
    )


def known_counts(table: tf.lookup.StaticHashTable, words: tf.Tensor) -> tf.Tensor:
    """How many of each normalised text's words the model knows (``int32``, shape ``(n,)``).

    The same count ``LanguageFilter.foreign_language`` makes with ``known_words``: the texts
    are ``ChatNormalize`` output (lower-case words and single spaces), split on spaces.
    """
    found = tf.ragged.map_flat_values(table.lookup, tf.strings.split(words))
    return tf.reduce_sum(found, axis=1)
