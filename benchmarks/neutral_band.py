"""Choose the ``[scoring]`` neutral band: how candidate bands treat polar and neutral messages.

For each band ``[low, high]`` on calibrated scores it prints, for the polar short-text sets
(chat messages and single review sentences), the share that gets a positive/negative label and
how many of those are right, and the share of hand-written neutral messages that land inside
the band (``benchmarks/data/neutral_messages.txt``). Usage::

    python benchmarks/neutral_band.py [--model DIR]
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from model.config import BUNDLED_MODEL_DIR, ScoringConfig  # noqa: E402
from model.service import Scorer  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"
BANDS = ((0.5, 0.5), (0.45, 0.55), (0.4, 0.6), (0.35, 0.65), (0.3, 0.7))


def _lines(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8").splitlines()
    return [line for line in text if line.strip() and not line.startswith("#")]


def _labelled(path: Path) -> tuple[list[str], list[bool]]:
    rows = [line.split("\t") for line in _lines(path)]
    return [r[0] for r in rows], [r[1].strip() == "positive" for r in rows]


def main() -> None:
    """Print the band table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=BUNDLED_MODEL_DIR)
    args = parser.parse_args()
    scorer = Scorer.from_directory(args.model, ScoringConfig(languages=[]))
    neutral, _, _ = scorer.probabilities(_lines(DATA / "neutral_messages.txt"))
    print(f"model {scorer.version}; {len(neutral)} neutral messages")
    print(f"{'set':<10} {'band':<11} {'labelled':>9} {'right':>7} {'neutral in band':>16}")
    for name in ("chat_messages.tsv", "imdb_test_sentences.tsv"):
        texts, labels = _labelled(DATA / name)
        probs, _, _ = scorer.probabilities(texts)
        for low, high in BANDS:
            polar = [(p, y) for p, y in zip(probs, labels, strict=True) if p < low or p > high]
            right = sum((p > 0.5) == y for p, y in polar) / max(1, len(polar))
            inside = sum(low <= p <= high for p in neutral) / len(neutral)
            print(
                f"{name.split('_')[0]:<10} {low:.2f}-{high:.2f} {len(polar) / len(texts):>9.1%}"
                f" {right:>7.1%} {inside:>16.0%}"
            )


if __name__ == "__main__":
    main()
