"""Chat data, the three-class head and the binary head with neutral rows (issue 16)."""

import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from model.architectures import ARCHITECTURES
from model.chat import load_chat, read_chat_tsv
from model.chateval import label_metrics
from model.config import DataConfig, ModelConfig, ScoringConfig
from model.data import concat, make_split, train_validation_split
from model.heads import band_classes, classes, scores
from model.splits import DataError
from model.training import fit, predict_outputs, predict_probabilities
from tests.model.helpers import quick_train, small_model

ROOT = Path(__file__).resolve().parents[2]

CHAT = [
    ("the build is broken again", 0),
    ("prod is down, ugh", 0),
    ("tests keep failing", 0),
    ("this is terrible", 0),
    ("deploying v2 now", 1),
    ("PR merged", 1),
    ("who is on call?", 1),
    ("meeting at 3pm", 1),
    ("thanks, that fixed it", 2),
    ("great job everyone", 2),
    ("all checks pass, awesome", 2),
    ("love it", 2),
]


def chat_split(repeat: int = 1):
    texts = [t for t, _ in CHAT] * repeat
    return make_split(texts, [label for _, label in CHAT] * repeat, classes=3)


def test_chat_tsv_reads_both_layouts(tmp_path):
    dev = tmp_path / "dev.tsv"
    dev.write_text("negative\tit broke\tsenti4sd_so\nneutral\tok\tpremo_pr\n", encoding="utf-8")
    own = tmp_path / "own.tsv"
    own.write_text("# comment\n\nthanks!\tpositive\nstatus\tneutral\n", encoding="utf-8")
    a, b = read_chat_tsv(dev), read_chat_tsv(own)
    assert a.texts == ["it broke", "ok"] and a.labels.tolist() == [0, 1] and a.classes == 3
    assert b.texts == ["thanks!", "status"] and b.labels.tolist() == [2, 1]
    both = load_chat([str(dev), str(own)])
    assert len(both) == 4 and both.counts() == (1, 2, 1)
    assert len(load_chat([])) == 0


def test_chat_tsv_errors_are_clear(tmp_path):
    with pytest.raises(DataError, match="chat data not found"):
        read_chat_tsv(tmp_path / "missing.tsv")
    bad = tmp_path / "bad.tsv"
    bad.write_text("hello\tmaybe\n", encoding="utf-8")
    with pytest.raises(DataError, match="bad.tsv:1"):
        read_chat_tsv(bad)


def test_concat_of_binary_and_three_class_is_three_class():
    binary = make_split(["good", "bad"], [1, 0])
    both = concat(binary, chat_split())
    assert both.classes == 3
    assert both.labels[:2].tolist() == [2, 0]
    assert both.targets()[:2].tolist() == [1.0, 0.0] and 0.5 in both.targets().tolist()
    train, val = train_validation_split(chat_split(10), 0.2, seed=1)
    assert val.counts() == (8, 8, 8) and len(train) == 96


def test_scores_and_classes_of_each_head():
    three = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.0, 0.2, 0.8]], np.float32)
    assert np.allclose(scores(three), [0.2, 0.5, 0.9])
    assert classes(three).tolist() == [0, 1, 2]
    binary = np.array([[0.1], [0.5], [0.9]], np.float32)
    assert np.allclose(scores(binary), [0.1, 0.5, 0.9]) and classes(binary) is None
    assert band_classes(scores(binary), 0.4, 0.6).tolist() == [0, 1, 2]


def test_label_metrics():
    m = label_metrics([0, 1, 2, 2], np.array([0, 1, 1, 2]))
    assert m["accuracy"] == 0.75 and m["confusion"] == [[1, 0, 0], [0, 1, 1], [0, 0, 1]]
    assert m["f1"] == {"negative": 1.0, "neutral": 0.6667, "positive": 0.6667}
    assert m["macro_f1"] == pytest.approx(0.7778, abs=1e-4) and m["neutral_share"] == 0.25


@pytest.mark.parametrize("architecture", [*ARCHITECTURES, "bigram-wide"])
def test_three_class_head_trains_and_scores_on_0_1(architecture, fixture_reviews):
    train, validation = train_validation_split(fixture_reviews, 0.25, seed=3)
    rows = concat(train, chat_split(20))
    name, _, wide = architecture.partition("-")
    config = small_model(name).model_copy(update={"head": "three_class", "wide": bool(wide)})
    fitted = fit(rows, validation, config, quick_train(epochs=2, learning_rate=3e-3), verbose=0)
    assert fitted.model.output_shape == (None, 3)
    outputs = predict_outputs(fitted.model, ["great film", "", "deploying v2 now"])
    assert outputs.shape == (3, 3) and np.allclose(outputs.sum(axis=1), 1.0, atol=1e-5)
    probs = predict_probabilities(fitted.model, ["great film", "awful"])
    assert probs.shape == (2,) and ((probs >= 0) & (probs <= 1)).all()


def test_three_class_model_labels_come_from_its_classes(fixture_reviews, tmp_path):
    from model.artifact import load_artifact
    from model.pipeline import save_trained
    from model.service import Scorer
    from model.types import Label

    train, validation = train_validation_split(fixture_reviews, 0.25, seed=3)
    rows = concat(train, chat_split(40))
    config = ModelConfig(max_tokens=5000, head="three_class")
    recipe = quick_train(epochs=6, patience=6, learning_rate=1e-2)
    directory = save_trained(rows, validation, config, recipe, tmp_path / "m", verbose=0)
    artifact = load_artifact(directory)
    assert artifact.model.output_shape == (None, 3)
    scorer = Scorer(artifact, ScoringConfig(neutral_low=0.0, neutral_high=1.0))  # band unused
    texts = [t for t, _ in CHAT]
    labelled = scorer.score_many(texts)
    expected = [Label.NEGATIVE, Label.NEUTRAL, Label.POSITIVE]
    right = sum(s.label is expected[label] for s, (_, label) in zip(labelled, CHAT, strict=True))
    assert right >= 10  # trained on these rows: the classes, not the 0..1 band, give the label
    assert all(0.0 <= s.score <= 1.0 for s in labelled)
    assert scorer.score_many([""])[0].label is Label.UNSCORED


