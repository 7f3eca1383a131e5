"""The training life-cycle end to end: data -> fit -> evaluate -> calibrate -> save.

``run_training`` is what ``sentibot train`` (and the bot's retrain command) call;
``save_trained`` is the part that needs no IMDB data, used by tests on small fixtures.
"""

from __future__ import annotations

import importlib.util
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from model.artifact import Artifact, save_artifact
from model.augment import augment
from model.chat import CREDITS, read_chat_tsv
from model.checksum import file_sha256
from model.class_calibration import calibrate_classes
from model.compact import round_kernels
from model.config import DataConfig, ModelConfig, ScoringConfig, TrainConfig
from model.data import (
    Reviews,
    Split,
    concat,
    load_reviews,
    make_split,
    subsample,
    train_validation_split,
)
from model.training import Fitted, evaluate, fit, predict_outputs, predict_probabilities

logger = logging.getLogger(__name__)


def calibrate(probs: np.ndarray, labels: np.ndarray) -> dict[str, Any] | None:
    """Fit the calibration of ``model.calibration`` on validation predictions, if available."""
    if importlib.util.find_spec("model.calibration") is None:
        logger.warning("model.calibration is not available; saving without calibration")
        return None
    from model.calibration import fit_calibration

    return fit_calibration(np.asarray(probs), np.asarray(labels))


