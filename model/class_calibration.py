"""Calibration of a three-class network on chat: matrix scaling of its log-probabilities.

A three-class network learns negative and positive from a great many reviews and neutral only
from the chat rows, so its raw classes lean polar, and its neutral probability is the least
reliable part. ``ClassCalibration`` is the last layer of a three-class model: the neutral
probability becomes that of ``softmax(W @ log(p) + b)`` (identity until fitted) and the rest is
shared between negative and positive as the network shares it. After training,
``fit_class_calibration`` fits ``W`` (3x3) and ``b`` by multinomial logistic regression (a
little L2 towards the identity; every class weighs the same; Newton's method) on held-out chat
rows, never the choosing split (matrix scaling, Guo et al. 2017, "On Calibration of Modern
Neural Networks"). The label is the most probable output class; the score stays
``P(positive) + P(neutral) / 2``.
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
    balanced: bool = True,
    iterations: int = 100,
) -> tuple[np.ndarray, np.ndarray]:
    """Fit matrix scaling on held-out rows: returns ``(W, b)``, shapes ``(3, 3)`` and ``(3,)``.

    Minimises the cross-entropy of ``softmax(log(probs) @ W.T + b)`` on ``labels`` (0/1/2),
    with every class weighing the same in total when ``balanced`` (the goal is macro-F1, which
    counts each class equally), plus ``l2 * |W - I|^2``. The problem is convex with 12
    parameters, so Newton's method with a backtracking line search solves it to its optimum in a
    few iterations (at most ``iterations``), from the identity. (Adam steps used before stopped
    short of the optimum on confident networks, and the labels moved with where they stopped.)
    """
    x = np.log(np.clip(np.asarray(probs, np.float64), _EPS, 1.0))
    features = np.hstack([x, np.ones((len(x), 1))])  # (n, 4): log-probabilities and the bias
    codes = np.asarray(labels, dtype=int)
    y = np.eye(3)[codes]
    counts = np.bincount(codes, minlength=3).astype(np.float64)
    weights = (1.0 / np.maximum(counts, 1.0))[codes] if balanced else np.ones(len(codes))
    weights = weights / weights.sum()
    identity = np.hstack([np.eye(3), np.zeros((3, 1))])
    penalised = np.hstack([np.ones((3, 3)), np.zeros((3, 1))])  # W is pulled to I, b is free

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        z = features @ theta.T
        logq = z - z.max(axis=1, keepdims=True)
        logq -= np.log(np.exp(logq).sum(axis=1, keepdims=True))
        value = -(weights * (y * logq).sum(axis=1)).sum()
        return value + l2 * float((((theta - identity) * penalised) ** 2).sum()), np.exp(logq)

    theta = identity.copy()
    value, q = objective(theta)
    for _ in range(iterations):
        grad = ((q - y) * weights[:, None]).T @ features + 2 * l2 * (theta - identity) * penalised
        # Hessian over (class, feature) pairs: sum_i w_i (diag(q_i) - q_i q_i^T) x x^T
        mixing = np.einsum("i,ia,ab->iab", weights, q, np.eye(3)) - np.einsum(
            "i,ia,ib->iab", weights, q, q
        )
        hessian = np.einsum("iab,ij,ik->ajbk", mixing, features, features).reshape(12, 12)
        hessian += np.diag(2 * l2 * penalised.ravel()) + 1e-9 * np.eye(12)
        step = np.linalg.solve(hessian, grad.ravel()).reshape(3, 4)
        slope = float((grad * step).sum())
        if slope < 1e-14:
            break
        size = 1.0
        while size > 1e-8:
            candidate, candidate_q = objective(theta - size * step)
            if candidate <= value - 1e-4 * size * slope:
                break
            size /= 2
        else:
            break
        theta, value, q = theta - size * step, candidate, candidate_q
    return theta[:, :3].copy(), theta[:, 3].copy()


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
