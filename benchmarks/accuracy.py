"""Train every architecture on IMDB and print one table of what each achieves.

Columns: IMDB test accuracy and AUC, short-text accuracies (single review sentences and chat
messages, see ``model/shorttext.py``), training seconds, parameters and ``.keras`` file size.
A VADER row gives the lexicon baseline on the short-text sets.

Usage::

    python benchmarks/accuracy.py [--architectures bigram,sequential] [--max-train N]
        [--epochs N] [--set data.sentence_augment=false --set model.max_tokens=50000 ...]
        [--save-best DIR]

``--set SECTION.KEY=VALUE`` overrides the config for this run (repeatable); several recipes are
compared by running the script once per recipe.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from bot.config import Settings, load_settings  # noqa: E402
from model.architectures import ARCHITECTURES  # noqa: E402
from model.data import load_reviews  # noqa: E402
from model.pipeline import run_training  # noqa: E402
from model.shorttext import vader_accuracy  # noqa: E402


def apply_sets(settings: Settings, assignments: list[str]) -> Settings:
    """Apply ``section.key=value`` (value parsed as JSON when possible) to a copy of settings."""
    sections: dict[str, dict[str, Any]] = {}
    for item in assignments:
        key, _, raw = item.partition("=")
        section, _, name = key.partition(".")
        try:
            value: Any = json.loads(raw)
        except json.JSONDecodeError:
            value = raw
        sections.setdefault(section, getattr(settings, section).model_dump())[name] = value
    return settings.model_copy(
        update={
            name: type(getattr(settings, name)).model_validate(values)
            for name, values in sections.items()
        }
    )


def row(name: str, directory: Path, seconds: float) -> dict[str, Any]:
    """One table row from a saved artifact's metadata."""
    import keras

    meta = json.loads((directory / "metadata.json").read_text())
    test, short = meta["metrics"]["test"], meta["metrics"]["short_text"]
    model = keras.saving.load_model(directory / "sentiment.keras", compile=False)
    size = sum(p.stat().st_size for p in directory.iterdir() if p.is_file())
    return {
        "model": name,
        "test_acc": test.get("accuracy"),
        "auc": test.get("auc"),
        "sentences": short.get("review_sentences"),
        "chat": short.get("chat"),
        "train_s": meta["training"]["seconds"],
        "total_s": round(seconds, 1),
        "epochs": meta["training"]["epochs_run"],
        "params": model.count_params(),
        "size_mb": round(size / 1e6, 2),
    }


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return f"{value:.4f}" if isinstance(value, float) and value <= 1.0 else str(value)


def print_table(rows: list[dict[str, Any]]) -> None:
    """Print rows as an aligned text table (columns from the first row)."""
    columns = list(rows[0])
    cells = [[_cell(r.get(c)) for c in columns] for r in rows]
    widths = [max(len(c), *(len(cell[i]) for cell in cells)) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    for cell in cells:
        print("  ".join(v.ljust(w) for v, w in zip(cell, widths, strict=True)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", default=None)
    parser.add_argument("--architectures", default=",".join(ARCHITECTURES))
    parser.add_argument("--max-train", type=int, default=None, help="training reviews to use")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--set", action="append", default=[], dest="sets")
    parser.add_argument("--save-best", type=Path, default=None, help="keep the best artifact")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    settings = apply_sets(load_settings(args.config), args.sets)
    if args.epochs:
        settings = apply_sets(settings, [f"train.epochs={args.epochs}"])
    reviews = load_reviews(settings.data)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.architectures.split(","):
            model_config = settings.model.model_copy(update={"architecture": name})
            started = time.perf_counter()
            train_config = settings.train.model_copy(update={"output_dir": Path(tmp) / "runs"})
            out = run_training(
                settings.data, model_config, train_config, Path(tmp) / name,
                max_train=args.max_train, reviews=reviews, verbose=2,
            )  # fmt: skip
            rows.append(row(name, out, time.perf_counter() - started))
            print(json.dumps(rows[-1]), flush=True)
        vader = vader_accuracy()
        rows.append(
            {
                "model": "vader",
                "sentences": vader.get("review_sentences"),
                "chat": vader.get("chat"),
            }
        )
        print(f"\nrecipe: {' '.join(args.sets) or 'defaults'}; max_train={args.max_train}")
        print_table(rows)
        if args.save_best:
            best = max(rows[:-1], key=lambda r: (r["chat"] or 0) + (r["sentences"] or 0))
            shutil.copytree(Path(tmp) / best["model"], args.save_best, dirs_exist_ok=True)


if __name__ == "__main__":
    main()
