"""Whether a retrained model may replace the serving one, and the record of both.

A new model is compared with the serving one on the IMDB test split (figures from each model's
metadata) and on held-back feedback; it is promoted only when no figure is worse by more than
the tolerance. Both versions are recorded (``Repository.add_model_version``) so either can be
activated later.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.core.feedback import LABELS
from storage.repository import Repository
from storage.types import Feedback, ModelVersion

if TYPE_CHECKING:
    from model.artifact import Artifact
    from model.batcher import BatchScorer as Scorer

logger = logging.getLogger(__name__)

Figures = dict[str, float]
COMPARED = ("imdb_accuracy", "feedback_accuracy")
TRAINED = "corrections_trained"  # a version's metric: the corrections it trained on
HELD = "feedback_count"  # the held-back corrections its feedback_accuracy was measured on


def feedback_accuracy(scores: Sequence[float | None], held: Sequence[Feedback]) -> float:
    """Share of held-back feedback a model agrees with (score >= 0.5 is positive)."""
    if not held:
        return float("nan")
    right = sum(
        s is not None and int(s >= 0.5) == LABELS[fb.label]
        for s, fb in zip(scores, held, strict=True)
    )
    return right / len(held)


def compare(new: Figures, old: Figures, tolerance: float) -> tuple[bool, list[str]]:
    """Whether ``new`` may replace ``old``: no shared figure worse by more than ``tolerance``.

    Returns ``(promote, reasons)``; ``reasons`` names each figure that is too much worse.
    """
    reasons = []
    for key in COMPARED:
        a, b = new.get(key), old.get(key)
        if b is None or b != b:  # the active model has no such figure (or NaN): nothing to beat
            continue
        if a is None or a != a:
            reasons.append(f"the new model has no {key} to compare with the active model's")
            continue
        if a < b - tolerance:
            reasons.append(f"{key} {a:.4f} is below the active model's {b:.4f} - {tolerance:g}")
    return not reasons, reasons


def format_figures(figures: Figures) -> str:
    """A version's figures for people: IMDB accuracy beside the accuracy on held-back
    corrections, and how many corrections it trained on.

    ``IMDB accuracy 0.8812, held-back corrections 0.7500 (n=12), trained on 48 corrections``;
    a figure not measured is left out (``no figures`` when none was).
    """
    parts = []
    imdb = figures.get("imdb_accuracy")
    if imdb is not None and imdb == imdb:
        parts.append(f"IMDB accuracy {imdb:.4f}")
    held = figures.get("feedback_accuracy")
    if held is not None and held == held:
        parts.append(f"held-back corrections {held:.4f} (n={int(figures.get(HELD, 0))})")
    if TRAINED in figures:
        count = int(figures[TRAINED])
        parts.append(f"trained on {count} correction{'' if count == 1 else 's'}")
    return ", ".join(parts) or "no figures"


def metadata_figures(metadata: dict[str, Any]) -> Figures:
    """The IMDB test figures recorded in a model's metadata, as ``imdb_<metric>``."""
    test = (metadata.get("metrics") or {}).get("test") or {}
    return {f"imdb_{k}": float(v) for k, v in test.items() if isinstance(v, int | float)}


def find_artifact_dir(output: Path, announced: str | None = None) -> Path | None:
    """The folder holding ``metadata.json``: the announced one, ``output`` or its newest child."""
    for candidate in (Path(announced) if announced else None, output):
        if candidate is not None and (candidate / "metadata.json").is_file():
            return candidate
    children = sorted(output.glob("*/metadata.json"), key=lambda p: p.stat().st_mtime)
    return children[-1].parent if children else None


async def active_figures(scorer: Scorer, repository: Repository) -> Figures:
    """The serving model's IMDB figures: from its metadata, else from its database record."""
    serving = getattr(scorer, "artifact", None)  # only an in-process model has its artifact
    if serving is not None and getattr(serving, "metadata", None):
        return metadata_figures(serving.metadata)
    active = await asyncio.to_thread(repository.active_model_version)
    if active is not None and active.version == scorer.version:
        return {k: v for k, v in active.metrics.items() if k.startswith("imdb_")}
    return {}


async def evaluate(
    artifact: Artifact,
    held: list[Feedback],
    scorer: Scorer,
    repository: Repository,
    make_scorer: Callable[[Artifact], Scorer],
) -> tuple[Figures, Figures]:
    """Figures of the new (``artifact``) and the serving (``scorer``) model.

    IMDB test figures come from metadata; both models score the held-back feedback in worker
    threads. Returns ``(new, active)``.
    """
    new_fig = metadata_figures(artifact.metadata)
    old_fig = await active_figures(scorer, repository)
    if held:
        texts = [fb.text for fb in held]
        candidate = await asyncio.to_thread(make_scorer, artifact)
        new_scores = await asyncio.to_thread(candidate.score_many, texts)
        old_scores = await asyncio.to_thread(scorer.score_many, texts)
        new_fig["feedback_accuracy"] = feedback_accuracy([s.score for s in new_scores], held)
        old_fig["feedback_accuracy"] = feedback_accuracy([s.score for s in old_scores], held)
        new_fig["feedback_count"] = old_fig["feedback_count"] = float(len(held))
    return new_fig, old_fig


async def record_versions(
    repository: Repository,
    scorer: Scorer,
    artifact: Artifact,
    directory: Path,
    figures: Figures,
    who: str,
    active: bool,
) -> None:
    """Record the serving model (if unknown, so it can be rolled back to) and the new one."""
    known = {mv.version for mv in await asyncio.to_thread(repository.list_model_versions)}
    serving = getattr(scorer, "artifact", None)  # only an in-process model has its artifact
    if scorer.version not in known and serving is not None:
        current = ModelVersion(
            version=scorer.version,
            path=str(Path(serving.directory).resolve()),
            metrics=metadata_figures(serving.metadata),
            active=True,
            created_at=datetime.now(UTC),
            created_by="(serving before retrain)",
        )
        await asyncio.to_thread(repository.add_model_version, current)
    record = ModelVersion(
        version=artifact.version,
        path=str(Path(directory).resolve()),
        metrics={k: v for k, v in figures.items() if v == v},
        active=active,
        created_at=datetime.now(UTC),
        created_by=who,
    )
    await asyncio.to_thread(repository.add_model_version, record)
