"""A scorer for tests that need scores but not TensorFlow.

``FakeScorer`` has the surface of ``model.service.Scorer`` (``version``, ``score_many``,
``swap``) and scores by keyword, deterministically:

- empty or whitespace-only text -> unscored, reason ``"empty"``;
- text starting with ``"bonjour"`` -> unscored, reason ``"language:fr"`` (to test the
  unscored path of other languages);
- otherwise the mean of the keyword scores of its words (``good``/``great``/``love`` 0.9,
  ``bad``/``awful``/``terrible`` 0.1), 0.5 when it has none; labels from the neutral band.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from model.config import ScoringConfig
from model.types import Label, Score, label_for

KEYWORDS: dict[str, float] = {
    "good": 0.9,
    "great": 0.9,
    "love": 0.9,
    "excellent": 0.9,
    "bad": 0.1,
    "awful": 0.1,
    "terrible": 0.1,
    "hate": 0.1,
}


class FakeScorer:
    """Deterministic keyword scorer with the ``Scorer`` interface.

    Parameters
    ----------
    scoring
        Neutral band and ``max_chars`` (defaults when omitted).
    version
        The model version reported in every score.
    fail_with
        When set, ``score_many`` raises this exception (to test error paths).
    """

    def __init__(
        self,
        scoring: ScoringConfig | None = None,
        version: str = "fake-1",
        fail_with: BaseException | None = None,
    ) -> None:
        self.scoring = scoring or ScoringConfig()
        self._version = version
        self.fail_with = fail_with
        self.calls: list[list[str]] = []  # every batch received, in order
        self._lock = threading.Lock()

    @property
    def version(self) -> str:
        """The version of the model currently serving."""
        return self._version

    def swap(self, artifact: object) -> None:
        """Serve a new "model": a version string or anything with a ``version`` attribute."""
        with self._lock:
            self._version = artifact if isinstance(artifact, str) else artifact.version

    def score_many(self, texts: Sequence[str]) -> list[Score]:
        """Score a batch of texts by keyword."""
        with self._lock:
            self.calls.append(list(texts))
            if self.fail_with is not None:
                raise self.fail_with
            version = self._version
            return [self._score(text, version) for text in texts]

    def _score(self, text: str, version: str) -> Score:
        if not isinstance(text, str):
            raise TypeError(f"text must be str, not {type(text).__name__}")
        words = text.lower().split()
        if not words:
            return Score(None, Label.UNSCORED, version, "empty")
        if words[0] == "bonjour":
            return Score(None, Label.UNSCORED, version, "language:fr")
        hits = [KEYWORDS[w.strip(".,!?")] for w in words if w.strip(".,!?") in KEYWORDS]
        value = sum(hits) / len(hits) if hits else 0.5
        label = label_for(value, self.scoring.neutral_low, self.scoring.neutral_high)
        reason = "truncated" if len(text) > self.scoring.max_chars else None
        return Score(value, label, version, reason)


def label_of(score: float | None) -> str:
    """The label the product gives ``score`` with the default neutral band (``[scoring]``)."""
    if score is None:
        return str(Label.UNSCORED)
    defaults = ScoringConfig()
    return str(label_for(score, defaults.neutral_low, defaults.neutral_high))
