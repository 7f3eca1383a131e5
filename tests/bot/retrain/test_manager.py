"""The admin retrain with a fake train command: promote, refuse when worse, one at a time,
a crashed or killed trainer leaves the old model serving, feedback is used, rollback sync."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.core.feedback import is_holdout
from bot.core.messages import Person
from bot.retrain.manager import RetrainManager
from bot.retrain.progress import parse_progress_line
from bot.retrain.promotion import compare
from model.types import Label, Score
from storage.types import Feedback, ModelVersion
from tests import REPO
from tests.fakes.reports import NOW
from tests.fakes.scoring import FakeScorer
from tests.fakes.storage import FakeRepository

FAKE_TRAIN = REPO / "tests" / "fakes" / "train.py"
ADMIN = Person("U1", "alice", is_admin=True)


@dataclass
class FakeArtifact:
    version: str
    metadata: dict
    directory: Path


def load_fake(directory: Path) -> FakeArtifact:
    metadata = json.loads((Path(directory) / "metadata.json").read_text())
    return FakeArtifact(metadata["version"], metadata, Path(directory))


class TableScorer:
    """Scores from a fixed table (0.5 for anything else)."""

    def __init__(self, table: dict[str, float], version: str) -> None:
        self.table, self.version = table, version

    def score_many(self, texts: list[str]) -> list[Score]:
        return [Score(self.table.get(t, 0.5), Label.NEUTRAL, self.version) for t in texts]


class Notes:
    def __init__(self) -> None:
        self.lines: list[str] = []

    async def __call__(self, text: str) -> None:
        self.lines.append(text)


@pytest.fixture
def repo(tmp_path: Path) -> FakeRepository:
    repo = FakeRepository()
    old = tmp_path / "old-model"
    old.mkdir()
    (old / "metadata.json").write_text(json.dumps({"version": "fake-1", "metrics": {}}))
    repo.add_model_version(
        ModelVersion("fake-1", str(old), {"imdb_accuracy": 0.85}, True, NOW, "setup")
    )
    return repo


def manager(
    tmp_path: Path,
    repo: FakeRepository,
    scorer: FakeScorer,
    *args: str,
    **kwargs: object,
) -> RetrainManager:
    config = tmp_path / "config.toml"
    config.write_text("")
    settings = load_settings(config)
    return RetrainManager(
        settings,
        scorer,
        repo,
        command=[sys.executable, str(FAKE_TRAIN), *args],
        runs_dir=tmp_path / "runs",
        store=tmp_path / "store",
        tolerance=0.01,
        load_artifact=load_fake,
        **kwargs,
    )


async def test_better_model_is_promoted_and_recorded(tmp_path: Path, repo: FakeRepository) -> None:
    scorer, notes = FakeScorer(version="fake-1"), Notes()
    retrain = manager(tmp_path, repo, scorer, "--accuracy", "0.86")
    answer = await retrain.start(ADMIN, notes)
    assert "Retrain started" in answer and "fake-1 keeps serving" in answer
    outcome = await retrain.wait()
    assert outcome.startswith("Retrain done: fake-2 promoted and now serving (was fake-1).")
    assert "new: IMDB accuracy 0.8600, trained on 0 corrections" in outcome
    assert "active: IMDB accuracy 0.8500" in outcome
    assert scorer.version == "fake-2"
    active = repo.active_model_version()
    assert active.version == "fake-2" and active.created_by == "alice"
    assert active.path == str((tmp_path / "store" / "fake-2").resolve())  # the store, not runs/
    assert active.metrics["imdb_accuracy"] == pytest.approx(0.86)
    epochs = [line for line in notes.lines if "epoch" in line]
    assert epochs[0].startswith("Retrain: epoch 1/3 done. loss 0.500, val_accuracy 0.810")
    assert len(epochs) == 3 and notes.lines[-1] == outcome


async def test_within_tolerance_is_promoted(tmp_path: Path, repo: FakeRepository) -> None:
    scorer = FakeScorer(version="fake-1")
    retrain = manager(tmp_path, repo, scorer, "--accuracy", "0.8450")
    await retrain.start(ADMIN, Notes())
    assert "promoted" in await retrain.wait()
    assert scorer.version == "fake-2"


async def test_worse_model_is_refused_with_both_figures(
    tmp_path: Path, repo: FakeRepository
) -> None:
    scorer, notes = FakeScorer(version="fake-1"), Notes()
    retrain = manager(tmp_path, repo, scorer, "--accuracy", "0.80")
    await retrain.start(ADMIN, notes)
    outcome = await retrain.wait()
    assert "fake-2 is NOT promoted: imdb_accuracy 0.8000 is below the active model's 0.8500" in (
        outcome
    )
    assert "new: IMDB accuracy 0.8000" in outcome and "active: IMDB accuracy 0.8500" in outcome
    assert scorer.version == "fake-1"
    assert repo.active_model_version().version == "fake-1"
    recorded = {mv.version: mv for mv in repo.list_model_versions()}
    assert recorded["fake-2"].active is False  # kept, so an admin can still activate it


async def test_second_request_is_refused_with_progress(
    tmp_path: Path, repo: FakeRepository
) -> None:
    scorer, notes = FakeScorer(version="fake-1"), Notes()
    retrain = manager(tmp_path, repo, scorer, "--mode", "hang")
    await retrain.start(ADMIN, notes)
    await wait_for(lambda: retrain.progress.epoch == 1)
    second = await retrain.start(Person("U2", "bob", is_admin=True), Notes())
    assert second.startswith("A retrain is already running (asked by alice 0 min ago, epoch 1/3")
    assert "one at a time" in second
    # killing the trainer leaves the old model serving, and the admin is told
    retrain._process.send_signal(signal.SIGKILL)
    outcome = await asyncio.wait_for(retrain.wait(), 10)
    assert "the training process was killed by signal 9" in outcome
    assert "The active model fake-1 keeps serving" in outcome
    assert scorer.version == "fake-1" and notes.lines[-1] == outcome
    assert not retrain.running
    assert "Retrain started" in await retrain.start(ADMIN, Notes())  # free again
    await retrain.close()


async def test_crash_keeps_the_old_model_and_shows_the_error(
    tmp_path: Path, repo: FakeRepository
) -> None:
    scorer = FakeScorer(version="fake-1")
    retrain = manager(tmp_path, repo, scorer, "--mode", "crash")
    await retrain.start(ADMIN, Notes())
    outcome = await retrain.wait()
    assert "the training process exited with code 3" in outcome
    assert "out of memory (pretend)" in outcome
    assert scorer.version == "fake-1"
    assert [mv.version for mv in repo.list_model_versions()] == ["fake-1"]


async def test_no_model_saved_is_a_failure(tmp_path: Path, repo: FakeRepository) -> None:
    scorer = FakeScorer(version="fake-1")
    retrain = manager(tmp_path, repo, scorer, "--mode", "nomodel")
    await retrain.start(ADMIN, Notes())
    assert "no model was saved" in await retrain.wait()
    assert scorer.version == "fake-1"


async def test_feedback_is_trained_on_and_held_back(tmp_path: Path, repo: FakeRepository) -> None:
    texts = [f"sarcastic remark number {i} was good" for i in range(40)]
    for i, text in enumerate(texts):
        repo.add_feedback(Feedback("slack", "C1", f"m{i}", "U3", "negative", text, NOW))
    scorer = FakeScorer(version="fake-1")  # "good" -> 0.9: wrong on all of them
    retrain = manager(
        tmp_path,
        repo,
        scorer,
        "--accuracy",
        "0.85",
        holdout=0.25,
        make_scorer=lambda artifact: TableScorer(dict.fromkeys(texts, 0.1), artifact.version),
    )
    notes = Notes()
    await retrain.start(ADMIN, notes)
    outcome = await retrain.wait()
    seen = Path(next((tmp_path / "runs").glob("*/model/extra-data-seen.jsonl")))
    trained = [json.loads(line) for line in seen.read_text().splitlines()]
    held = 40 - len(trained)
    assert 0 < held < 40 and all(row["label"] == 0 for row in trained)
    assert (
        f"training on IMDB plus {len(trained)} feedback example(s); {held} held back"
        in (notes.lines[0])
    )
    assert (
        f"new: IMDB accuracy 0.8500, held-back corrections 1.0000 (n={held}), "
        f"trained on {len(trained)} corrections"
    ) in outcome
    assert f"active: IMDB accuracy 0.8500, held-back corrections 0.0000 (n={held})" in outcome
    metrics = repo.active_model_version().metrics
    assert metrics["feedback_accuracy"] == 1.0 and metrics["feedback_count"] == held
    assert metrics["corrections_trained"] == len(trained) and metrics["corrections"] == 40


async def test_worse_on_feedback_is_refused(tmp_path: Path, repo: FakeRepository) -> None:
    texts = [f"this was good {i}" for i in range(40)]
    for i, text in enumerate(texts):
        repo.add_feedback(Feedback("slack", "C1", f"m{i}", "U3", "positive", text, NOW))
    scorer = FakeScorer(version="fake-1")  # right on all of them
    retrain = manager(
        tmp_path,
        repo,
        scorer,
        "--accuracy",
        "0.9",
        holdout=0.5,
        make_scorer=lambda artifact: TableScorer(dict.fromkeys(texts, 0.2), artifact.version),
    )
    await retrain.start(ADMIN, Notes())
    outcome = await retrain.wait()
    assert "NOT promoted: feedback_accuracy 0.0000 is below the active model's 1.0000" in outcome
    assert scorer.version == "fake-1"


async def test_rollback_reaches_the_running_bot(tmp_path: Path, repo: FakeRepository) -> None:
    scorer = FakeScorer(version="fake-1")
    retrain = manager(tmp_path, repo, scorer, "--accuracy", "0.9")
    await retrain.start(ADMIN, Notes())
    await retrain.wait()
    assert scorer.version == "fake-2"
    assert await retrain.sync_active_model() is False  # already serving the active one
    repo.activate_model_version("fake-1")  # what `sentibot models activate fake-1` does
    assert await retrain.sync_active_model() is True
    assert scorer.version == "fake-1"


async def test_unloadable_active_version_keeps_serving(
    tmp_path: Path, repo: FakeRepository
) -> None:
    scorer = FakeScorer(version="fake-0")
    repo.add_model_version(ModelVersion("gone", str(tmp_path / "nope"), {}, True, NOW))
    retrain = manager(tmp_path, repo, scorer)
    loads = []
    retrain._load_artifact = lambda d: loads.append(d) or load_fake(d)
    assert await retrain.sync_active_model() is False
    assert await retrain.sync_active_model() is False  # not retried (nor logged) every minute
    assert scorer.version == "fake-0" and len(loads) == 1


def test_progress_lines() -> None:
    assert parse_progress_line('{"event": "epoch", "epoch": 2, "epochs": 6}')["epoch"] == 2
    assert parse_progress_line('{"epoch": 2, "loss": 0.3}')["event"] == "epoch"
    assert parse_progress_line("Epoch 3/6") == {"event": "epoch_start", "epoch": 3, "epochs": 6}
    keras_line = "782/782 - 3s - 4ms/step - accuracy: 0.8125 - loss: 0.4 - val_loss: 3e-1"
    assert parse_progress_line(keras_line) == {
        "event": "epoch_end",
        "accuracy": 0.8125,
        "loss": 0.4,
        "val_loss": 0.3,
    }
    assert parse_progress_line("Loading data...") is None
    assert parse_progress_line("{not json") is None


def test_compare_rules() -> None:
    old = {"imdb_accuracy": 0.85, "feedback_accuracy": 0.7}
    assert compare({"imdb_accuracy": 0.8401, "feedback_accuracy": 0.7}, old, 0.01) == (True, [])
    ok, reasons = compare({"imdb_accuracy": 0.9, "feedback_accuracy": 0.6}, old, 0.01)
    assert not ok and reasons[0].startswith("feedback_accuracy 0.6000")
    assert compare({}, {}, 0.01) == (True, [])  # nothing known about the active model
    assert compare({}, old, 0.01)[0] is False  # the new model must show its figures


async def wait_for(condition, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


@pytest.mark.slow
async def test_real_training_process_end_to_end(tmp_path: Path, repo: FakeRepository) -> None:
    """The default child (``python -m bot.retrain.job``) trains a real Keras model on the review
    fixture plus feedback; the default loader and scorer evaluate it; it is promoted."""
    fixture = REPO / "tests" / "fixtures" / "reviews.jsonl"
    config = tmp_path / "config.toml"
    config.write_text(f'[train]\nepochs = 1\noutput_dir = "{tmp_path / "runs"}"\n')
    repo.add_model_version(ModelVersion("weak", str(tmp_path), {"imdb_accuracy": 0.0}, True, NOW))
    texts = [f"an awful thing number {i}" for i in range(12)]
    for i, text in enumerate(texts):
        repo.add_feedback(Feedback("slack", "C1", f"m{i}", "U3", "negative", text, NOW))
    scorer = FakeScorer(version="weak")
    retrain = RetrainManager(
        load_settings(config),
        scorer,
        repo,
        command=[sys.executable, "-m", "bot.retrain.job", "--reviews", str(fixture)],
        config_path=config,
        store=tmp_path / "store",
        tolerance=0.01,
        holdout=0.25,
    )
    notes = Notes()
    await retrain.start(ADMIN, notes)
    outcome = await asyncio.wait_for(retrain.wait(), 240)
    assert "promoted and now serving (was weak)" in outcome, outcome
    assert scorer.version.startswith("bigram-")
    epoch = next(line for line in notes.lines if "epoch" in line)
    assert epoch.startswith("Retrain: epoch 1/1 done. loss ")
    active = repo.active_model_version()
    assert active.version == scorer.version and "feedback_accuracy" in active.metrics
    metadata = json.loads((Path(active.path) / "metadata.json").read_text())
    trained = sum(not is_holdout(t, 0.25) for t in texts)
    assert 0 < trained < len(texts)
    assert metadata["data"]["feedback_rows"] == trained


async def test_tolerance_and_holdout_come_from_config(tmp_path: Path, repo: FakeRepository) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[train]\npromote_tolerance = 0.06\nfeedback_holdout = 0.5\n")
    scorer = FakeScorer(version="fake-1")
    retrain = RetrainManager(
        load_settings(config),
        scorer,
        repo,
        command=[sys.executable, str(FAKE_TRAIN), "--accuracy", "0.80"],
        runs_dir=tmp_path / "runs",
        store=tmp_path / "store",
        load_artifact=load_fake,
    )
    assert (retrain.tolerance, retrain.holdout) == (0.06, 0.5)
    await retrain.start(ADMIN, Notes())
    assert "promoted" in await retrain.wait()  # 0.80 >= 0.85 - 0.06
    assert scorer.version == "fake-2"


async def test_a_retrain_with_nothing_new_says_so_unless_forced(
    tmp_path: Path, repo: FakeRepository
) -> None:
    scorer, notes = FakeScorer(version="fake-1"), Notes()
    retrain = manager(tmp_path, repo, scorer, "--accuracy", "0.86")
    assert "Retrain started" in await retrain.start(ADMIN, notes)  # no retrain recorded yet
    await retrain.wait()
    assert repo.active_model_version().metrics["corrections"] == 0
    assert await retrain.new_corrections() == (0, 0)  # what auto_retrain_after counts
    answer = await retrain.start(ADMIN, notes)
    assert answer.startswith("No new corrections since the last retrain (fake-2 learnt from 0)")
    assert not retrain.running
    assert "Retrain started" in await retrain.start(ADMIN, notes, force=True)
    await retrain.wait()
