"""The short-text check: how well a model scores chat-length text, next to VADER.

Two labelled sets live in ``benchmarks/data`` (``text<TAB>label``, label ``positive`` or
``negative``):

- ``imdb_test_sentences.tsv``: single sentences of IMDB *test* reviews whose polarity is plain
  (from 1-2 and 9-10 star reviews, containing a polar word of the review's side and none of the
  other side, no negation or contrast), built by ``build_review_sentences``;
- ``chat_messages.tsv``: hand-written chat messages (slang, emoji, negation, workplace chat).

``evaluate_short_text`` reports a model's accuracy on both; ``vader_accuracy`` the same for the
VADER lexicon scorer (compound > 0 means positive) when ``vaderSentiment`` is installed.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import keras
import numpy as np

from model.augment import split_sentences
from model.data import Split, make_split

logger = logging.getLogger(__name__)

_BESIDE_PACKAGE = Path(__file__).resolve().parents[1] / "benchmarks" / "data"
# The repository's sets (a checkout, an editable install); else ./benchmarks/data, where the
# container image puts them (/app): an installed package has no benchmarks/ beside it.
DATA_DIR = _BESIDE_PACKAGE if _BESIDE_PACKAGE.is_dir() else Path("benchmarks") / "data"
SETS = {"review_sentences": "imdb_test_sentences.tsv", "chat": "chat_messages.tsv"}
LABELS = {"negative": 0, "positive": 1}

POSITIVE_WORDS = frozenset(
    [
        "great",
        "excellent",
        "wonderful",
        "amazing",
        "brilliant",
        "superb",
        "outstanding",
        "loved",
        "love",
        "best",
        "perfect",
        "fantastic",
        "beautiful",
        "masterpiece",
        "enjoyed",
        "enjoyable",
        "favorite",
        "delightful",
        "terrific",
        "fun",
        "funny",
        "touching",
        "recommend",
        "recommended",
        "highly",
        "gem",
        "incredible",
    ]
)
NEGATIVE_WORDS = frozenset(
    [
        "awful",
        "terrible",
        "horrible",
        "worst",
        "boring",
        "waste",
        "bad",
        "poor",
        "stupid",
        "dull",
        "disappointing",
        "disappointed",
        "pathetic",
        "lame",
        "ridiculous",
        "mess",
        "garbage",
        "crap",
        "annoying",
        "badly",
        "pointless",
        "unwatchable",
        "dreadful",
        "laughable",
        "avoid",
    ]
)
_BLOCKERS = frozenset(
    ["not", "no", "never", "nothing", "but", "however", "although", "though", "isn't", "wasn't"]
)
_TOKEN = re.compile(r"[a-z']+")


def plain_polarity(sentence: str, positive: bool) -> bool:
    """True when ``sentence`` has a polar word of its side, none of the other, no negation."""
    words = set(_TOKEN.findall(sentence.lower()))
    if words & _BLOCKERS or any(w.endswith("n't") for w in words):
        return False
    mine, other = (POSITIVE_WORDS, NEGATIVE_WORDS) if positive else (NEGATIVE_WORDS, POSITIVE_WORDS)
    return bool(words & mine) and not words & other


def build_review_sentences(root: Path, per_label: int = 500, seed: int = 7) -> Split:
    """Sample plain-polarity sentences (4..25 words) from the unpacked IMDB *test* reviews.

    Parameters
    ----------
    root
        The unpacked ``aclImdb`` folder.
    per_label
        Sentences per label; at most one per review.
    """
    rng = np.random.default_rng(seed)
    texts: list[str] = []
    labels: list[int] = []
    for label, stars, positive in (("pos", (9, 10), True), ("neg", (1, 2), False)):
        paths = [
            p
            for p in sorted((root / "test" / label).glob("*.txt"))
            if int(p.stem.rsplit("_", 1)[1]) in stars
        ]
        chosen: list[str] = []
        for index in rng.permutation(len(paths)):
            text = paths[index].read_text(encoding="utf-8", errors="replace")
            sentences = [
                s
                for s in split_sentences(text)
                if 4 <= len(s.split()) <= 25 and plain_polarity(s, positive)
            ]
            if sentences:
                chosen.append(sentences[rng.integers(len(sentences))])
            if len(chosen) == per_label:
                break
        texts.extend(chosen)
        labels.extend([int(positive)] * len(chosen))
    return make_split(texts, labels)


def read_tsv(path: Path) -> Split:
    """Read ``text<TAB>positive|negative`` lines (``#`` comments and blank lines skipped)."""
    texts: list[str] = []
    labels: list[int] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        text, _, label = line.rpartition("\t")
        if label.strip() not in LABELS or not text.strip():
            raise ValueError(f"{path}:{number}: expected 'text<TAB>positive|negative'")
        texts.append(text)
        labels.append(LABELS[label.strip()])
    return make_split(texts, labels)


def write_tsv(split: Split, path: Path) -> None:
    """Write a split as ``text<TAB>label`` lines (tabs and newlines in text become spaces)."""
    names = {v: k for k, v in LABELS.items()}
    lines = [
        f"{' '.join(text.split())}\t{names[int(label)]}"
        for text, label in zip(split.texts, split.labels, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def short_text_sets(data_dir: Path = DATA_DIR) -> dict[str, Split]:
    """The short-text sets present in ``data_dir`` (missing files are skipped with a warning)."""
    sets: dict[str, Split] = {}
    for name, filename in SETS.items():
        path = data_dir / filename
        if path.is_file():
            sets[name] = read_tsv(path)
        else:
            logger.warning("short-text set %s not found; skipped", path)
    return sets


def accuracy(probs: np.ndarray, labels: np.ndarray, threshold: float = 0.5) -> float:
    """Share of rows where ``probs > threshold`` agrees with the label."""
    return float(np.mean((np.asarray(probs) > threshold).astype(int) == np.asarray(labels)))


def evaluate_short_text(model: keras.Model, data_dir: Path = DATA_DIR) -> dict[str, float]:
    """Accuracy of an end-to-end model on each short-text set (probability > 0.5 = positive)."""
    from model.training import predict_probabilities

    return {
        name: round(accuracy(predict_probabilities(model, split.texts), split.labels), 4)
        for name, split in short_text_sets(data_dir).items()
    }


def vader_accuracy(data_dir: Path = DATA_DIR) -> dict[str, float]:
    """VADER's accuracy on each short-text set (compound > 0 = positive); {} without VADER."""
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        logger.warning("vaderSentiment is not installed; no VADER baseline")
        return {}
    analyzer = SentimentIntensityAnalyzer()
    results = {}
    for name, split in short_text_sets(data_dir).items():
        compound = np.array([analyzer.polarity_scores(t)["compound"] for t in split.texts])
        results[name] = round(accuracy(compound, split.labels, threshold=0.0), 4)
    return results
