"""Platt scaling: fitting, applying and measuring calibration."""

import json

import numpy as np
import pytest

from model.calibration import apply_calibration, expected_calibration_error, fit_calibration


def _overconfident(n: int = 4000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Labels drawn from true probabilities, predictions pushed towards 0/1 (temperature 1/3)."""
    rng = np.random.default_rng(seed)
    true_logit = rng.normal(0.0, 1.5, n)
    labels = (rng.random(n) < 1 / (1 + np.exp(-true_logit))).astype(np.int64)
    probs = 1 / (1 + np.exp(-3.0 * true_logit + 0.4))
    return probs, labels


def test_calibration_lowers_error_on_a_held_out_fixture() -> None:
    probs, labels = _overconfident()
    params = fit_calibration(probs[:2000], labels[:2000])
    before = expected_calibration_error(probs[2000:], labels[2000:])
    after = expected_calibration_error(apply_calibration(probs[2000:], params), labels[2000:])
    assert before > 0.08
    assert after < before / 2
    assert params["a"] == pytest.approx(1 / 3, abs=0.06)  # recovers the temperature


def test_params_are_json_and_identity_for_none() -> None:
    probs, labels = _overconfident(500)
    params = fit_calibration(probs, labels)
    assert json.loads(json.dumps(params)) == params
    assert params["method"] == "platt" and params["ece_after"] <= params["ece_before"]
    raw = np.array([0.1, 0.5, 0.9], dtype=np.float32)
    assert apply_calibration(raw, None) is raw
    out = apply_calibration(raw, params)
    assert out.dtype == np.float32 and np.all(np.diff(out) > 0)  # monotone


def test_already_calibrated_stays_close_to_identity() -> None:
    rng = np.random.default_rng(1)
    probs = rng.uniform(0.01, 0.99, 5000)
    labels = (rng.random(5000) < probs).astype(int)
    params = fit_calibration(probs, labels)
    assert params["a"] == pytest.approx(1.0, abs=0.15)
    assert params["b"] == pytest.approx(0.0, abs=0.15)


def test_separable_data_and_extreme_probabilities_stay_finite() -> None:
    probs = np.array([0.0, 0.0, 1.0, 1.0, 0.2, 0.8])
    labels = np.array([0, 0, 1, 1, 0, 1])
    params = fit_calibration(probs, labels)
    out = apply_calibration(probs, params)
    assert np.all(np.isfinite(out)) and np.all((out >= 0) & (out <= 1))


def test_ece_known_value() -> None:
    # All predictions 0.8 in one bin, half positive: ECE = |0.8 - 0.5| = 0.3.
    assert expected_calibration_error(np.full(10, 0.8), np.array([0, 1] * 5)) == pytest.approx(0.3)
    assert expected_calibration_error(np.array([0.0, 1.0]), np.array([0, 1])) == 0.0


@pytest.mark.parametrize(
    ("probs", "labels", "message"),
    [
        ([0.5], [0, 1], "differ in length"),
        ([], [], "empty"),
        ([1.5], [1], "within"),
        ([0.5], [2], "0 or 1"),
    ],
)
def test_bad_input_is_a_clear_error(probs: list, labels: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fit_calibration(np.array(probs), np.array(labels))


def test_unknown_method_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown calibration method"):
        apply_calibration(np.array([0.5]), {"method": "isotonic"})
