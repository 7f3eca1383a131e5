"""``NumpyScorer``: the saved model run by this runtime, with the rules every scorer shares.

It has the surface of ``model.service.Scorer`` and ``model.remote.RemoteScorer`` (``scoring``,
``languages``, ``version``, ``probabilities``, ``score_many``, ``swap``) and computes what the
exported serving signature returns (``model.export``): the score ``P(positive) + P(neutral)
/ 2`` of a three-class model (the probability of a binary one) after the Platt calibration in
the metadata, the class of a three-class model, the normalised words and the vocabulary for
the language gate. The rules (empty, no words, language, band, truncation) are
``model.rules.score_texts``, as for the other scorers.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from model.calibration import apply_calibration
from model.config import ScoringConfig
from model.language import LanguageFilter
from model.normalised import Normalised
from model.numpy_runtime.files import MODEL_FILE, ModelArchive, UnsupportedModel, read_metadata
from model.numpy_runtime.graph import Graph
from model.rules import score_texts
from model.types import Score

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NumpyModel:
    """A model directory loaded by this runtime.

    Attributes
    ----------
    normalize
        The model's ``ChatNormalize`` step (raw strings to words).
    rest
        The rest of the graph (words to class probabilities or ``P(positive)``).
    known_words
        The single words of its ``TextVectorization`` vocabularies, as
        ``model.serving_graph.vocabulary`` lists them.
    """

    version: str
    metadata: dict[str, Any]
    directory: Path
    graph: Graph
    known_words: frozenset[str]

    def outputs(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """The serving signature's ``probability``, ``classes`` and ``words`` for ``texts``."""
        probs, words = self.graph.run_with_words(list(texts))
        probs = np.asarray(probs, np.float32)
        if probs.ndim == 2 and probs.shape[-1] == 3:
            scores = probs[:, 2] + np.float32(0.5) * probs[:, 1]
            classes = probs.argmax(axis=1).astype(np.int64)
        else:
            scores = probs.reshape(-1)
            classes = np.full(len(scores), -1, np.int64)
        calibrated = apply_calibration(scores, self.metadata.get("calibration") or None)
        return calibrated, classes, words


def load_model(directory: Path | str) -> NumpyModel:
    """Load a model directory without TensorFlow.

    Raises
    ------
    UnsupportedModel
        When the files cannot be read, or a layer, setting or calibration is not one this
        runtime computes (the model then runs in TensorFlow).
    """
    directory = Path(directory)
    metadata = read_metadata(directory)
    try:
        apply_calibration(np.array([0.5]), metadata.get("calibration") or None)
    except ValueError as exc:
        raise UnsupportedModel(str(exc)) from None
    archive = ModelArchive(directory / MODEL_FILE)
    try:
        graph = Graph(archive.config, archive)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise UnsupportedModel(f"unexpected config.json ({type(exc).__name__}: {exc})") from None
    finally:
        archive.close()
    words = {t for vocabulary in graph.vocabularies for t in vocabulary if t and " " not in t}
    words.discard("[UNK]")
    return NumpyModel(str(metadata["version"]), metadata, directory, graph, frozenset(words))


class NumpyScorer:
    """Score chat messages with a saved model in NumPy and Python: no TensorFlow.

    Parameters
    ----------
    model
        The loaded model (``load_model``).
    scoring
        Neutral band, ``max_chars`` and accepted languages.
    """

    tensorflow_free = True  # what the bot checks before it follows new versions by their files

    def __init__(self, model: NumpyModel, scoring: ScoringConfig | None = None) -> None:
        self.scoring = scoring or ScoringConfig()
        self.languages = LanguageFilter.from_config(self.scoring)
        self._lock = threading.Lock()
        self._model = model

    @classmethod
    def from_directory(
        cls, directory: Path | str, scoring: ScoringConfig | None = None
    ) -> NumpyScorer:
        """Load ``directory`` (raises ``UnsupportedModel``) and serve it."""
        return cls(load_model(directory), scoring)

    @property
    def version(self) -> str:
        """The version of the model serving now."""
        return self._model.version

    def swap(self, artifact: object) -> None:
        """Serve the model in ``artifact.directory`` (an ``Artifact`` or ``ModelFiles``).

        Raises
        ------
        UnsupportedModel
            When this runtime cannot compute the new model (the old one keeps serving).
        """
        model = load_model(Path(getattr(artifact, "directory")))  # noqa: B009
        with self._lock:
            old, self._model = self._model, model
        logger.info("model swapped: %s -> %s", old.version, model.version)

    def probabilities(self, texts: Sequence[str]) -> tuple[np.ndarray, Normalised, str]:
        """Calibrated probabilities of prepared texts, their normalised words and the version."""
        with self._lock:
            model = self._model
        words = Normalised()
        words.known_words = model.known_words
        if not texts:
            return np.zeros(0, np.float32), words, model.version
        probs, classes, normalised = model.outputs(texts)
        words.extend(normalised)
        words.classes = classes
        return probs, words, model.version

    def score_many(self, texts: Sequence[str]) -> list[Score]:
        """Score a batch of raw texts (``model.rules.score_texts``).

        Raises
        ------
        TypeError
            When an item is not a ``str`` (naming its position).
        """
        return score_texts(self, texts)
