"""Train architectures/recipes on IMDB (+ chat) and print what each achieves, beside baselines.

Columns per row: IMDB test accuracy (binary, score > 0.5) and AUC; ``sentences`` (single IMDB
test-review sentences, binary) and ``chat2`` (``chat_messages.tsv``, binary), see
``model/shorttext.py``; then the *label a user sees* (``model.chateval``: through the scoring
service, so calibration, language gate and, for a binary head, the ``[scoring]`` band count) on
``polar`` (``workchat_polar.tsv``: clear-polarity work chat, neutral counts as wrong),
``team`` (``teamchat_eval.tsv``, three classes) and ``devchat_dev`` (accuracy, macro-F1 and the
share labelled neutral); training seconds, parameters and file size. Per-class F1 and the
confusion matrices follow the table. Baseline rows: VADER (compound >= 0.05 positive, <= -0.05
negative) and a TF-IDF logistic regression trained on ``devchat_train`` (scikit-learn, the
anchor to beat).

Usage::

    python benchmarks/accuracy.py [--architectures bigram,sequential] [--max-train N]
        [--epochs N] [--set data.chat_repeat=3 --set model.head=\\"three_class\\" ...]
        [--band 0.35,0.65] [--save DIR] [--no-baselines] [--model DIR]

``--set SECTION.KEY=VALUE`` overrides the config for this run (repeatable); several recipes are
compared by running the script once per recipe. ``--model DIR`` measures a saved model instead
of training one (e.g. the shipped ``model/default``). ``--band`` picks the neutral band for a
binary head (default: ``[scoring]``); ``--choose-band`` prints the band that maximises
``devchat_dev`` macro-F1 (choosing on dev, never training on it).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from bot.config import Settings, load_settings  # noqa: E402
from model.architectures import ARCHITECTURES  # noqa: E402
from model.artifact import load_artifact  # noqa: E402
from model.chat import read_chat_tsv  # noqa: E402
from model.chateval import (  # noqa: E402
    chat_sets,
    evaluate_labels,
    label_metrics,
    scorer_labeller,
    vader_labeller,
)
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


def chat_columns(labels: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The table's chat-label columns from ``model.chateval`` results."""
    polar, team, dev = (labels.get(k, {}) for k in ("workchat_polar", "teamchat", "devchat_dev"))
    return {
        "polar": polar.get("accuracy"),
        "team": team.get("accuracy"),
        "team_f1": team.get("macro_f1"),
        "dev_acc": dev.get("accuracy"),
        "dev_f1": dev.get("macro_f1"),
        "dev_neu": dev.get("neutral_share"),
    }


def measure(name: str, directory: Path, settings: Settings, sets: dict) -> dict[str, Any]:
    """One table row for the saved model in ``directory``, plus its detailed chat metrics."""
    from model.service import Scorer

    meta = json.loads((directory / "metadata.json").read_text())
    test, short = meta["metrics"]["test"], meta["metrics"]["short_text"]
    artifact = load_artifact(directory)
    scorer = Scorer(artifact, settings.scoring)
    labels = evaluate_labels(scorer_labeller(scorer), sets)
    size = sum(p.stat().st_size for p in directory.iterdir() if p.is_file())
    return {
        "model": name,
        "head": meta.get("config", {}).get("model", {}).get("head", "binary"),
        "imdb": test.get("accuracy"),
        "auc": test.get("auc"),
        "sentences": short.get("review_sentences"),
        "chat2": short.get("chat"),
        **chat_columns(labels),
        "train_s": meta["training"]["seconds"],
        "params": artifact.model.count_params(),
        "mb": round(size / 1e6, 2),
        "details": labels,
    }


def tfidf_labeller(train_path: str):
    """A TF-IDF (1-2-gram, sublinear) logistic regression trained on ``devchat_train``."""
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        logging.warning("scikit-learn is not installed (dev extras); no TF-IDF LR baseline")
        return None
    train = read_chat_tsv(train_path)
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    classifier = LogisticRegression(C=3.0, max_iter=3000)
    classifier.fit(vectorizer.fit_transform(train.texts), train.labels)

    def label(texts: list[str]) -> list[int]:
        return classifier.predict(vectorizer.transform(texts)).tolist()

    return label


def baselines(settings: Settings, sets: dict) -> list[dict[str, Any]]:
    """VADER and TF-IDF LR rows."""
    rows = []
    vader = vader_labeller()
    if vader is not None:
        binary = vader_accuracy()
        labels = evaluate_labels(vader, sets)
        rows.append(
            {
                "model": "vader",
                "sentences": binary.get("review_sentences"),
                "chat2": binary.get("chat"),
                **chat_columns(labels),
                "details": labels,
            }
        )
    devchat_train = next((p for p in settings.data.chat_train if "devchat_train" in p), None)
    lr = tfidf_labeller(devchat_train) if devchat_train else None
    if lr is not None:
        labels = evaluate_labels(lr, sets)
        rows.append(
            {"model": "tfidf-lr (devchat_train)", **chat_columns(labels), "details": labels}
        )
    return rows


