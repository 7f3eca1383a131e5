"""Calibration of the model's probabilities: Platt scaling on validation predictions.

A network trained on long movie reviews is usually over- or under-confident on other text.
Platt scaling fits ``p' = sigmoid(a * logit(p) + b)`` on held-out predictions by maximum
likelihood; the two numbers are stored in the model's metadata and applied at serving. With
``a = 1, b = 0`` it is the identity, and for ``b = 0`` it is temperature scaling (``T = 1 / a``).
"""

from __future__ import annotations

import logging

import numpy as np

logger = logging.getLogger(__name__)

_EPS = 1e-7
_MAX_ITER = 100
_L2 = 1e-6  # a whisker of regularisation keeps Newton's step defined on separable data


def _logit(probs: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(probs, dtype=np.float64), _EPS, 1.0 - _EPS)
    return np.log(p) - np.log1p(-p)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # overflow-free


def _nll(x: np.ndarray, y: np.ndarray, a: float, b: float) -> float:
    z = a * x + b  # -log-likelihood of a logistic model, computed stably
    return float(np.sum(np.logaddexp(0.0, z) - y * z) + 0.5 * _L2 * (a * a + b * b))


def _check(probs: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    p = np.asarray(probs, dtype=np.float64).reshape(-1)
    y = np.asarray(labels, dtype=np.float64).reshape(-1)
    if p.shape != y.shape:
        raise ValueError(f"probs and labels differ in length: {p.shape[0]} != {y.shape[0]}")
    if p.size == 0:
        raise ValueError("cannot calibrate on an empty set")
    if not np.all(np.isfinite(p)) or np.any((p < 0) | (p > 1)):
        raise ValueError("probabilities must be finite and within [0, 1]")
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("labels must be 0 or 1")
    return p, y


def fit_calibration(probs: np.ndarray, labels: np.ndarray) -> dict:
    """Fit Platt scaling on validation probabilities.

    Parameters
    ----------
    probs
        Predicted probabilities of the positive class, shape ``(n,)`` or ``(n, 1)``.
    labels
        True labels, 0 (negative) or 1 (positive).

    Returns
    -------
    dict
        JSON-serialisable ``{"method": "platt", "a": float, "b": float, "n": int,
        "ece_before": float, "ece_after": float}``.

    Raises
    ------
    ValueError
        For mismatched lengths, an empty set, probabilities outside [0, 1] or labels not 0/1.
    """
    p, y = _check(probs, labels)
    x = _logit(p)
    a, b = 1.0, 0.0
    loss = _nll(x, y, a, b)
    for _ in range(_MAX_ITER):  # damped Newton on the (convex) negative log-likelihood
        q = _sigmoid(a * x + b)
        r = q - y
        w = q * (1.0 - q)
        grad = np.array([np.dot(r, x) + _L2 * a, r.sum() + _L2 * b])
        hess = np.array([[np.dot(w, x * x) + _L2, np.dot(w, x)], [np.dot(w, x), w.sum() + _L2]])
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            step = grad / max(float(np.abs(grad).max()), 1.0)
        t = 1.0
        while t > 1e-8:  # backtrack until the loss goes down
            new_loss = _nll(x, y, a - t * step[0], b - t * step[1])
            if new_loss <= loss:
                break
            t *= 0.5
        else:
            break
        a, b = a - t * float(step[0]), b - t * float(step[1])
        converged = loss - new_loss < 1e-12 * max(1.0, loss)
        loss = new_loss
        if converged:
            break
    params = {"method": "platt", "a": float(a), "b": float(b), "n": int(p.size)}
    params["ece_before"] = expected_calibration_error(p, y)
    params["ece_after"] = expected_calibration_error(apply_calibration(p, params), y)
    logger.info(
        "calibration: a=%.4f b=%.4f, ECE %.4f -> %.4f on %d examples",
        a,
        b,
        params["ece_before"],
        params["ece_after"],
        p.size,
    )
    return params


def apply_calibration(probs: np.ndarray, params: dict | None) -> np.ndarray:
    """Map raw probabilities through a fitted calibration (identity for ``None``).

    Returns an array of the same shape as ``probs`` (float32 for float32 input).

    Raises
    ------
    ValueError
        For an unknown calibration method.
    """
    probs = np.asarray(probs)
    if not params:
        return probs
    method = params.get("method")
    if method != "platt":
        raise ValueError(f"unknown calibration method: {method!r}")
    dtype = probs.dtype if np.issubdtype(probs.dtype, np.floating) else np.float64
    out = _sigmoid(float(params["a"]) * _logit(probs) + float(params["b"]))
    return out.astype(dtype, copy=False)


def expected_calibration_error(probs: np.ndarray, labels: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error of positive-class probabilities.

    The probabilities are grouped into ``bins`` equal-width bins; ECE is the average, weighted
    by bin size, of ``|mean predicted probability - fraction positive|`` per bin.
    """
    p, y = _check(probs, labels)
    if bins < 1:
        raise ValueError("bins must be at least 1")
    index = np.minimum((p * bins).astype(np.int64), bins - 1)
    count = np.bincount(index, minlength=bins)
    gap = np.abs(
        np.bincount(index, weights=p, minlength=bins)
        - np.bincount(index, weights=y, minlength=bins)
    )
    return float(gap.sum() / count.sum())