def _polar_binary(split: Split) -> Split:
    """The negative and positive rows of a three-class split, as a binary split."""
    rows = np.flatnonzero(split.labels != 1)
    return make_split([split.texts[i] for i in rows], split.labels[rows] // 2)


def save_trained(
    train: Split,
    validation: Split,
    model_config: ModelConfig,
    train_config: TrainConfig,
    output: Path | str,
    *,
    test: Split | None = None,
    short_text: bool = False,
    extra_metadata: dict[str, Any] | None = None,
    run_dir: Path | None = None,
    seed: int = 1337,
    verbose: int | str = "auto",
) -> Path:
    """Fit on ``train``, calibrate on ``validation``, optionally evaluate, and save the artifact.

    Parameters
    ----------
    train, validation
        Training rows (augmented already, if wanted) and held-out rows from the training split.
    test
        Rows to report test metrics on (the IMDB test split); ``None`` skips the evaluation.
    short_text
        Also run the short-text check (``model.shorttext``) and record it in the metadata.
    extra_metadata
        More metadata keys (e.g. ``data``) to store.

    Returns
    -------
    Path
        The artifact directory.
    """
    fitted = fit(
        train, validation, model_config, train_config, run_dir=run_dir, seed=seed, verbose=verbose
    )
    return finish(
        fitted, validation, model_config, train_config, output,
        test=test, short_text=short_text, extra_metadata=extra_metadata,
    )  # fmt: skip


def finish(
    fitted: Fitted,
    validation: Split,
    model_config: ModelConfig,
    train_config: TrainConfig,
    output: Path | str,
    *,
    test: Split | None = None,
    short_text: bool = False,
    extra_metadata: dict[str, Any] | None = None,
    chat_dev: str = "",
    scoring: ScoringConfig | None = None,
    chat_validation: Split | None = None,
    calibration_reviews: int = 0,
    review_validation: Split | None = None,
) -> Path:
    """Evaluate, calibrate and save a fitted network (see ``save_trained``).

    Kernels saved in 8 bits (``model.compact``) are first rounded to that grid, so every metric
    here is of the weights saved. A three-class network then gets its class calibration
    (``model.class_calibration``) from ``chat_validation``, the held-out chat rows, plus the
    first ``calibration_reviews`` validation reviews (so the calibration does not trade review
    accuracy for chat).

    With ``short_text``, the labels on the chat sets (``model.chateval``, with ``chat_dev`` and
    the neutral band of ``scoring`` for a binary head) are measured on the saved model and
    recorded in the metadata as ``metrics.chat_labels``.
    """
    model = fitted.model
    round_kernels(model)  # the weights evaluated are the weights saved (model/compact.py)
    classes = None
    if fitted.network.head == "three_class" and chat_validation is not None:
        rows = chat_validation
        if calibration_reviews and review_validation is not None:
            count = min(calibration_reviews, len(review_validation))
            reviews = review_validation.take(list(range(count)))
            rows = concat(chat_validation, reviews)  # keeps reviews right (IMDB at 0.5)
        raw = predict_outputs(model, rows.texts)
        classes = calibrate_classes(model, raw, rows.labels)
    metrics: dict[str, Any] = {"test": evaluate(model, test) if test is not None else {}}
    if short_text:
        from model.shorttext import evaluate_short_text

        metrics["short_text"] = evaluate_short_text(model)
    else:
        metrics["short_text"] = {}
    polar = validation if validation.classes == 2 else _polar_binary(validation)
    calibration = calibrate(predict_probabilities(model, polar.texts), polar.labels)
    metadata: dict[str, Any] = {
        "architecture": fitted.network.architecture,
        "config": {
            "model": model_config.resolved().model_dump(mode="json"),
            "train": train_config.model_dump(mode="json"),
        },
        "data": {},
        "metrics": metrics,
        "calibration": calibration,
        "class_calibration": classes,
        "training": {
            "seconds": round(fitted.seconds, 1),
            "epochs_run": fitted.epochs_run,
            "history": fitted.history,
        },
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if short_text:
        metrics["chat_labels"] = chat_label_metrics(
            Artifact(model, {"calibration": calibration}, Path(output), "candidate"),
            chat_dev,
            scoring,
        )
    metadata.update(extra_metadata or {})
    return save_artifact(model, output, metadata)


def chat_label_metrics(
    artifact: Artifact, chat_dev: str = "", scoring: ScoringConfig | None = None
) -> dict[str, Any]:
    """The labels a model gives on the chat sets, through the scoring service."""
    from model.chateval import chat_sets, evaluate_labels, scorer_labeller
    from model.service import Scorer

    scorer = Scorer(artifact, scoring or ScoringConfig())
    return evaluate_labels(scorer_labeller(scorer), chat_sets(chat_dev or None))


def chat_rows(config: DataConfig) -> tuple[Split | None, Split | None]:
    """The chat training rows (each file repeated as configured) and held-out chat rows.

    A share (``chat_validation_split``) of every file is held out, stratified and seeded; it
    joins the validation rows (early stopping) and fits a three-class model's class
    calibration. ``(None, None)`` without ``chat_train``.
    """
    if not config.chat_train:
        return None, None
    train_parts, validation_parts = [], []
    for path, repeat in zip(config.chat_train, config.chat_repeats(), strict=True):
        rows, held = train_validation_split(
            read_chat_tsv(path), config.chat_validation_split, config.seed
        )
        train_parts.extend([rows] * repeat)
        validation_parts.append(held)
    return concat(*train_parts), concat(*validation_parts)


def run_training(
    data_config: DataConfig,
    model_config: ModelConfig,
    train_config: TrainConfig,
    output: Path | str,
    *,
    max_train: int | None = None,
    reviews: Reviews | None = None,
    verbose: int | str = "auto",
    scoring: ScoringConfig | None = None,
) -> Path:
    """Load IMDB (and ``[data] chat_train``), train, evaluate on the test split and save it.

    Parameters
    ----------
    max_train
        Use a seeded, balanced subset of this many training reviews (``None``: all 25,000).
    reviews
        Already loaded data (skips ``load_reviews``).

    Returns
    -------
    Path
        The artifact directory.
    """
    reviews = reviews or load_reviews(data_config)
    pool = subsample(reviews.train, max_train, data_config.seed)
    train, validation = train_validation_split(pool, data_config.validation_split, data_config.seed)
    chat, chat_validation = chat_rows(data_config)
    review_validation = validation
    if chat_validation is not None:
        validation = concat(validation, chat_validation)
    rows = augment(train, data_config, chat)
    logger.info(
        "training on %d rows (%d reviews), validating on %d", len(rows), len(train), len(validation)
    )
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    run_dir = Path(train_config.output_dir) / f"{model_config.architecture}-{stamp}"
    watched = validation
    if train_config.stop_on == "chat" and chat_validation is not None:
        watched = chat_validation  # early stopping on chat; the reviews still calibrate
    fitted = fit(
        rows, watched, model_config, train_config,
        run_dir=run_dir, seed=data_config.seed, verbose=verbose,
    )  # fmt: skip
    data_info = dict(reviews.source, train_reviews=len(train), train_rows=len(rows))
    if chat is not None:
        data_info["chat"] = {
            "files": {p: file_sha256(Path(p).expanduser()) for p in data_config.chat_train},
            "rows": len(chat),
            "repeat": data_config.chat_repeats(),
        }
    extra = {"data": data_info, "run_dir": str(run_dir), "credits": CREDITS}
    return finish(
        fitted, validation, model_config, train_config, output,
        test=reviews.test, short_text=True, extra_metadata=extra,
        chat_dev=data_config.chat_dev, scoring=scoring, chat_validation=chat_validation,
        calibration_reviews=data_config.calibration_reviews,
        review_validation=review_validation,
    )  # fmt: skip
