"""The scoring service: raw chat text in, calibrated ``Score`` out, fast and thread-safe.

One compiled call (``tf.function`` with a ``[None]`` string signature, traced once) runs the
whole batch: ``ChatNormalize`` and the rest of the network, returning the probabilities and
the normalised text. The normalised text tells which messages have no words left (only a
link or a mention) and feeds the language check; nothing is normalised twice.

``swap`` prepares the new model completely (loaded, traced, warmed up) before replacing the
serving pair under a lock, so every batch is scored by exactly one model.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from itertools import repeat
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from model.artifact import Artifact, load_artifact
from model.calibration import apply_calibration
from model.config import ScoringConfig
from model.language import LanguageFilter, english_graph_check
from model.text import ChatNormalize, prepare
from model.types import Label, Score

logger = logging.getLogger(__name__)

_SIGNATURE = [tf.TensorSpec([None], tf.string)]
SHARD_MIN = 16  # batches at least this big are split across cores
_MAX_SHARDS = 4
_LABELS = (Label.NEGATIVE, Label.NEUTRAL, Label.POSITIVE)
# The ASCII part of ``model.text.prepare``'s control characters (tab and newline are kept).
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _shard_count() -> int:
    """How many parts a large batch is split into: one per core, at most ``_MAX_SHARDS``."""
    return max(1, min(_MAX_SHARDS, os.cpu_count() or 1))


def _compile(
    network: keras.Model, shards: int, english: Callable[[tf.Tensor], tf.Tensor] | None
) -> tuple[tf.types.experimental.ConcreteFunction, tf.types.experimental.ConcreteFunction]:
    """Build the compiled ``strings -> (probabilities, normalised strings, plain)`` calls.

    ``plain`` is ``english(normalised)`` (see ``model.language.english_graph_check``), all
    ``False`` without it. Returns the plain call and one that splits the batch into
    ``shards`` independent parts in the same graph, which TensorFlow runs in parallel (its
    string ops use one core each).
    """
    normalize = next((lay for lay in network.layers if isinstance(lay, ChatNormalize)), None)
    if normalize is None:
        raise ValueError("the model has no ChatNormalize layer; it must take raw strings")
    try:  # the network after ChatNormalize, so the text is normalised only once
        tail = keras.Model(normalize.output, network.output)
    except Exception:  # not a functional graph we can cut
        tail = None

    def run(texts: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
        words = normalize(texts)
        probs = tail(words, training=False) if tail is not None else network(texts)
        plain = english(words) if english is not None else tf.zeros_like(words, tf.bool)
        return tf.reshape(tf.cast(probs, tf.float32), [-1]), words, plain

    @tf.function(input_signature=_SIGNATURE, reduce_retracing=True)
    def serve(texts: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
        return run(texts)

    @tf.function(input_signature=_SIGNATURE, reduce_retracing=True)
    def serve_sharded(texts: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
        n = tf.shape(texts)[0]
        parts = [run(texts[n * i // shards : n * (i + 1) // shards]) for i in range(shards)]
        return tuple(tf.concat(list(outputs), 0) for outputs in zip(*parts, strict=True))

    calls = []
    for function in (serve, serve_sharded):
        concrete = function.get_concrete_function()  # called directly: no per-call dispatch
        concrete(tf.constant(["warm up", ""]))  # run once now, not on the first request
        calls.append(concrete)
    return calls[0], calls[1]


def _vocabulary(network: keras.Model) -> frozenset[str]:
    """The single words the model's ``TextVectorization`` knows (empty when it has none)."""
    words: set[str] = set()
    for layer in network.layers:
        if isinstance(layer, keras.layers.TextVectorization):
            words.update(t for t in layer.get_vocabulary() if t and " " not in t)
    words.discard("[UNK]")
    return frozenset(words)


class Normalised(list):
    """The normalised texts of a batch (a ``list`` of ``str``) and what the graph found.

    Attributes
    ----------
    known_words
        The model's vocabulary: the language gate accepts a text made of words the model
        knows without running the language detector on it.
    plain
        Per text, ``True`` when the compiled call already found it English (ASCII, mostly
        common or known words), so the Python language gate can skip it; ``None`` if unknown.
    """

    known_words: frozenset[str] = frozenset()
    plain: np.ndarray | None = None


@dataclass(frozen=True)
class _Serving:
    artifact: Artifact
    call: tf.types.experimental.ConcreteFunction
    call_sharded: tf.types.experimental.ConcreteFunction
    calibration: dict | None
    known_words: frozenset[str]


