"""Is asking about the least-sure messages worth it? Corrections chosen by the model's doubt
against corrections of random messages, on held-out chat.

"Help me learn" (``bot/reports/learn.py``) asks about the messages whose stored score is nearest
0.5; a person answers positive or negative (a message that is neither gets no answer, as the
buttons offer no "neutral"). This script replays that on chat the shipped model never trained
on and measures binary accuracy (score > 0.5 is positive) on test messages with a polar label,
after k asked messages (k = 50, 100, 200), picked least-sure first or at random.

Learner (cheap, so it runs in seconds on 2 cores, in place of a full retrain): the shipped
model is frozen; its logit, log(s / (1 - s)) of the score s, is a fixed offset, and the
corrections fit a residual linear term on frozen TF-IDF word and word-pair features (fitted,
without labels, on the pool) with L2 (``--l2``, several values for a sensitivity check), i.e.
``logit = model + x.w + b``: the part of the default bigram model a retrain moves most (its
wide word-pair term), learnt from the corrections alone. Random picks are averaged over
``--repeats`` draws. A third strategy asks about the least-sure messages the model labels
positive or negative (score outside the default band 0.40-0.60).

Two setups: *in-domain*, ``devchat_dev`` (607 Stack Overflow / pull-request messages, never
trained on) split at random into a pool of 400 to ask about and a test of 207, five splits
averaged; *cross-domain*, the pool is all of ``devchat_dev`` and the test is sentibot's team
chat (``benchmarks/data/teamchat_eval.tsv`` and ``workchat_polar.tsv``, polar rows).
Usage::

    python benchmarks/active_learning.py [--model DIR] [--l2 1 10] [--repeats 10]
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
CHAT = HERE.parent.parent / "shared" / "data" / "chat"
KS = (50, 100, 200)
EPS = 1e-4


@dataclass
class Rows:
    """Texts with their gold label (negative / neutral / positive) and the model's score."""

    texts: list[str]
    labels: list[str]
    scores: np.ndarray

    def take(self, index: np.ndarray) -> Rows:
        return Rows(
            [self.texts[i] for i in index], [self.labels[i] for i in index], self.scores[index]
        )


def read_devchat(path: Path) -> tuple[list[str], list[str]]:
    rows = [line.split("\t") for line in path.read_text("utf-8").splitlines() if line.strip()]
    return [r[1] for r in rows], [r[0] for r in rows]


def read_sentibot(path: Path) -> tuple[list[str], list[str]]:
    lines = [x for x in path.read_text("utf-8").splitlines() if x.strip() and not x.startswith("#")]
    rows = [line.rsplit("\t", 1) for line in lines]
    return [r[0] for r in rows], [r[1].strip() for r in rows]


def fit_residual(x, offset: np.ndarray, y: np.ndarray, l2: float) -> np.ndarray:
    """Weights (w, b) minimising the log-loss of ``offset + x.w + b`` plus ``l2/2 |w|^2``."""
    from scipy.optimize import minimize

    full = x.shape[1]

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = theta[:-1], theta[-1]
        z = offset + x @ w + b
        p = 1 / (1 + np.exp(-z))
        value = np.sum(np.logaddexp(0, z) - y * z) + l2 / 2 * (w @ w + b * b)
        r = p - y
        return value, np.concatenate([x.T @ r + l2 * w, [r.sum() + l2 * b]])

    # A feature absent from every training row gets weight 0 at the optimum: solve for the rest.
    used = np.unique(x.nonzero()[1])
    x = x[:, used]
    start = np.zeros(len(used) + 1)
    fitted = minimize(loss, start, jac=True, method="L-BFGS-B").x
    theta = np.zeros(full + 1)
    theta[used], theta[-1] = fitted[:-1], fitted[-1]
    return theta


def accuracy(test: Rows, x_test, theta: np.ndarray | None) -> float:
    """Binary accuracy on the test rows with a polar label."""
    polar = np.array([label != "neutral" for label in test.labels])
    truth = np.array([label == "positive" for label in test.labels])
    z = logit(test.scores)
    if theta is not None:
        z = z + x_test @ theta[:-1] + theta[-1]
    return float(np.mean((z > 0)[polar] == truth[polar]))


def logit(scores: np.ndarray) -> np.ndarray:
    s = np.clip(scores, EPS, 1 - EPS)
    return np.log(s / (1 - s))


def after(pool: Rows, test: Rows, features: tuple, picked: np.ndarray, l2: float) -> list[float]:
    """[test accuracy, answers] after asking about the ``picked`` pool messages."""
    x_pool, x_test = features
    answered = np.array([i for i in picked if pool.labels[i] != "neutral"], dtype=int)
    if len(answered) == 0:
        return [accuracy(test, None, None), 0.0]
    y = np.array([pool.labels[i] == "positive" for i in answered], dtype=float)
    theta = fit_residual(x_pool[answered], logit(pool.scores[answered]), y, l2)
    return [accuracy(test, x_test, theta), float(len(answered))]


