"""Calibration of a three-class network on chat: matrix scaling of its log-probabilities.

A three-class network learns negative and positive from a great many reviews and neutral only
from the chat rows, so its raw classes lean polar, and its neutral probability is the least
reliable part. ``ClassCalibration`` is the last layer of a three-class model: the neutral
probability becomes that of ``softmax(W @ log(p) + b)`` (identity until fitted) and the rest is
shared between negative and positive as the network shares it. After training,
``fit_class_calibration`` fits ``W`` (3x3) and ``b`` by multinomial logistic regression (a
little L2 towards the identity; every class weighs the same) on held-out chat rows, never the
choosing split (matrix
scaling, Guo et al. 2017, "On Calibration of Modern Neural Networks"). The label is the most
probable output class; the score stays ``P(positive) + P(neutral) / 2``.
"""

from __future__ import annotations

import logging

import keras
import numpy as np

logger = logging.getLogger(__name__)

_EPS = 1e-6


@keras.saving.register_keras_serializable(package="sentibot")
class ClassCalibration(keras.layers.Layer):
    """Calibrated neutral, the network's polarity.

    ``c = softmax(log(p) @ W.T + b)`` with fixed (non-trained) ``W`` and ``b``; the output is
    ``(1 - c_neu) * p_neg / (p_neg + p_pos), c_neu, (1 - c_neu) * p_pos / (p_neg + p_pos)``.
    So the neutral probability is the calibrated one, while which side a polar message is on
    (and so the score's side of 0.5 and the review accuracy) stays the network's own: a message
    labelled positive always scores above 0.5, a negative one below.
    """

    def __init__(self, units: int = 3, **kwargs: object) -> None:
        kwargs.setdefault("trainable", False)
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        self.kernel = self.add_weight(
            name="kernel", shape=(self.units, self.units), initializer="identity",
            trainable=False,
        )  # fmt: skip
        self.bias = self.add_weight(
            name="bias", shape=(self.units,), initializer="zeros", trainable=False
        )
        self.built = True

    def call(self, inputs: keras.KerasTensor) -> keras.KerasTensor:
        logp = keras.ops.log(keras.ops.clip(inputs, _EPS, 1.0))
        logits = keras.ops.matmul(logp, keras.ops.transpose(self.kernel)) + self.bias
        neutral = keras.ops.softmax(logits)[:, 1:2]
        # The calibrated neutral share; the rest is split as the network splits it.
        negative, positive = inputs[:, 0:1], inputs[:, 2:3]
        polar = keras.ops.maximum(negative + positive, _EPS)
        rest = 1.0 - neutral
        return keras.ops.concatenate(
            [rest * negative / polar, neutral, rest * positive / polar], axis=-1
        )

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        return input_shape

    def get_config(self) -> dict[str, object]:
        config = super().get_config()
        config.update(units=self.units)
        return config


def fit_class_calibration(
    probs: np.ndarray,
    labels: np.ndarray,
    l2: float = 1e-3,
    steps: int = 3000,
    rate: float = 0.1,
    balanced: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Fit matrix scaling on held-out rows: returns ``(W, b)``, shapes ``(3, 3)`` and ``(3,)``.

    Minimises the cross-entropy of ``softmax(log(probs) @ W.T + b)`` on ``labels`` (0/1/2),
    with every class weighing the same in total when ``balanced`` (the goal is macro-F1, which
    counts each class equally), plus ``l2 * |W - I|^2`` (convex), by gradient descent with Adam
    steps.
    """
    x = np.log(np.clip(np.asarray(probs, np.float64), _EPS, 1.0))
    codes = np.asarray(labels, dtype=int)
    y = np.eye(3)[codes]
    counts = np.bincount(codes, minlength=3).astype(np.float64)
    weights = (1.0 / np.maximum(counts, 1.0))[codes] if balanced else np.ones(len(codes))
    weights = weights / weights.sum()
    w, b = np.eye(3), np.zeros(3)
    params = [w, b]
    m = [np.zeros_like(w), np.zeros_like(b)]
    v = [np.zeros_like(w), np.zeros_like(b)]
    for step in range(1, steps + 1):
        z = x @ w.T + b
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        r = (p - y) * weights[:, None]
        grads = [r.T @ x + 2 * l2 * (w - np.eye(3)), r.sum(axis=0)]
        for i, g in enumerate(grads):
            m[i] = 0.9 * m[i] + 0.1 * g
            v[i] = 0.999 * v[i] + 0.001 * g * g
            scale = np.sqrt(v[i] / (1 - 0.999**step)) + 1e-8
            params[i] -= rate * (m[i] / (1 - 0.9**step)) / scale
    return w, b


def calibration_layer(model: keras.Model) -> ClassCalibration | None:
    """The model's ``ClassCalibration`` layer, if it has one."""
    return next((lay for lay in model.layers if isinstance(lay, ClassCalibration)), None)


def calibrate_classes(model: keras.Model, probs: np.ndarray, labels: np.ndarray) -> dict:
    """Fit and set the model's class calibration from held-out rows; returns it for metadata.

    ``probs`` are the model's outputs with the identity calibration (as trained).

    Raises
    ------
    ValueError
        When the model has no ``ClassCalibration`` layer.
    """
    layer = calibration_layer(model)
    if layer is None:
        raise ValueError("the model has no ClassCalibration layer")
    w, b = fit_class_calibration(probs, labels)
    layer.kernel.assign(w.astype("float32"))
    layer.bias.assign(b.astype("float32"))
    logger.info("class calibration fitted on %d chat rows: W %s b %s", len(labels), w.round(3),
                b.round(3))  # fmt: skip
    return {
        "method": "matrix_scaling",
        "class_balanced": True,
        "W": w.round(5).tolist(),
        "b": b.round(5).tolist(),
        "n": int(len(labels)),
    }
