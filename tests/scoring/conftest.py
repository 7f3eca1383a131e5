"""Fixtures for the scoring tests: tiny trained models saved as real artifacts."""

from __future__ import annotations

from pathlib import Path

import pytest

from model.artifact import Artifact, load_artifact
from model.config import ScoringConfig
from tests.scoring.tiny import save_tiny_model


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A saved tiny model, version ``tiny-a``."""
    return save_tiny_model(tmp_path_factory.mktemp("tiny-a"), "tiny-a")


@pytest.fixture(scope="session")
def tiny_artifact(tiny_dir: Path) -> Artifact:
    return load_artifact(tiny_dir)


@pytest.fixture(scope="session")
def other_artifact(tiny_artifact: Artifact) -> Artifact:
    """The same network under another version, for hot swap tests."""
    return Artifact(
        model=tiny_artifact.model,
        metadata={**tiny_artifact.metadata, "version": "tiny-b"},
        directory=tiny_artifact.directory,
        version="tiny-b",
    )


@pytest.fixture(scope="session")
def scorer(tiny_artifact: Artifact):  # noqa: ANN201
    from model.service import Scorer

    return Scorer(tiny_artifact, ScoringConfig(max_chars=200))
