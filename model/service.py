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
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from model.artifact import Artifact, load_artifact
from model.calibration import apply_calibration
from model.config import ScoringConfig
from model.language import LanguageFilter
from model.text import ChatNormalize, prepare
from model.types import Label, Score, label_for

logger = logging.getLogger(__name__)

_SIGNATURE = [tf.TensorSpec([None], tf.string)]


def _compile(network: keras.Model) -> tf.types.experimental.ConcreteFunction:
    """Build the compiled ``strings -> (probabilities, normalised strings)`` call."""
    normalize = next((lay for lay in network.layers if isinstance(lay, ChatNormalize)), None)
    if normalize is None:
        raise ValueError("the model has no ChatNormalize layer; it must take raw strings")
    try:  # the network after ChatNormalize, so the text is normalised only once
        tail = keras.Model(normalize.output, network.output)
    except Exception:  # not a functional graph we can cut
        tail = None

    @tf.function(input_signature=_SIGNATURE, reduce_retracing=True)
    def serve(texts: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        words = normalize(texts)
        probs = tail(words, training=False) if tail is not None else network(texts)
        return tf.reshape(tf.cast(probs, tf.float32), [-1]), words

    concrete = serve.get_concrete_function()  # called directly: no per-call dispatch
    concrete(tf.constant(["warm up", ""]))  # run once now, not on the first request
    return concrete


@dataclass(frozen=True)
class _Serving:
    artifact: Artifact
    call: tf.types.experimental.ConcreteFunction
    calibration: dict | None


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
        self._lock = threading.Lock()
        self._serving = self._prepare(artifact)

    @classmethod
    def from_directory(cls, directory: Path | str, scoring: ScoringConfig | None = None) -> Scorer:
        """Load the model in ``directory`` and serve it (raises ``ModelLoadError``)."""
        return cls(load_artifact(directory), scoring)

    @staticmethod
    def _prepare(artifact: Artifact) -> _Serving:
        calibration = artifact.metadata.get("calibration") or None
        apply_calibration(np.array([0.5]), calibration)  # reject an unknown method now
        return _Serving(artifact, _compile(artifact.model), calibration)

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

    def probabilities(self, texts: Sequence[str]) -> tuple[np.ndarray, list[str], str]:
        """Calibrated probabilities of already prepared texts, in one compiled call.

        Returns
        -------
        tuple
            ``(probabilities, normalised texts, model version)``.
        """
        with self._lock:
            serving = self._serving
        if not texts:
            return np.zeros(0, np.float32), [], serving.artifact.version
        probs, words = serving.call(tf.constant(list(texts), tf.string))
        calibrated = apply_calibration(probs.numpy(), serving.calibration)
        normalised = [w.decode("utf-8", "replace") for w in words.numpy().tolist()]
        return calibrated, normalised, serving.artifact.version

    def score_many(self, texts: Sequence[str]) -> list[Score]:
        """Score a batch of raw texts; the whole batch is scored by one model.

        Raises
        ------
        TypeError
            When an item is not a ``str`` (naming its position).
        """
        for index, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"text {index} must be str, not {type(text).__name__}")
        max_chars = self.scoring.max_chars
        prepared = [prepare(text, max_chars) for text in texts]
        todo = [i for i, (text, _) in enumerate(prepared) if text.strip()]
        probs, words, version = self.probabilities([prepared[i][0] for i in todo])
        results = [Score(None, Label.UNSCORED, version, "empty")] * len(texts)
        low, high = self.scoring.neutral_low, self.scoring.neutral_high
        check = self.languages.enabled
        for i, prob, normalised in zip(todo, probs.tolist(), words, strict=True):
            if not normalised:
                results[i] = Score(None, Label.UNSCORED, version, "no words")
                continue
            foreign = self.languages.foreign_language(normalised) if check else None
            if foreign is not None:
                results[i] = Score(None, Label.UNSCORED, version, f"language:{foreign}")
                continue
            results[i] = Score(
                prob, label_for(prob, low, high), version, "truncated" if prepared[i][1] else None
            )
        return results
