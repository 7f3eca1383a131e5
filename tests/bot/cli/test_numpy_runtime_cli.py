"""``sentibot score`` and ``explain`` run the shipped model without TensorFlow ([model] runtime).

Each command runs as its own process and reports, when it ends, which of its modules were
loaded (``sys.modules``), as ``tests/bot/serve/test_thin_imports.py`` does for the thin bot.
A model this runtime does not compute (TF-IDF weights) runs in TensorFlow instead, with one log
line, and scores what TensorFlow scores.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.factories import load_local_scorer, uses_numpy
from tests.loaded_modules import HEAVY, WRAPPER

ROOT = Path(__file__).resolve().parents[3]


def _run(args: list[str], cwd: Path, runtime: str = "auto") -> tuple[int, str, str, list[str]]:
    """Run ``sentibot ARGS``: exit status, stdout, stderr and the loaded top-level modules."""
    loaded = cwd / f"modules-{args[0]}-{runtime}.json"
    env = {
        **os.environ,
        "SENTIBOT_MODEL__SERVING_URL": "",
        "SENTIBOT_MODEL__RUNTIME": runtime,
        "SENTIBOT_STORAGE__URL": f"sqlite:///{cwd / 'none.db'}",
        "LOADED_MODULES_FILE": str(loaded),
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, *args],
        capture_output=True, text=True, cwd=cwd, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert loaded.is_file(), done.stderr[-2000:]
    return done.returncode, done.stdout, done.stderr, json.loads(loaded.read_text())


def test_score_and_explain_never_import_tensorflow(tmp_path: Path) -> None:
    status, out, _, modules = _run(["score", "the build is broken again", "", "x"], tmp_path)
    assert status == 0, out
    broken, empty, x = out.splitlines()
    assert broken.split("\t")[1] == "negative" and empty.split("\t")[1] == "unscored (empty)"
    assert not set(HEAVY) & set(modules)
    assert {"numpy", "h5py"} <= set(modules)  # the check sees real imports

    status, out, _, modules = _run(["explain", "thanks,", "that", "fixed", "it!"], tmp_path)
    assert status == 0 and "fixed" in out
    assert not set(HEAVY) & set(modules)


def test_runtime_tensorflow_uses_tensorflow(tmp_path: Path) -> None:
    status, out, _, modules = _run(["score", "the build is broken again"], tmp_path, "tensorflow")
    assert status == 0 and out.split("\t")[1] == "negative"
    assert "tensorflow" in modules


def test_unsupported_model_falls_back_to_tensorflow(tiny_dir: Path, tmp_path: Path) -> None:
    args = ["score", "-v", "--model", str(tiny_dir), "what a great day"]
    status, out, err, modules = _run(args, tmp_path, "numpy")
    assert status == 0 and out.split("\t")[1] == "positive"
    assert "tensorflow" in modules  # TF-IDF weights: computed by TensorFlow
    lines = [line for line in err.splitlines() if "runs in TensorFlow" in line]
    assert len(lines) == 1 and "tf_idf" in lines[0]


@pytest.mark.parametrize(
    ("runtime", "command", "numpy"),
    [
        ("auto", "score", True), ("auto", "explain", True), ("auto", "run", False),
        ("auto", "serve", False), ("numpy", "run", True), ("tensorflow", "score", False),
    ],
)  # fmt: skip
def test_which_commands_run_in_numpy(runtime: str, command: str, numpy: bool) -> None:
    settings = load_settings(None)
    settings.model.runtime = runtime  # type: ignore[assignment]
    assert uses_numpy(settings, command) is numpy


def test_run_loads_numpy_or_falls_back(tiny_dir: Path) -> None:
    settings = load_settings(None)
    settings.model.runtime = "numpy"
    assert getattr(load_local_scorer(settings), "tensorflow_free", False)
    settings.model.path = tiny_dir  # TF-IDF: TensorFlow
    scorer = load_local_scorer(settings)
    assert not getattr(scorer, "tensorflow_free", False)
    assert scorer.score_many(["what a great day"])[0].label.value == "positive"


def test_a_numpy_bot_retrains_like_a_thin_one(fake_repo) -> None:  # noqa: ANN001
    from bot.bootstrap import default_retrainer
    from bot.retrain.thin import read_model_files
    from bot.retrain.versions import load_model_artifact

    settings = load_settings(None)
    for runtime, load in (("numpy", read_model_files), ("tensorflow", load_model_artifact)):
        settings.model.runtime = runtime  # type: ignore[assignment]
        manager = default_retrainer(settings, load_local_scorer(settings), fake_repo)
        assert manager._load_artifact is load  # metadata only: no TensorFlow in the bot


def test_serve_rows_from_numpy_equal_tensorflow_rows() -> None:
    from bot.serve.rows import PredictionRows
    from model.config import BUNDLED_MODEL_DIR
    from model.numpy_runtime import NumpyScorer
    from model.service import Scorer

    texts = ["the build is broken again", "", "<@U1> https://x.io", "ça marche pas", "great 👍"]
    got = PredictionRows(NumpyScorer.from_directory(BUNDLED_MODEL_DIR)).score_many(texts)
    want = PredictionRows(Scorer.from_directory(BUNDLED_MODEL_DIR)).score_many(texts)
    for g, w in zip(got, want, strict=True):
        assert g["probability"] == pytest.approx(w["probability"], abs=1e-4)
        assert {k: g[k] for k in ("classes", "words", "known", "model_version")} == {
            k: w[k] for k in ("classes", "words", "known", "model_version")
        }