def choose_band(directory: Path, settings: Settings, sets: dict) -> tuple[float, float, float]:
    """The neutral band (on calibrated scores) with the best ``devchat_dev`` macro-F1."""
    from model.service import Scorer

    scorer = Scorer(load_artifact(directory), settings.scoring)
    dev = sets["devchat_dev"]
    probs = np.concatenate(
        [scorer.probabilities(dev.texts[i : i + 256])[0] for i in range(0, len(dev), 256)]
    )
    best = (0.0, 0.5, 0.5)
    for low in np.arange(0.20, 0.51, 0.01):
        for high in np.arange(0.50, 0.81, 0.01):
            codes = np.where(probs < low, 0, np.where(probs > high, 2, 1))
            f1 = label_metrics(codes, dev.labels)["macro_f1"]
            if f1 > best[0]:
                best = (f1, round(float(low), 2), round(float(high), 2))
    return best


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return f"{value:.4f}" if isinstance(value, float) and value <= 1.0 else str(value)


def print_table(rows: list[dict[str, Any]]) -> None:
    """Print rows as an aligned text table (columns from the first row, no details)."""
    columns = [c for c in rows[0] if c != "details"]
    cells = [[_cell(r.get(c)) for c in columns] for r in rows]
    widths = [max(len(c), *(len(cell[i]) for cell in cells)) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    for cell in cells:
        print("  ".join(v.ljust(w) for v, w in zip(cell, widths, strict=True)))


def print_details(rows: list[dict[str, Any]]) -> None:
    """Per-class F1 and confusion matrices (rows: true neg/neu/pos; columns: labelled)."""
    for r in rows:
        for name, m in r.get("details", {}).items():
            print(
                f"{r['model']:<28} {name:<15} acc {m['accuracy']:.4f} macro-F1 {m['macro_f1']:.4f}"
                f" F1 {m['f1']} neutral {m['neutral_share']:.3f} confusion {m['confusion']}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", default=None)
    parser.add_argument("--architectures", default=",".join(ARCHITECTURES))
    parser.add_argument("--max-train", type=int, default=None, help="training reviews to use")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--set", action="append", default=[], dest="sets")
    parser.add_argument("--band", default=None, help="neutral band LOW,HIGH for a binary head")
    parser.add_argument("--choose-band", action="store_true")
    parser.add_argument("--model", type=Path, default=None, help="measure a saved model")
    parser.add_argument("--save", type=Path, default=None, help="keep the (last) trained model")
    parser.add_argument("--no-baselines", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    settings = apply_sets(load_settings(args.config), args.sets)
    if args.epochs:
        settings = apply_sets(settings, [f"train.epochs={args.epochs}"])
    if args.band:
        low, high = args.band.split(",")
        settings = apply_sets(
            settings, [f"scoring.neutral_low={low}", f"scoring.neutral_high={high}"]
        )
    sets = chat_sets(settings.data.chat_dev or None)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        if args.model:
            todo = [(str(args.model), args.model)]
        else:
            reviews = load_reviews(settings.data)
            todo = []
            for name in args.architectures.split(","):
                model_config = settings.model.model_copy(update={"architecture": name})
                train_config = settings.train.model_copy(update={"output_dir": Path(tmp) / "runs"})
                out = run_training(
                    settings.data, model_config, train_config, Path(tmp) / name,
                    max_train=args.max_train, reviews=reviews, verbose=2,
                    scoring=settings.scoring,
                )  # fmt: skip
                todo.append((name, out))
        for name, out in todo:
            rows.append(measure(name, out, settings, sets))
            print(json.dumps({k: v for k, v in rows[-1].items() if k != "details"}), flush=True)
            if args.choose_band and "devchat_dev" in sets:
                f1, low, high = choose_band(out, settings, sets)
                print(f"{name}: best band on devchat_dev {low:.2f}-{high:.2f} (macro-F1 {f1:.4f})")
        if args.save and todo and not args.model:
            shutil.copytree(todo[-1][1], args.save, dirs_exist_ok=True)
    if not args.no_baselines:
        rows.extend(baselines(settings, sets))
    print(f"\nrecipe: {' '.join(args.sets) or 'defaults'}; max_train={args.max_train}")
    print_table(rows)
    print()
    print_details(rows)


if __name__ == "__main__":
    main()
