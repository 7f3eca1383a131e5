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


def label_for(score: float, neutral_low: float, neutral_high: float) -> Label:
    """Map a probability to a label using the neutral band ``[neutral_low, neutral_high]``."""
    if score < neutral_low:
        return Label.NEGATIVE
    if score > neutral_high:
        return Label.POSITIVE
    return Label.NEUTRAL
