"""The FakeScorer other helpers' tests rely on behaves like the Scorer interface says."""

import subprocess
import sys

import pytest

from model.types import Label
from tests import REPO
from tests.fakes.scoring import FakeScorer

ROOT = REPO


def test_keywords_labels_and_unscored() -> None:
    scorer = FakeScorer(version="v1")
    good, bad, plain, empty, french = scorer.score_many(
        ["This is GREAT!", "awful", "a message", "   ", "bonjour tout le monde"]
    )
    assert (good.score, good.label, good.model_version) == (0.9, Label.POSITIVE, "v1")
    assert (bad.score, bad.label) == (0.1, Label.NEGATIVE)
    assert (plain.score, plain.label) == (0.5, Label.NEUTRAL)
    assert (empty.score, empty.label, empty.reason) == (None, Label.UNSCORED, "empty")
    assert (french.label, french.reason) == (Label.UNSCORED, "language:fr")
    assert scorer.calls[0][0] == "This is GREAT!"


def test_swap_and_failure() -> None:
    scorer = FakeScorer()
    scorer.swap("v2")
    assert scorer.score_many(["good"])[0].model_version == "v2" == scorer.version
    scorer.fail_with = RuntimeError("boom")
    with pytest.raises(RuntimeError, match="boom"):
        scorer.score_many(["good"])


def test_no_tensorflow_import() -> None:
    code = "import sys, tests.fakes.scoring; assert 'tensorflow' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