def labelled(score: float, band: tuple[float, float] = (0.4, 0.6)) -> str:
    """The label a score gets with the default neutral band (to pick "polar" messages)."""
    return "negative" if score < band[0] else "positive" if score > band[1] else "neutral"


STRATEGIES = (
    ("nearest", "score nearest 0.5"),
    ("polar", "nearest 0.5 outside 0.40-0.60"),
    ("random", "random"),
)


def compare(pool: Rows, test: Rows, l2: float, repeats: int, seed: int) -> dict[str, list[float]]:
    """Per strategy and k: [accuracy, answers]; random ones averaged over ``repeats`` draws."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit(pool.texts)
    features = (vectorizer.transform(pool.texts), vectorizer.transform(test.texts))
    rng = np.random.default_rng(seed)
    doubt = np.abs(pool.scores - 0.5)
    polar = np.array([labelled(s) != "neutral" for s in pool.scores])
    order = {
        "nearest": np.argsort(doubt, kind="stable"),
        "polar": np.argsort(np.where(polar, doubt, 2.0 + doubt), kind="stable"),
    }
    results: dict[str, list[float]] = {"base": [accuracy(test, None, None)]}
    for k in KS:
        for key, picks in order.items():
            results[f"{key} {k}"] = after(pool, test, features, picks[:k], l2)
        draws = [
            after(pool, test, features, rng.permutation(len(pool.texts))[:k], l2)
            for _ in range(repeats)
        ]
        results[f"random {k}"] = list(np.mean(draws, axis=0))
    return results


def table(title: str, runs: list[dict[str, list[float]]], test_size: int) -> None:
    base = np.mean([r["base"][0] for r in runs])
    print(f"\n{title} (test: {test_size} polar messages; the shipped model alone: {base:.3f})")
    print(
        "| k asked | " + " | ".join(f"{label}: answers, accuracy" for _, label in STRATEGIES) + " |"
    )
    print("|---:|" + "---:|" * len(STRATEGIES))
    for k in KS:
        cells = []
        for key, _ in STRATEGIES:
            acc, answered = np.mean([r[f"{key} {k}"] for r in runs], axis=0)
            cells.append(f"{answered:.0f}, {acc:.3f}")
        print(f"| {k} | " + " | ".join(cells) + " |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None, help="default: the bundled model")
    parser.add_argument(
        "--l2", type=float, nargs="+", default=[1.0, 10.0], help="L2 weights of the residual"
    )
    parser.add_argument("--repeats", type=int, default=10, help="random draws per k")
    args = parser.parse_args()
    started = time.perf_counter()
    from model.config import BUNDLED_MODEL_DIR, ScoringConfig
    from model.service import Scorer

    scorer = Scorer.from_directory(args.model or BUNDLED_MODEL_DIR, ScoringConfig(languages=[]))

    def scored(texts: list[str], labels: list[str]) -> Rows:
        scores = [s.score for s in scorer.score_many(texts)]
        return Rows(texts, labels, np.array([0.5 if s is None else s for s in scores]))

    dev = scored(*read_devchat(CHAT / "devchat_dev.tsv"))
    team_texts, team_labels = read_sentibot(DATA / "teamchat_eval.tsv")
    polar_texts, polar_labels = read_sentibot(DATA / "workchat_polar.tsv")
    team = scored(team_texts + polar_texts, team_labels + polar_labels)
    print(f"model {scorer.version}; L2 {args.l2}; {args.repeats} random draws per k")
    near = np.abs(dev.scores - 0.5).argsort()[:200]
    neutral = np.mean([dev.labels[i] == "neutral" for i in near])
    print(
        f"devchat_dev: {neutral:.0%} of the 200 least-sure messages are labelled neutral "
        f"(all messages: {np.mean([x == 'neutral' for x in dev.labels]):.0%})"
    )

    for l2 in args.l2:
        runs = []
        for split in range(5):
            order = np.random.default_rng(100 + split).permutation(len(dev.texts))
            pool, test = dev.take(order[:400]), dev.take(order[400:])
            runs.append(compare(pool, test, l2, args.repeats, seed=split))
        polar = sum(x != "neutral" for x in test.labels)
        table(f"L2 {l2:g}, in-domain: devchat_dev pool of 400, test of 207 (5 splits)", runs, polar)
        cross = compare(dev, team, l2, args.repeats, seed=7)
        polar = sum(x != "neutral" for x in team.labels)
        table(f"L2 {l2:g}, cross-domain: devchat_dev pool of 607, test team chat", [cross], polar)
    print(f"\n{time.perf_counter() - started:.0f} s in all")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
