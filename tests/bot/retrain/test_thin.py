"""Retrain from a thin bot: new models are read by their metadata and scored in a child."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from bot.bootstrap import default_retrainer
from bot.config import load_settings
from bot.core.messages import Person
from bot.retrain.thin import CandidateScorer, read_model_files
from model.config import ScoringConfig
from storage.types import ModelVersion
from tests import REPO
from tests.fakes.reports import NOW
from tests.fakes.scoring import FakeScorer
from tests.fakes.storage import FakeRepository

FAKE_TRAIN = REPO / "tests" / "fakes" / "train.py"


def test_read_model_files(tiny_dir: Path, tmp_path: Path) -> None:
    files = read_model_files(tiny_dir)
    assert files.version == "tiny-a" and files.directory == tiny_dir
    assert files.metadata["version"] == "tiny-a"
    with pytest.raises(ValueError, match="metadata.json cannot be read"):
        read_model_files(tmp_path)
    (tmp_path / "metadata.json").write_text(json.dumps({"metrics": {}}))
    with pytest.raises(ValueError, match="has no model version"):
        read_model_files(tmp_path)


def test_a_candidate_scores_in_a_child_as_in_process(tiny_dir: Path, tiny_artifact) -> None:  # noqa: ANN001
    from model.service import Scorer

    texts = ["what a great day", "awful\nservice", "", "<@U1>"]
    got = CandidateScorer(read_model_files(tiny_dir)).score_many(texts)
    want = Scorer(tiny_artifact, ScoringConfig()).score_many(texts)
    assert [(s.label, s.reason, s.model_version) for s in got] == [
        (s.label, s.reason, s.model_version) for s in want
    ]
    assert got[0].score == pytest.approx(want[0].score, abs=1e-6)
    assert got[1].score == pytest.approx(want[1].score, abs=1e-6)


def test_a_broken_candidate_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "metadata.json").write_text(json.dumps({"version": "broken"}))
    with pytest.raises(RuntimeError, match="scoring with broken failed: "):
        CandidateScorer(read_model_files(tmp_path)).score_many(["hello"])


async def test_a_thin_bot_retrains_without_loading_a_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # var/runs and var/models go here
    repo = FakeRepository()
    old = tmp_path / "old-model"
    old.mkdir()
    (old / "metadata.json").write_text(json.dumps({"version": "fake-1", "metrics": {}}))
    repo.add_model_version(
        ModelVersion("fake-1", str(old), {"imdb_accuracy": 0.85}, True, NOW, "setup")
    )
    config = tmp_path / "config.toml"
    config.write_text('[model]\nserving_url = "http://127.0.0.1:9"\n')
    scorer = FakeScorer(version="fake-1")
    retrain = default_retrainer(load_settings(config), scorer, repo, config)
    retrain.command = [sys.executable, str(FAKE_TRAIN)]  # type: ignore[attr-defined]
    await retrain.start(Person("U1", "alice", is_admin=True), _ignore, force=True)
    outcome = await retrain.wait()  # type: ignore[attr-defined]
    # the fake trainer writes metadata only: loading its model would have failed
    assert outcome.startswith("Retrain done: fake-2 promoted"), outcome
    assert repo.active_model_version().version == "fake-2"
    assert scorer.version == "fake-2"


async def _ignore(text: str) -> None:
    return None
