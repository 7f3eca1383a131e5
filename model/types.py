"""Plain value types the model package hands to the rest of sentibot."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Label(StrEnum):
    """The label of a score. ``UNSCORED`` carries no score (empty text, unknown language)."""

    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"
    UNSCORED = "unscored"


# The one list of class names, index = integer label, used by every split and every report.
CLASS_NAMES: tuple[str, str] = ("negative", "positive")


@dataclass(frozen=True, slots=True)
class Score:
    """The result of scoring one text.

    Attributes
    ----------
    score
        Probability of positive sentiment in ``[0, 1]``; ``None`` when unscored.
    label
        ``negative`` / ``neutral`` / ``positive`` from the configured band, or ``unscored``.
    model_version
        The version of the model that produced the score.
    reason
        Why a text is unscored (``"empty"``, ``"language:fr"``...), or a note such as
        ``"truncated"``; ``None`` otherwise.
    """

    score: float | None
    label: Label
    model_version: str
    reason: str | None = None


_NEW = Score.__new__
# The slots' member descriptors: setting through them skips the frozen ``__setattr__`` check.
_SET_SCORE, _SET_LABEL, _SET_VERSION, _SET_REASON = (
    vars(Score)[name].__set__ for name in ("score", "label", "model_version", "reason")
)


def scores_of(values: list[float], labels: list[Label], model_version: str) -> list[Score]:
    """``[Score(v, label, model_version) for ...]``, built about three times faster.

    A batch of 256 scores is made for every model call; the frozen dataclass's ``__init__``
    (four ``object.__setattr__`` calls each) was a tenth of the batch's time. The objects are
    the same: equal to, and indistinguishable from, ones made by ``Score(...)``.
    """
    out: list[Score] = []
    append = out.append
    for value, label in zip(values, labels, strict=True):
        score = _NEW(Score)
        _SET_SCORE(score, value)
        _SET_LABEL(score, label)
        _SET_VERSION(score, model_version)
        _SET_REASON(score, None)
        append(score)
    return out


def label_for(score: float, neutral_low: float, neutral_high: float) -> Label:
    """Map a probability to a label using the neutral band ``[neutral_low, neutral_high]``."""
    if score < neutral_low:
        return Label.NEGATIVE
    if score > neutral_high:
        return Label.POSITIVE
    return Label.NEUTRAL