class Scorer:
    """Score chat messages with a saved model.

    Parameters
    ----------
    artifact
        The loaded model (see ``model.artifact.load_artifact``).
    scoring
        Neutral band, ``max_chars`` and accepted languages.
    language_filter
        Overrides the filter built from ``scoring`` (``languages``, ``language_min_*``).
    """

    def __init__(
        self,
        artifact: Artifact,
        scoring: ScoringConfig | None = None,
        *,
        language_filter: LanguageFilter | None = None,
    ) -> None:
        self.scoring = scoring or ScoringConfig()
        self.languages = language_filter or LanguageFilter.from_config(self.scoring)
        self.languages.warm_up()  # not on the first request
        self.shards = _shard_count()
        self._lock = threading.Lock()
        self._serving = self._prepare(artifact)

    @classmethod
    def from_directory(cls, directory: Path | str, scoring: ScoringConfig | None = None) -> Scorer:
        """Load the model in ``directory`` and serve it (raises ``ModelLoadError``)."""
        return cls(load_artifact(directory), scoring)

    def _prepare(self, artifact: Artifact) -> _Serving:
        calibration = artifact.metadata.get("calibration") or None
        apply_calibration(np.array([0.5]), calibration)  # reject an unknown method now
        known = _vocabulary(artifact.model)
        english = english_graph_check(known) if "en" in self.languages.languages else None
        call, call_sharded = _compile(artifact.model, self.shards, english)
        return _Serving(artifact, call, call_sharded, calibration, known)

    @property
    def version(self) -> str:
        """The version of the model serving now."""
        return self._serving.artifact.version

    @property
    def artifact(self) -> Artifact:
        """The artifact serving now."""
        return self._serving.artifact

    def swap(self, artifact: Artifact) -> None:
        """Serve ``artifact`` from now on; batches already running finish on the old model."""
        serving = self._prepare(artifact)  # slow part, outside the lock
        with self._lock:
            old, self._serving = self._serving, serving
        logger.info("model swapped: %s -> %s", old.artifact.version, artifact.version)

    def probabilities(self, texts: Sequence[str]) -> tuple[np.ndarray, Normalised, str]:
        """Calibrated probabilities of already prepared texts, in one compiled call.

        Batches of ``SHARD_MIN`` texts or more are split across the cores.

        Returns
        -------
        tuple
            ``(probabilities, normalised texts, model version)``.
        """
        with self._lock:
            serving = self._serving
        words = Normalised()
        words.known_words = serving.known_words
        if not texts:
            return np.zeros(0, np.float32), words, serving.artifact.version
        call = serving.call_sharded if len(texts) >= SHARD_MIN else serving.call
        probs, normalised, plain = call(tf.constant(list(texts), tf.string))
        words.extend(_decode(normalised.numpy().tolist()))
        words.plain = plain.numpy()
        calibrated = apply_calibration(probs.numpy(), serving.calibration)
        return calibrated, words, serving.artifact.version

    def score_many(self, texts: Sequence[str]) -> list[Score]:
        """Score a batch of raw texts; the whole batch is scored by one model.

        Raises
        ------
        TypeError
            When an item is not a ``str`` (naming its position).
        """
        prepared, truncated = _prepare_all(texts, self.scoring.max_chars)
        blank = {i for i, text in enumerate(prepared) if not text or text.isspace()}
        todo = [i for i in range(len(prepared)) if i not in blank] if blank else None
        probs, words, version = self.probabilities(
            prepared if todo is None else [prepared[i] for i in todo]
        )
        codes = np.where(probs < self.scoring.neutral_low, 0, 1)
        codes[probs > self.scoring.neutral_high] = 2
        scores = list(
            map(Score, probs.tolist(), map(_LABELS.__getitem__, codes.tolist()), repeat(version))
        )
        check = self.languages.enabled
        known = getattr(words, "known_words", None)
        plain = getattr(words, "plain", None)
        for j in range(len(words)) if plain is None else np.flatnonzero(~plain).tolist():
            normalised = words[j]
            if not normalised:
                scores[j] = Score(None, Label.UNSCORED, version, "no words")
            elif check and (code := self.languages.foreign_language(normalised, known)):
                scores[j] = Score(None, Label.UNSCORED, version, f"language:{code}")
        if todo is not None:
            results = [Score(None, Label.UNSCORED, version, "empty")] * len(prepared)
            for i, score in zip(todo, scores, strict=True):
                results[i] = score
            scores = results
        for i in truncated:
            if scores[i].reason is None:
                scores[i] = replace(scores[i], reason="truncated")
        return scores


def _prepare_all(texts: Sequence[str], max_chars: int) -> tuple[list[str], list[int]]:
    """``prepare`` every text: the texts and the positions of the truncated ones.

    A batch of plain ASCII text with no control characters, none too long, is returned as
    it is (what ``prepare`` would return for each) without a Python call per text.
    """
    if set(map(type, texts)) - {str}:
        for index, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"text {index} must be str, not {type(text).__name__}")
    joined = "\n".join(texts)
    if (
        joined.isascii()
        and _ASCII_CONTROL.search(joined) is None
        and max(map(len, texts), default=0) <= max_chars
    ):
        return list(texts), []
    pairs = [prepare(text, max_chars) for text in texts]
    return [text for text, _ in pairs], [i for i, (_, cut) in enumerate(pairs) if cut]


def _decode(values: list[bytes]) -> list[str]:
    """Decode the normalised texts at once (they hold no newline), else one by one."""
    joined = b"\n".join(values).decode("utf-8", "replace").split("\n")
    if len(joined) == len(values):
        return joined
    return [value.decode("utf-8", "replace") for value in values]
