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
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tensorflow as tf

from model.artifact import Artifact, load_artifact
from model.calibration import apply_calibration
from model.config import ScoringConfig
from model.language import LanguageFilter
from model.rules import score_texts
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
from model.types import Score

__all__ = ["SHARD_MIN", "Normalised", "Scorer"]

logger = logging.getLogger(__name__)


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

        The rules (empty text, no words, other languages, band, truncation) are
        ``model.rules.score_texts``, shared with ``model.remote.RemoteScorer``.

        Raises
        ------
        TypeError
            When an item is not a ``str`` (naming its position).
        """
        return score_texts(self, texts)
