"""Labels on chat: how often the label a user sees is right, per class, beside baselines.

The label is what ``model.service.Scorer`` returns (calibration, language gate and, for a
binary head, the ``[scoring]`` neutral band included); an unscored message counts as neutral.
Sets (``model.chat`` layouts):

- ``teamchat``: sentibot's own held-out team-chat set, three classes
  (``benchmarks/data/teamchat_eval.tsv``; its training part is ``teamchat_train.tsv``);
- ``workchat_polar``: short, clearly positive or negative work chat
  (``benchmarks/data/workchat_polar.tsv``): a neutral label counts as wrong;
- ``devchat_dev``: the developer-chat choosing split (``[data] chat_dev``), three classes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from model.chat import read_chat_tsv
from model.shorttext import DATA_DIR as SHORT_TEXT_DATA
from model.splits import CLASS_NAMES, Split

logger = logging.getLogger(__name__)

DATA_DIR = SHORT_TEXT_DATA  # the same folder: the repository's, or the image's /app one
OWN_SETS = {"teamchat": "teamchat_eval.tsv", "workchat_polar": "workchat_polar.tsv"}
NAMES = CLASS_NAMES[3]


def chat_sets(dev_path: str | Path | None = None, data_dir: Path = DATA_DIR) -> dict[str, Split]:
    """The labelled chat sets present (missing files are skipped with a warning)."""
    paths = {name: data_dir / filename for name, filename in OWN_SETS.items()}
    if dev_path:
        paths["devchat_dev"] = Path(dev_path).expanduser()
    sets = {}
    for name, path in paths.items():
        if path.is_file():
            sets[name] = read_chat_tsv(path)
        else:
            logger.warning("chat set %s not found; skipped", path)
    return sets


def label_metrics(predicted: Sequence[int] | np.ndarray, truth: np.ndarray) -> dict[str, Any]:
    """Accuracy, macro-F1 over the classes present in ``truth``, per-class F1, confusion.

    ``confusion[i][j]`` counts messages of class ``i`` labelled ``j`` (negative, neutral,
    positive); ``neutral_share`` is the share labelled neutral.
    """
    predicted = np.asarray(predicted, dtype=int)
    truth = np.asarray(truth, dtype=int)
    confusion = np.zeros((3, 3), dtype=int)
    np.add.at(confusion, (truth, predicted), 1)
    f1: dict[str, float] = {}
    for index, name in enumerate(NAMES):
        tp = confusion[index, index]
        support, guessed = confusion[index].sum(), confusion[:, index].sum()
        if support == 0:
            continue
        f1[name] = round(float(2 * tp / (support + guessed)) if tp else 0.0, 4)
    return {
        "n": int(truth.size),
        "accuracy": round(float(np.mean(predicted == truth)), 4) if truth.size else 0.0,
        "macro_f1": round(float(np.mean(list(f1.values()))), 4) if f1 else 0.0,
        "f1": f1,
        "confusion": confusion.tolist(),
        "neutral_share": round(float(np.mean(predicted == 1)), 4) if truth.size else 0.0,
    }


def evaluate_labels(
    label: Callable[[list[str]], Sequence[int] | np.ndarray], sets: dict[str, Split]
) -> dict[str, dict[str, Any]]:
    """``label_metrics`` of a labeller (texts -> codes 0/1/2) on every set."""
    return {name: label_metrics(label(split.texts), split.labels) for name, split in sets.items()}


def scorer_labeller(scorer: Any) -> Callable[[list[str]], list[int]]:
    """Codes 0/1/2 of the labels a ``Scorer`` gives (unscored counts as neutral)."""
    codes = {"negative": 0, "neutral": 1, "positive": 2, "unscored": 1}

    def label(texts: list[str]) -> list[int]:
        out: list[int] = []
        for start in range(0, len(texts), 256):
            out.extend(codes[s.label.value] for s in scorer.score_many(texts[start : start + 256]))
        return out

    return label


def vader_labeller(threshold: float = 0.05) -> Callable[[list[str]], list[int]] | None:
    """VADER's usual three-way rule (compound >= 0.05 positive, <= -0.05 negative)."""
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        return None
    analyzer = SentimentIntensityAnalyzer()

    def label(texts: list[str]) -> list[int]:
        compound = np.array([analyzer.polarity_scores(t)["compound"] for t in texts])
        return np.where(compound >= threshold, 2, np.where(compound <= -threshold, 0, 1)).tolist()

    return label
