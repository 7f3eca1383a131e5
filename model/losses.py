"""The three-class training loss that lets polar-only rows teach polarity and nothing else.

Reviews, their sentences and the lexicon's words are labelled negative or positive, never
neutral: the label says which side a text is on, not that it is not neutral (IMDB keeps only
reviews rated <= 4 or >= 7, and a plot sentence of a positive review is no praise). Trained as
ordinary three-class rows they teach "never neutral" for every word of the reviews, and the
chat rows, the only ones that can say neutral, have to fight them. With ``[train] polar_rows =
"polarity"`` such a row's loss is the cross-entropy of its side among the two polar classes,
``-log(P(side) / (P(negative) + P(positive)))``, which leaves the neutral probability to the
chat rows; labelled chat rows keep the full cross-entropy.

Targets: 0 / 1 / 2 (negative / neutral / positive, every class known) and ``POLAR_OFFSET`` + 0 /
+ 2 for a polar-only negative / positive row (``polar_targets``).
"""

from __future__ import annotations

import keras
import numpy as np

from model.splits import Split

POLAR_OFFSET = 3
_EPS = 1e-7


def polar_targets(split: Split) -> np.ndarray:
    """Training targets of a three-class ``split``: polar-only rows moved to ``POLAR_OFFSET``."""
    three = split.three_class()
    labels = three.labels.astype("float32")
    return np.where(three.polar_mask(), labels + POLAR_OFFSET, labels).astype("float32")


def _split_targets(y_true: keras.KerasTensor) -> tuple[keras.KerasTensor, keras.KerasTensor]:
    codes = keras.ops.cast(keras.ops.reshape(y_true, (-1,)), "int32")
    polar = codes >= POLAR_OFFSET
    return keras.ops.where(polar, codes - POLAR_OFFSET, codes), polar


def class_codes(y_true: keras.KerasTensor) -> keras.KerasTensor:
    """Targets back to class codes 0 / 1 / 2 (polar-only rows to their side), as float32."""
    return keras.ops.cast(_split_targets(y_true)[0], "float32")


@keras.saving.register_keras_serializable(package="sentibot")
def polarity_aware_crossentropy(
    y_true: keras.KerasTensor, y_pred: keras.KerasTensor
) -> keras.KerasTensor:
    """Cross-entropy over three classes; over the two polar ones for polar-only rows.

    Parameters
    ----------
    y_true
        Targets as ``polar_targets`` makes them, shape ``(n,)`` or ``(n, 1)``.
    y_pred
        Softmax probabilities, shape ``(n, 3)``.
    """
    classes, polar = _split_targets(y_true)
    probs = keras.ops.clip(y_pred, _EPS, 1.0)
    picked = keras.ops.take_along_axis(probs, keras.ops.expand_dims(classes, -1), axis=1)[:, 0]
    sides = probs[:, 0] + probs[:, 2]
    return -keras.ops.log(picked) + keras.ops.where(polar, keras.ops.log(sides), 0.0)


@keras.saving.register_keras_serializable(package="sentibot")
def polarity_aware_accuracy(
    y_true: keras.KerasTensor, y_pred: keras.KerasTensor
) -> keras.KerasTensor:
    """1 for a right row: the most probable class, or for a polar-only row the likelier side."""
    classes, polar = _split_targets(y_true)
    best = keras.ops.cast(keras.ops.argmax(y_pred, axis=-1), "int32")
    side = keras.ops.where(y_pred[:, 2] > y_pred[:, 0], 2, 0)
    right = keras.ops.where(polar, side == classes, best == classes)
    return keras.ops.cast(right, "float32")
