"""The labelled-text value types every data source returns (no loading code here).

``model.data`` loads the configured sources; ``model.imdb_archive``, ``model.imdb_keras`` and
``model.chat`` build these types. Keeping them in their own module means the loaders never
import ``model.data`` back (no import cycle).

Labels are integers. A *binary* split (``classes == 2``) has 0 = negative, 1 = positive (IMDB);
a *three-class* split (``classes == 3``) has 0 = negative, 1 = neutral, 2 = positive (chat).
``concat`` of binary and three-class splits gives a three-class split (1 -> 2); its rows that
came from a binary split are marked ``polar_only``: their label says which side a text is on,
not that it is not neutral (reviews, their sentences and lexicon words are never labelled
neutral, so they cannot teach neutral).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

# Class names by integer label, per number of classes.
CLASS_NAMES: dict[int, tuple[str, ...]] = {
    2: ("negative", "positive"),
    3: ("negative", "neutral", "positive"),
}


class DataError(Exception):
    """The data set cannot be loaded; the message says why and what to do."""


@dataclass(frozen=True)
class Split:
    """Texts and their integer labels (see the module docstring for the two encodings)."""

    texts: list[str]
    labels: np.ndarray
    classes: int = 2
    # Three-class splits: per row, ``True`` when the label came from a binary source (only the
    # side is known); ``None`` means no such row.
    polar_only: np.ndarray | None = None

    def __post_init__(self) -> None:
        if len(self.texts) != len(self.labels):
            raise ValueError(f"{len(self.texts)} texts but {len(self.labels)} labels")
        if self.polar_only is not None and len(self.polar_only) != len(self.labels):
            raise ValueError("polar_only needs one flag per row")
        if self.classes not in CLASS_NAMES:
            raise ValueError(f"classes must be 2 or 3, got {self.classes}")

    def __len__(self) -> int:
        return len(self.texts)

    def take(self, indices: np.ndarray | list[int]) -> Split:
        """Return the rows at ``indices``."""
        rows = np.asarray(indices, dtype=int)
        polar = None if self.polar_only is None else self.polar_only[rows]
        return Split([self.texts[i] for i in rows], self.labels[rows], self.classes, polar)

    def counts(self) -> tuple[int, ...]:
        """Rows per label: (negatives, positives), or (negatives, neutrals, positives)."""
        return tuple(int(np.sum(self.labels == value)) for value in range(self.classes))

    def three_class(self) -> Split:
        """The same rows with three-class labels (binary 1 = positive becomes 2, polar only)."""
        if self.classes == 3:
            return self
        polar = np.ones(len(self), dtype=bool)
        return Split(list(self.texts), (self.labels * 2).astype(np.int32), 3, polar)

    def polar_mask(self) -> np.ndarray:
        """``polar_only`` as a boolean array (all ``False`` when unset)."""
        if self.polar_only is None:
            return np.zeros(len(self), dtype=bool)
        return np.asarray(self.polar_only, dtype=bool)

    def targets(self) -> np.ndarray:
        """Labels as positive-probability targets in [0, 1]: 0, (0.5 for neutral,) 1."""
        return (self.labels / (self.classes - 1)).astype("float32")


def make_split(texts: list[str], labels: list[int] | np.ndarray, classes: int = 2) -> Split:
    """Build a ``Split`` with labels as ``int32``."""
    return Split(list(texts), np.asarray(labels, dtype=np.int32), classes)


@dataclass(frozen=True)
class Reviews:
    """The train and test splits plus a description of where they came from."""

    train: Split
    test: Split
    source: dict[str, Any] = field(default_factory=dict)


def concat(*splits: Split) -> Split:
    """Concatenate splits in order (three-class if any of them is)."""
    classes = max((split.classes for split in splits), default=2)
    if classes == 3:
        splits = tuple(split.three_class() for split in splits)
    texts = [text for split in splits for text in split.texts]
    labels = np.concatenate([split.labels for split in splits]) if splits else np.zeros(0)
    result = make_split(texts, labels, classes)
    if any(split.polar_only is not None for split in splits):
        polar = np.concatenate([split.polar_mask() for split in splits])
        result = Split(result.texts, result.labels, classes, polar)
    return result
