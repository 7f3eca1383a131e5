"""``sentibot train`` and ``sentibot evaluate``: the model life-cycle from the command line."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import get_args

from bot.config import Settings, load_settings
from model.config import Architecture

logger = logging.getLogger(__name__)

ARCHITECTURE_NAMES = get_args(Architecture)  # every architecture config.toml accepts


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``train`` and ``evaluate`` sub-commands."""
    train = subparsers.add_parser("train", help="train a model on IMDB and save it")
    train.add_argument("--architecture", choices=ARCHITECTURE_NAMES, default=None)
    train.add_argument("--epochs", type=int, default=None, help="override [train] epochs")
    train.add_argument(
        "--output",
        type=Path,
        default=None,
        help="model directory to write (default: a new version in var/models/, recorded in "
        "the database; the bundled model is never overwritten)",
    )
    train.add_argument("--max-train", type=int, default=None, help="use N training reviews")
    train.add_argument("--json", action="store_true", help="print the result as one JSON object")
    train.set_defaults(func=train_command)

    evaluate = subparsers.add_parser("evaluate", help="evaluate a model on the IMDB test split")
    evaluate.add_argument("--model", type=Path, default=None, help="model directory")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")
    evaluate.set_defaults(func=evaluate_command)


def _quiet_tensorflow() -> None:
    from bot.tfimport import import_tensorflow

    import_tensorflow()  # its native start-up lines go to the log file, not the terminal


def train_command(args: argparse.Namespace) -> int:
    """Train the configured (or given) architecture and save it; exit status 0 on success."""
    _quiet_tensorflow()
    from model.data import DataError
    from model.pipeline import run_training

    settings = load_settings(getattr(args, "config", None))
    model_config = settings.model
    if args.architecture:
        model_config = model_config.model_copy(update={"architecture": args.architecture})
    train_config = settings.train
    if args.epochs is not None:
        if args.epochs < 1:
            print("sentibot: --epochs must be at least 1", file=sys.stderr)
            return 2
        train_config = train_config.model_copy(update={"epochs": args.epochs})
    output = args.output or store_path(model_config.architecture)
    try:
        directory = run_training(
            settings.data, model_config, train_config, output,
            max_train=args.max_train, verbose=0 if args.json else "auto",
        )  # fmt: skip
    except DataError as exc:
        print(f"sentibot: {exc}", file=sys.stderr)
        return 1
    metadata = json.loads((directory / "metadata.json").read_text(encoding="utf-8"))
    summary = {
        "model": str(directory),
        "version": metadata["version"],
        "architecture": metadata["architecture"],
        "test": metadata["metrics"]["test"],
        "short_text": metadata["metrics"]["short_text"],
        "chat_labels": metadata["metrics"].get("chat_labels", {}),
        "seconds": metadata["training"]["seconds"],
    }
    recorded = args.output is None and record_in_store(settings, directory, metadata)
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"saved {summary['version']} to {directory} (trained in {summary['seconds']:.0f} s)")
        print(training_table(summary))
        if recorded:
            print(f"not serving yet: `sentibot models activate {summary['version']}` makes it so")
    return 0


def store_path(architecture: str) -> Path:
    """Where ``train`` without ``--output`` writes: a new folder in the model store."""
    from bot.retrain.versions import MODEL_STORE

    return MODEL_STORE / f"{architecture}-{datetime.now(UTC):%Y%m%dT%H%M%S}"


def record_in_store(settings: Settings, directory: Path, metadata: dict) -> bool:
    """Record a trained model as an inactive version in the database, so ``sentibot models``
    lists it and ``models activate`` serves it; ``False`` (with a line) when the database is
    unavailable (the model stays on disk)."""
    from bot.retrain.promotion import metadata_figures
    from storage.database import open_database
    from storage.types import ModelVersion

    record = ModelVersion(
        version=metadata["version"],
        path=str(directory.resolve()),
        metrics=metadata_figures(metadata),
        active=False,
        created_at=datetime.now(UTC),
        created_by="sentibot train",
    )
    try:
        with open_database(settings.storage) as database:
            database.repository.add_model_version(record)
    except Exception as exc:
        print(f"sentibot: model saved but not recorded ({type(exc).__name__})", file=sys.stderr)
        return False
    return True


def training_table(summary: dict) -> str:
    """The figures of a freshly trained model as a small table a person can read."""
    rows = [("set", "measure", "value")]
    test = summary["test"]
    rows += [
        ("IMDB test", "accuracy", f"{test['accuracy']:.4f}"),
        ("IMDB test", "AUC", f"{test['auc']:.4f}"),
    ]
    rows += [(name.replace("_", " "), "accuracy", f"{value:.3f}")
             for name, value in sorted(summary["short_text"].items())]  # fmt: skip
    for name, figures in sorted(summary["chat_labels"].items()):
        rows.append((name, "labels right", f"{figures['accuracy']:.3f}"))
        if "macro_f1" in figures:
            rows.append((name, "macro-F1", f"{figures['macro_f1']:.3f}"))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return "\n".join(f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c:>{widths[2]}}" for a, b, c in rows)


def evaluate_command(args: argparse.Namespace) -> int:
    """Print loss, accuracy, precision, recall and AUC of a saved model on the IMDB test split."""
    _quiet_tensorflow()
    from bot.retrain.versions import model_directory
    from model.artifact import ModelLoadError
    from model.data import DataError
    from model.evaluation import evaluate_directory

    settings = load_settings(getattr(args, "config", None))
    directory = model_directory(settings, args.model)
    try:
        metrics = evaluate_directory(directory, settings.data)
    except (ModelLoadError, DataError) as exc:
        print(f"sentibot: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(metrics))
    else:
        for key, value in metrics.items():
            print(f"{key:>9}: {value:.4f}")
    return 0
