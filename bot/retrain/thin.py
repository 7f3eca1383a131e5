"""Retrain from a thin bot: a bot that scores through a model server never loads a model.

``RetrainManager`` loads the new model to compare it with the serving one, and follows the
active version by loading it. A thin bot (``[model] serving_url``) gets TensorFlow-free stand-ins
(``bot.bootstrap.default_retrainer`` passes them):

- ``read_model_files`` reads a model directory's ``metadata.json`` only (version, figures);
- ``CandidateScorer`` scores the held-back feedback with the new model in a child process
  (``python -m bot.retrain.thin DIR``, which imports TensorFlow and exits), as the training
  itself runs in a child.

After a promotion the model server switches by itself (``sentibot serve`` follows the active
version; TF Serving needs ``sentibot export``), so the thin bot's ``swap`` only asks it which
version answers.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from model.types import Label, Score

METADATA_FILE = "metadata.json"
CHILD_TIMEOUT_S = 600.0


@dataclass(frozen=True)
class ModelFiles:
    """A model directory known by its metadata (what the retrain reads of an ``Artifact``)."""

    version: str
    metadata: dict[str, Any]
    directory: Path


def read_model_files(directory: Path) -> ModelFiles:
    """Read ``directory/metadata.json`` without loading the model.

    Raises
    ------
    ValueError
        When the file is missing, corrupt or has no version.
    """
    path = Path(directory) / METADATA_FILE
    try:
        metadata = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path} cannot be read: {type(exc).__name__}") from None
    if not isinstance(metadata, dict) or "version" not in metadata:
        raise ValueError(f"{path} has no model version")
    return ModelFiles(str(metadata["version"]), metadata, Path(directory))


class ModelDirectory(Protocol):
    """A model's version and folder (``ModelFiles``, or a loaded ``Artifact``)."""

    @property
    def version(self) -> str: ...

    @property
    def directory(self) -> Path: ...


class CandidateScorer:
    """Score texts with a model directory in a child process (TensorFlow lives and dies there).

    Parameters
    ----------
    files
        The candidate model (``ModelFiles`` or an ``Artifact``).
    config_path
        The configuration file (``[scoring]``) for the child.
    python
        The interpreter to run (this one by default).
    """

    def __init__(
        self, files: ModelDirectory, config_path: Path | None = None, python: str = sys.executable
    ) -> None:
        self.files = files
        self.config_path = config_path
        self.python = python

    @property
    def version(self) -> str:
        """The candidate's version."""
        return self.files.version

    def score_many(self, texts: Sequence[str]) -> list[Score]:
        """Scores of ``texts`` by the candidate (one child process per call).

        Raises
        ------
        RuntimeError
            When the child fails (its last line of errors in the message).
        """
        command = [self.python, "-m", "bot.retrain.thin", str(self.files.directory)]
        if self.config_path is not None:
            command += ["--config", str(self.config_path)]
        done = subprocess.run(  # noqa: S603 - our own interpreter and module
            command,
            input=json.dumps(list(texts)),
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT_S,
            check=False,
        )
        if done.returncode != 0:
            tail = (done.stderr.strip().splitlines() or ["no message"])[-1][:300]
            raise RuntimeError(f"scoring with {self.files.version} failed: {tail}")
        rows = json.loads(done.stdout)
        return [Score(r["score"], Label(r["label"]), r["version"], r["reason"]) for r in rows]

    def swap(self, artifact: object) -> None:
        """Not used: a candidate is never swapped."""
        raise NotImplementedError("a candidate scorer is not swapped")


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m bot.retrain.thin DIR [--config FILE]``: score a JSON list of texts read from
    stdin with the model in DIR; print a JSON list of ``{score, label, version, reason}``."""
    parser = argparse.ArgumentParser(prog="python -m bot.retrain.thin")
    parser.add_argument("directory", type=Path)
    parser.add_argument("--config", default=None)
    args = parser.parse_args(argv)
    from bot.config import load_settings
    from bot.tfimport import import_tensorflow

    settings = load_settings(args.config)
    import_tensorflow()
    from model.service import Scorer

    texts = json.loads(sys.stdin.read())
    scores = Scorer.from_directory(args.directory, settings.scoring).score_many(texts)
    rows = [
        {"score": s.score, "label": s.label.value, "version": s.model_version, "reason": s.reason}
        for s in scores
    ]
    print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
