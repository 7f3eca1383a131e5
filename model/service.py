"""The scoring service: raw chat text in, calibrated ``Score`` out, fast and thread-safe.

One compiled call (built by ``model.serving_graph``) runs the whole batch: ``ChatNormalize``
and the rest of the network, returning the scores, the normalised text and, for a three-class
model, each text's class (the label; a binary model's label comes from the neutral band). The
normalised text tells which messages have no words left (only a link or a mention) and feeds
the language check; nothing is normalised twice.

``swap`` prepares the new model completely (loaded, traced, warmed up) before replacing the
serving pair under a lock, so every batch is scored by exactly one model.
"""

from __future__ import annotations

import logging
import operator
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import tensorflow as tf

from model.artifact import Artifact, load_artifact
from model.calibration import apply_calibration
from model.config import ScoringConfig
from model.heads import band_classes
from model.language import LanguageFilter
from model.serving_graph import (
    SHARD_MIN,
    ConcreteFunction,
    Normalised,
    compile_calls,
    decode,
    english_flag,
    shard_count,
    vocabulary,
)
from model.text import CONTROL_CHARS, prepare
from model.types import Label, Score, scores_of

__all__ = ["SHARD_MIN", "Normalised", "Scorer"]

logger = logging.getLogger(__name__)

_LABELS = (Label.NEGATIVE, Label.NEUTRAL, Label.POSITIVE)


@dataclass(frozen=True)
class _Serving:
    artifact: Artifact
    call: ConcreteFunction
    call_sharded: ConcreteFunction
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
        self.shards = shard_count()
        self._lock = threading.Lock()
        self._serving = self._prepare(artifact)

    @classmethod
    def from_directory(cls, directory: Path | str, scoring: ScoringConfig | None = None) -> Scorer:
        """Load the model in ``directory`` and serve it (raises ``ModelLoadError``)."""
        return cls(load_artifact(directory), scoring)

    def _prepare(self, artifact: Artifact) -> _Serving:
        calibration = artifact.metadata.get("calibration") or None
        apply_calibration(np.array([0.5]), calibration)  # reject an unknown method now
        known = vocabulary(artifact.model)
        english = english_flag(known, self.languages.languages)
        call, call_sharded = compile_calls(artifact.model, self.shards, english)
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
        probs, normalised, plain, classes = call(tf.constant(list(texts), tf.string))
        words.extend(decode(normalised.numpy().tolist()))
        words.plain = plain.numpy()
        words.classes = classes.numpy()
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
        blank: set[int] = set()
        if "" in prepared or any(map(str.isspace, prepared)):
            blank = {i for i, text in enumerate(prepared) if not text or text.isspace()}
        todo = [i for i in range(len(prepared)) if i not in blank] if blank else None
        probs, words, version = self.probabilities(
            prepared if todo is None else [prepared[i] for i in todo]
        )
        classes = getattr(words, "classes", None)
        if classes is not None and len(classes) and classes[0] >= 0:
            codes = classes  # a three-class model: the label is its most probable class
        else:
            codes = band_classes(probs, self.scoring.neutral_low, self.scoring.neutral_high)
        scores = scores_of(probs.tolist(), list(map(_LABELS.__getitem__, codes.tolist())), version)
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

    A batch that ``prepare`` would return unchanged (no control characters or invalid
    surrogates, already NFC, none too long) is checked as one joined string and returned as it
    is, without a Python call per text. Otherwise only the texts that are not plain printable
    ASCII within ``max_chars`` (which ``prepare`` returns as they are) go through ``prepare``.
    """
    if set(map(type, texts)) - {str}:
        for index, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"text {index} must be str, not {type(text).__name__}")
    joined = " ".join(texts)  # a space neither combines nor is a control character
    longest = max(map(len, texts), default=0)
    if longest <= max_chars and _unchanged(joined):
        return list(texts), []
    plain = map(operator.and_, map(str.isascii, texts), map(str.isprintable, texts))
    if longest > max_chars:
        plain = map(operator.and_, plain, (len(text) <= max_chars for text in texts))
    out, truncated = list(texts), []
    for index in [i for i, ok in enumerate(plain) if not ok]:
        out[index], cut = prepare(texts[index], max_chars)
        if cut:
            truncated.append(index)
    return out, truncated


def _unchanged(joined: str) -> bool:
    """Whether ``prepare`` leaves every text of ``joined`` as it is (length aside)."""
    if not joined.isprintable() and CONTROL_CHARS.search(joined) is not None:
        return False  # (tabs, newlines and emoji joiners are not printable, yet kept)
    if joined.isascii():
        return True
    try:
        joined.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return False
    return unicodedata.is_normalized("NFC", joined)
