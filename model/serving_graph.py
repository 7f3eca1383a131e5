"""The compiled serving graph behind ``model.service.Scorer``.

One ``tf.function`` with a ``[None]`` string signature, traced once, runs a whole batch:
``ChatNormalize``, the rest of the network and (for an ``"en"`` filter) the in-graph English
check, returning the scores, the normalised text, the per-text English flag and (three-class
models) the class of each text. A
second call splits large batches into parts that TensorFlow runs in parallel.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Collection
from typing import TypeAlias

import keras
import tensorflow as tf

from model.language_graph import english_graph_check
from model.normalised import Normalised, decode
from model.text import ChatNormalize

__all__ = [
    "SHARD_MIN",
    "ConcreteFunction",
    "Normalised",
    "compile_calls",
    "decode",
    "english_flag",
    "scores_and_classes",
    "shard_count",
    "vocabulary",
]

logger = logging.getLogger(__name__)

_SIGNATURE = [tf.TensorSpec([None], tf.string)]
SHARD_MIN = 16  # batches at least this big are split across cores
_MAX_SHARDS = 4

ConcreteFunction: TypeAlias = tf.types.experimental.ConcreteFunction


def shard_count() -> int:
    """How many parts a large batch is split into.

    Returns
    -------
    int
        One per core, at most ``_MAX_SHARDS``.
    """
    return max(1, min(_MAX_SHARDS, os.cpu_count() or 1))


def english_flag(
    known_words: frozenset[str], languages: Collection[str]
) -> Callable[[tf.Tensor], tf.Tensor] | None:
    """The in-graph English check for the compiled call, when English is accepted.

    Parameters
    ----------
    known_words
        The model's vocabulary (see ``vocabulary``).
    languages
        The accepted language codes of the language filter.

    Returns
    -------
    callable or None
        ``model.language.english_graph_check(known_words)`` when ``"en"`` is in
        ``languages``, else ``None`` (the compiled call then flags nothing).
    """
    return english_graph_check(known_words) if "en" in languages else None


def compile_calls(
    network: keras.Model, shards: int, english: Callable[[tf.Tensor], tf.Tensor] | None
) -> tuple[ConcreteFunction, ConcreteFunction]:
    """Build the compiled ``strings -> (probabilities, normalised strings, plain)`` calls.

    Parameters
    ----------
    network
        A Keras model that takes raw strings and holds a ``ChatNormalize`` layer.
    shards
        How many independent parts the sharded call splits a batch into.
    english
        Normalised texts to a ``bool`` tensor (see ``english_flag``); ``plain`` is all
        ``False`` without it.

    Returns
    -------
    tuple
        ``(call, call_sharded)``, each ``texts -> (scores, normalised, plain, classes)`` (see
        ``scores_and_classes``): the plain call and one that splits the batch into
        ``shards`` parts in the same graph, which TensorFlow runs in parallel (its string ops
        use one core each). Both are traced and run once before returning.

    Raises
    ------
    ValueError
        When the model has no ``ChatNormalize`` layer.
    """
    normalize = next((lay for lay in network.layers if isinstance(lay, ChatNormalize)), None)
    if normalize is None:
        raise ValueError("the model has no ChatNormalize layer; it must take raw strings")
    try:  # the network after ChatNormalize, so the text is normalised only once
        tail = keras.Model(normalize.output, network.output)
    except Exception:  # not a functional graph we can cut
        tail = None

    def run(texts: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor]:
        words = normalize(texts)
        probs = tail(words, training=False) if tail is not None else network(texts)
        plain = english(words) if english is not None else tf.zeros_like(words, tf.bool)
        scores, classes = scores_and_classes(probs)
        return scores, words, plain, classes

    @tf.function(input_signature=_SIGNATURE, reduce_retracing=True)
    def serve(texts: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor]:
        return run(texts)

    @tf.function(input_signature=_SIGNATURE, reduce_retracing=True)
    def serve_sharded(texts: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor]:
        n = tf.shape(texts)[0]
        parts = [run(texts[n * i // shards : n * (i + 1) // shards]) for i in range(shards)]
        return tuple(tf.concat(list(outputs), 0) for outputs in zip(*parts, strict=True))

    calls = []
    for function in (serve, serve_sharded):
        concrete = function.get_concrete_function()  # called directly: no per-call dispatch
        concrete(tf.constant(["warm up", ""]))  # run once now, not on the first request
        calls.append(concrete)
    return calls[0], calls[1]


def scores_and_classes(probs: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """In-graph ``model.heads``: outputs ``(n, 1)`` or ``(n, 3)`` to scores and class codes.

    Returns
    -------
    tuple
        ``(scores, classes)``: scores on 0..1 (``P(positive) + P(neutral) / 2`` for three
        classes) and ``int64`` codes 0/1/2 (negative/neutral/positive) of the most probable
        class, or -1 for every text of a binary model (its label comes from the band).
    """
    probs = tf.cast(probs, tf.float32)
    if probs.shape.rank == 2 and probs.shape[-1] == 3:
        return probs[:, 2] + 0.5 * probs[:, 1], tf.argmax(probs, axis=1, output_type=tf.int64)
    scores = tf.reshape(probs, [-1])
    return scores, tf.fill(tf.shape(scores), tf.constant(-1, tf.int64))


def vocabulary(network: keras.Model) -> frozenset[str]:
    """The single words the model's ``TextVectorization`` knows.

    Parameters
    ----------
    network
        The Keras model.

    Returns
    -------
    frozenset of str
        The vocabulary without ``[UNK]`` and multi-word tokens; empty when it has none. Only
        word vectorisers count (split on whitespace), not character n-grams.
    """
    words: set[str] = set()
    for layer in network.layers:
        if (
            isinstance(layer, keras.layers.TextVectorization)
            and layer.get_config().get("split") == "whitespace"
        ):
            words.update(t for t in layer.get_vocabulary() if t and " " not in t)
    words.discard("[UNK]")
    return frozenset(words)
