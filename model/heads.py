"""The two output heads of the networks and how their outputs become a score and a label.

- ``binary``: one sigmoid unit, ``P(positive)``. The label comes from the neutral band
  (``[scoring] neutral_low/high``) around 0.5. Training rows labelled neutral get the target 0.5.
- ``three_class``: a softmax over (negative, neutral, positive). The score stays on 0..1 as
  ``P(positive) + P(neutral) / 2`` (so 0.5 still means "balanced" and binary accuracy at 0.5 is
  ``P(positive) > P(negative)``); the label is the most probable class.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

Head = Literal["binary", "three_class"]
HEADS: tuple[Head, ...] = ("binary", "three_class")


def units(head: Head) -> int:
    """Output units of ``head``."""
    return 3 if head == "three_class" else 1


def scores(outputs: np.ndarray) -> np.ndarray:
    """Model outputs, shape ``(n, 1)`` or ``(n, 3)``, to scores on 0..1, shape ``(n,)``."""
    outputs = np.asarray(outputs, dtype=np.float32)
    if outputs.ndim == 2 and outputs.shape[1] == 3:
        return outputs[:, 2] + 0.5 * outputs[:, 1]
    return outputs.reshape(-1)


def classes(outputs: np.ndarray) -> np.ndarray | None:
    """Model outputs to class codes 0/1/2 (negative/neutral/positive); ``None`` for binary."""
    outputs = np.asarray(outputs)
    if outputs.ndim == 2 and outputs.shape[1] == 3:
        return np.argmax(outputs, axis=1).astype(np.int64)
    return None


def band_classes(probs: np.ndarray, low: float, high: float) -> np.ndarray:
    """Class codes from a score and the neutral band ``[low, high]`` (binary head)."""
    probs = np.asarray(probs)
    codes = np.where(probs < low, 0, 1)
    codes[probs > high] = 2
    return codes.astype(np.int64)
