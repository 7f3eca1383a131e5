"""The text layers: ``ChatNormalize``, ``TextVectorization`` and ``LexiconFeatures``.

``TextVectorization`` splits on whitespace, or into word-bounded character n-grams
(``model.charngrams.CharNgramSplit``, a registered callable in the config).
Text flows between them as a list of Python strings; ``TextVectorization`` hands the numeric
layers a ``SparseRows`` batch (multi-hot or counts), as Keras hands them a sparse tensor.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import repeat
from typing import Any

import numpy as np

from model.numpy_runtime.chat import ChatNormalizer, UnsupportedPattern
from model.numpy_runtime.files import ModelArchive, UnsupportedModel
from model.numpy_runtime.layers import Operation, SparseRows, check_float32, register

# model.lexicon's constants (VADER's); tests/model/test_numpy_runtime.py checks they agree.
NEGATION_SCALAR = -0.74
NEGATION_WINDOW = 3
NORMALIZATION_ALPHA = 15.0
_ASCII_SPACE = re.compile(r"[\t\n\v\f\r ]+")  # what tf.strings.split splits on


def split(text: str) -> list[str]:
    """``tf.strings.split(text)``: the pieces between runs of ASCII whitespace."""
    return text.split() if text.isascii() else [t for t in _ASCII_SPACE.split(text) if t]


def char_ngram_split(low: int, high: int) -> Callable[[str], list[str]]:
    """``model.charngrams.CharNgramSplit(low, high)`` for one text: each word padded with a
    space on each side, cut into its character n-grams of ``low`` to ``high`` characters."""

    def cut(text: str) -> list[str]:
        grams: list[str] = []
        for word in split(text):
            padded = f" {word} "
            for width in range(low, high + 1):
                grams.extend(padded[i : i + width] for i in range(len(padded) - width + 1))
        return grams

    return cut


def _splitter(value: object, name: str) -> Callable[[str], list[str]]:
    """The ``split`` of a ``TextVectorization`` config: ``"whitespace"`` or a known callable."""
    if value == "whitespace":
        return split
    if isinstance(value, dict) and value.get("class_name") == "CharNgramSplit":
        config = value.get("config") or {}
        low, high = config.get("low"), config.get("high")
        if isinstance(low, int) and isinstance(high, int) and 1 <= low <= high:
            return char_ngram_split(low, high)
    raise UnsupportedModel(f"TextVectorization {name!r}: split {str(value)[:80]}")


@register("ChatNormalize")
def _chat_normalize(config: dict[str, Any], archive: ModelArchive, path: str) -> Operation:
    try:
        normalizer = ChatNormalizer(config["emoji_words"], config["emoticon_words"])
    except (KeyError, UnsupportedPattern) as exc:
        raise UnsupportedModel(f"ChatNormalize: {exc}") from None
    return lambda inputs: normalizer(inputs[0])


def _widths(ngrams: object) -> tuple[int, ...]:
    if ngrams is None:
        return (1,)
    if isinstance(ngrams, int):
        return tuple(range(1, ngrams + 1))
    if isinstance(ngrams, list | tuple) and all(isinstance(n, int) for n in ngrams):
        return tuple(ngrams)
    raise UnsupportedModel(f"TextVectorization ngrams={ngrams!r}")


def ngrams(tokens: list[str], widths: tuple[int, ...]) -> list[str]:
    """``tf.strings.ngrams(tokens, widths, separator=" ")`` for one text."""
    if widths == (1,):
        return tokens
    out: list[str] = []
    for width in widths:
        if width == 1:
            out.extend(tokens)
        else:
            out.extend(map(" ".join, zip(*(tokens[k:] for k in range(width)), strict=False)))
    return out


@register("TextVectorization")
def _text_vectorization(config: dict[str, Any], archive: ModelArchive, path: str) -> Operation:
    """Whitespace split, n-grams and a vocabulary lookup into multi-hot or count rows."""
    name = config["name"]
    mode = config.get("output_mode")
    if config.get("standardize") is not None:
        raise UnsupportedModel(f"TextVectorization {name!r}: standardize not supported")
    cut = _splitter(config.get("split"), name)
    if mode not in ("multi_hot", "count") or config.get("output_sequence_length"):
        raise UnsupportedModel(f"TextVectorization {name!r}: output_mode {mode!r}")
    widths = _widths(config.get("ngrams"))
    vocabulary = archive.asset(path, "vocabulary.txt").decode("utf-8").split("\n")
    if vocabulary[0] != "[UNK]" or len(vocabulary) != config.get("vocabulary_size"):
        raise UnsupportedModel(f"TextVectorization {name!r}: unexpected vocabulary layout")
    index = {token: i for i, token in enumerate(vocabulary)}  # [UNK] (0) for anything else
    width = len(vocabulary)
    counts = mode == "count"

    def vectorize(inputs: list[Any]) -> SparseRows:
        indptr, columns, values = [0], [], []
        for text in inputs[0]:
            found = list(map(index.get, ngrams(cut(text), widths), repeat(0)))
            if counts:
                ids, number = np.unique(np.asarray(found, np.int64), return_counts=True)
                columns.extend(ids.tolist())
                values.extend(number.tolist())
            else:
                columns.extend(set(found))
            indptr.append(len(columns))
        return SparseRows(
            np.asarray(indptr, np.int64), np.asarray(columns, np.int64),
            np.asarray(values, np.float32) if counts else None, width,
        )  # fmt: skip

    return vectorize


@register("LexiconFeatures")
def _lexicon(config: dict[str, Any], archive: ModelArchive, path: str) -> Operation:
    """``model.lexicon.LexiconFeatures``: ``[compound, positive, negative]`` per text."""
    check_float32(config)
    valence = dict(zip(config["words"], map(float, config["valences"]), strict=True))
    negators = frozenset(config["negators"])

    def features(inputs: list[Any]) -> np.ndarray:
        texts = inputs[0]
        sums = np.zeros((len(texts), 3), np.float32)
        for row, text in enumerate(texts):
            tokens = split(text)
            values = list(map(valence.get, tokens, repeat(0.0)))
            if not any(values):
                continue
            if not negators.isdisjoint(tokens):
                flips = [t in negators for t in tokens]
                for i in range(len(tokens)):
                    if values[i] and any(flips[max(0, i - NEGATION_WINDOW) : i]):
                        values[i] *= NEGATION_SCALAR
            positive = sum(v for v in values if v > 0)
            negative = sum(v for v in values if v < 0)
            sums[row] = (positive + negative, positive, negative)
        return sums / np.sqrt(sums * sums + np.float32(NORMALIZATION_ALPHA))

    return features
