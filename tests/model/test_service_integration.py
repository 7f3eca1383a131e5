"""The Scorer on the default architecture as helper MODEL trains and saves it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf

from model.calibration import apply_calibration
from model.config import ScoringConfig
from model.service import Scorer
from model.types import Label

TEXTS = ["a wonderful, moving film", "boring and awful 😡", "ok thanks", "<@U1> :)"]


def test_default_architecture_scores_like_the_model(tiny_model_dir: Path) -> None:
    scorer = Scorer.from_directory(tiny_model_dir, ScoringConfig())
    calibration = scorer.artifact.metadata["calibration"]
    assert calibration and calibration["method"] == "platt"
    probs, words, version = scorer.probabilities(TEXTS)
    direct = scorer.artifact.model(tf.constant(TEXTS), training=False).numpy().reshape(-1)
    np.testing.assert_allclose(probs, apply_calibration(direct, calibration), atol=1e-5)
    assert words[3] == "great" and version == scorer.version
    results = scorer.score_many(TEXTS + ["", "この映画は本当に最高でした"])
    assert all(r.label is not Label.UNSCORED for r in results[:4])
    assert [r.reason for r in results[4:]] == ["empty", "language:ja"]