def test_binary_head_learns_neutral_rows_as_one_half(fixture_reviews):
    train, validation = train_validation_split(fixture_reviews, 0.25, seed=3)
    rows = concat(train, chat_split(40))
    recipe = quick_train(epochs=6, patience=6, learning_rate=1e-2)
    fitted = fit(rows, validation, small_model("bigram"), recipe, verbose=0)
    probs = predict_probabilities(fitted.model, ["PR merged", "who is on call?"])
    assert np.all(np.abs(probs - 0.5) < 0.25)


def test_data_config_reads_chat_keys():
    config = DataConfig(chat_train=["a.tsv"], chat_repeat=3, chat_dev="dev.tsv")
    assert config.chat_repeat == 3 and config.chat_validation_split == 0.1


def test_no_import_cycle_between_data_and_its_loaders():
    for name in ("imdb_archive", "imdb_keras", "chat", "splits"):
        tree = ast.parse((ROOT / "model" / f"{name}.py").read_text())
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert "model.data" not in imported, name
    data = ast.parse((ROOT / "model" / "data.py").read_text())
    for function in (n for n in ast.walk(data) if isinstance(n, ast.FunctionDef)):
        assert not [n for n in ast.walk(function) if isinstance(n, ast.Import | ast.ImportFrom)]
    code = "import sys, model.data; print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr  # loading data needs no TensorFlow


def test_class_calibration_fits_a_prior_shift():
    from model.class_calibration import fit_class_calibration

    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, 600)
    true = np.full((600, 3), 0.1)
    true[np.arange(600), labels] = 0.8
    skewed = true * np.array([1.0, 0.05, 1.0])  # a network that hardly ever says neutral
    skewed /= skewed.sum(axis=1, keepdims=True)
    assert np.mean(skewed.argmax(1) == labels) < 0.75
    w, b = fit_class_calibration(skewed, labels)
    z = np.log(skewed) @ w.T + b
    assert np.mean(z.argmax(1) == labels) > 0.95


@pytest.mark.parametrize(("scale", "shift"), [(2.0, 1.0), (6.0, 4.0), (10.0, 1.0)])
def test_class_calibration_reaches_its_optimum(scale: float, shift: float):
    """Confident outputs (log-probabilities down to -13.8) are where the Adam steps used before
    stopped short of the optimum (issue 16: devchat_dev moved by 0.016 with where they stopped);
    the fit is a stationary point: no small move of any parameter lowers the loss."""
    from model.class_calibration import fit_class_calibration

    rng = np.random.default_rng(1)
    labels = rng.integers(0, 3, 1000)
    logits = rng.normal(0.0, scale, (1000, 3))
    logits[np.arange(1000), labels] += shift
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)

    def loss(w: np.ndarray, b: np.ndarray) -> float:
        z = np.log(np.clip(probs, 1e-6, 1.0)) @ w.T + b
        z -= z.max(axis=1, keepdims=True)
        logq = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        weights = (1.0 / np.bincount(labels, minlength=3))[labels]
        return float(-(weights * logq[np.arange(1000), labels]).sum() / weights.sum())

    def penalised(w: np.ndarray, b: np.ndarray) -> float:
        return loss(w, b) + 1e-3 * float(((w - np.eye(3)) ** 2).sum())

    w, b = fit_class_calibration(probs, labels)
    best = penalised(w, b)
    assert best < penalised(np.eye(3), np.zeros(3))
    for index in np.ndindex(3, 4):
        for delta in (1e-3, -1e-3):
            moved_w, moved_b = w.copy(), b.copy()
            if index[1] < 3:
                moved_w[index] += delta
            else:
                moved_b[index[0]] += delta
            assert penalised(moved_w, moved_b) >= best - 1e-9


def test_three_class_model_saves_its_class_calibration(fixture_reviews, tmp_path):
    from model.artifact import load_artifact
    from model.class_calibration import calibration_layer
    from model.pipeline import save_trained

    train, validation = train_validation_split(fixture_reviews, 0.25, seed=3)
    rows = concat(train, chat_split(20))
    config = ModelConfig(max_tokens=5000, head="three_class")
    recipe = quick_train(epochs=2, learning_rate=1e-2)
    fitted = fit(rows, validation, config, recipe, verbose=0)
    from model.pipeline import finish

    directory = finish(
        fitted, validation, config, recipe, tmp_path / "m",
        chat_validation=chat_split(2), calibration_reviews=20, review_validation=validation,
    )  # fmt: skip
    artifact = load_artifact(directory)
    calibration = artifact.metadata["class_calibration"]
    assert calibration["method"] == "matrix_scaling" and calibration["n"] == 24 + 20
    layer = calibration_layer(artifact.model)
    assert np.allclose(layer.kernel.numpy(), calibration["W"], atol=1e-4)
    texts = ["deploying v2 now", "great film"]
    assert np.allclose(predict_outputs(artifact.model, texts), predict_outputs(fitted.model, texts))
    assert save_trained  # the same path without chat rows leaves the identity
