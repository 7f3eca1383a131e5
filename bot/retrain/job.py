"""The retrain's training process: ``python -m bot.retrain.job``.

``bot.retrain.manager.RetrainManager`` starts it as a child process so TensorFlow training never
runs in the bot's process. It trains on IMDB plus the feedback rows and saves the model.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

logger = logging.getLogger(__name__)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The child's command line (see ``main``)."""
    parser = argparse.ArgumentParser(prog="python -m bot.retrain.job", description=main.__doc__)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--extra-data", type=Path, default=None)
    parser.add_argument("--config", default=None)
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--max-train", type=int, default=None)
    parser.add_argument("--reviews", type=Path, default=None)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Train on IMDB plus feedback rows and save the model.

    ``python -m bot.retrain.job --output DIR [--extra-data FILE.jsonl] [--config FILE]
    [--epochs N] [--max-train N] [--reviews FILE.jsonl]``. ``--reviews`` trains and tests on a
    small JSONL file instead of IMDB (quick checks). Prints Keras' per-epoch lines, then
    ``{"event": "done", "directory": ..., "version": ...}``. Returns the exit status.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    from bot.config import load_settings
    from model.data import DataError, Reviews, concat, load_reviews, read_jsonl
    from model.pipeline import run_training

    settings = load_settings(args.config)
    train = settings.train
    if args.epochs is not None:
        train = train.model_copy(update={"epochs": args.epochs})
    try:
        if args.reviews is not None:
            rows = read_jsonl(args.reviews)
            reviews = Reviews(rows, rows, {"source": "jsonl", "path": str(args.reviews)})
        else:
            reviews = load_reviews(settings.data)
        if args.extra_data is not None:
            extra = read_jsonl(args.extra_data)
            merged = concat(reviews.train, extra)
            reviews = Reviews(merged, reviews.test, {**reviews.source, "feedback_rows": len(extra)})
    except DataError as exc:
        print(f"retrain: {exc}", file=sys.stderr)
        return 1
    directory = run_training(
        settings.data,
        settings.model,
        train,
        args.output,
        max_train=args.max_train,
        reviews=reviews,
        verbose=2,
    )
    version = json.loads((directory / "metadata.json").read_text("utf-8"))["version"]
    print(json.dumps({"event": "done", "directory": str(directory), "version": version}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
