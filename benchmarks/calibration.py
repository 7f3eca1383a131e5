"""Is a score of 0.8 right 80% of the time? Calibration error before and after, and the band.

For a saved model this prints, on held-out data the model never trained on (the IMDB test
split and the short-text sets of ``benchmarks/data``), the accuracy and the expected
calibration error (ECE, 10 bins) of the raw probabilities and of the calibrated ones
(``metadata.json`` "calibration", fitted on the training validation split; a model saved
without one is calibrated here on half of the IMDB test split and judged on the other half).
It writes a reliability diagram (PNG) to ``--out`` and recommends the ``[scoring]`` neutral
band: the narrowest band such that calibrated scores outside it are right at least
``--precision`` of the time on the short texts.

Usage::

    python benchmarks/calibration.py [--model DIR] [--out calibration.png] [--max-test 5000]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from model.calibration import (  # noqa: E402
    apply_calibration,
    expected_calibration_error,
    fit_calibration,
)

BINS = 10


def reliability(probs: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean predicted probability and fraction positive of each non-empty bin."""
    index = np.minimum((probs * BINS).astype(int), BINS - 1)
    means, fractions = [], []
    for b in range(BINS):
        mask = index == b
        if mask.any():
            means.append(probs[mask].mean())
            fractions.append(labels[mask].mean())
    return np.array(means), np.array(fractions)


def plot(curves: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]], out: Path) -> None:
    """One reliability panel per data set: raw and calibrated against the diagonal."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(curves), figsize=(4.2 * len(curves), 4.2), squeeze=False)
    for ax, (name, (raw, calibrated, labels)) in zip(axes[0], curves.items(), strict=True):
        ax.plot([0, 1], [0, 1], color="grey", linestyle=":", label="perfect")
        for probs, style, title in ((raw, "o-", "raw"), (calibrated, "s-", "calibrated")):
            x, y = reliability(probs, labels)
            ece = expected_calibration_error(probs, labels, BINS)
            ax.plot(x, y, style, label=f"{title} (ECE {ece:.3f})")
        ax.set(title=f"{name} (n={len(labels)})", xlim=(0, 1), ylim=(0, 1))
        ax.set(xlabel="predicted probability of positive", ylabel="fraction positive")
        ax.legend(loc="upper left", fontsize="small")
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)


def neutral_band(
    probs: np.ndarray, labels: np.ndarray, precision: float
) -> tuple[float, float, float, float]:
    """The narrowest band whose outside is right at least ``precision`` of the time.

    Returns ``(low, high, coverage, accuracy)``: coverage is the share of texts outside the
    band (given a positive or negative label), accuracy how many of those labels are right.
    """

    def right(mask: np.ndarray, positive: bool) -> float:
        return float((labels[mask] == positive).mean()) if mask.any() else 0.0

    grid = [round(t, 2) for t in np.arange(0.50, 0.96, 0.01)]
    high = next((t for t in grid if right(probs > t, True) >= precision), 0.95)
    low = round(1 - next((t for t in grid if right(probs < 1 - t, False) >= precision), 0.95), 2)
    positive, negative = probs > high, probs < low
    outside = positive | negative
    correct = (positive & (labels == 1)) | (negative & (labels == 0))
    return low, high, float(outside.mean()), float(correct.sum() / max(outside.sum(), 1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, help="model directory (default: [model] path)")
    parser.add_argument("--config", default=None, help="config.toml (for [data] and [model])")
    parser.add_argument("--out", type=Path, default=Path("calibration.png"), help="PNG path")
    parser.add_argument("--max-test", type=int, default=5000, help="IMDB test reviews (5000)")
    parser.add_argument("--precision", type=float, default=0.85, help="band target (0.85)")
    args = parser.parse_args()

    from bot.config import load_settings
    from model.artifact import ModelLoadError, load_artifact
    from model.data import DataError, load_reviews, subsample
    from model.shorttext import short_text_sets
    from model.training import predict_probabilities

    settings = load_settings(args.config)
    try:
        artifact = load_artifact(args.model or settings.model.directory)
    except ModelLoadError as exc:
        sys.exit(f"{exc} (pass --model DIR)")
    sets = {}
    try:
        test = load_reviews(settings.data).test
        sets["imdb_test"] = subsample(test, args.max_test, settings.data.seed)
    except DataError as exc:
        print(f"IMDB test split unavailable ({exc}); short texts only", file=sys.stderr)
    sets.update(short_text_sets())
    if not sets:
        sys.exit("no held-out data: neither the IMDB archive nor benchmarks/data/*.tsv")
    raw = {n: predict_probabilities(artifact.model, s.texts) for n, s in sets.items()}
    labels = {n: s.labels.astype(np.float64) for n, s in sets.items()}

    params = artifact.metadata.get("calibration")
    source = "stored in metadata.json (fitted on the training validation split)"
    if not params:
        name = "imdb_test" if "imdb_test" in sets else next(iter(sets))
        half = len(raw[name]) // 2
        params = fit_calibration(raw[name][:half], labels[name][:half])
        raw[name], labels[name] = raw[name][half:], labels[name][half:]
        source = f"fitted here on the first half of {name} (judged on the other half)"
    print(f"model {artifact.version}; calibration {source}:")
    print(f"  a={params['a']:.4f} b={params['b']:.4f} (p' = sigmoid(a*logit(p) + b))\n")
    print(f"{'set':<18}{'n':>7}{'accuracy':>10}{'ECE raw':>10}{'ECE calibrated':>16}")
    curves = {}
    for name in sets:
        calibrated = apply_calibration(raw[name], params)
        curves[name] = (raw[name], calibrated, labels[name])
        accuracy = float(((raw[name] > 0.5) == labels[name]).mean())
        print(
            f"{name:<18}{len(labels[name]):>7}{accuracy:>10.3f}"
            f"{expected_calibration_error(raw[name], labels[name]):>10.4f}"
            f"{expected_calibration_error(calibrated, labels[name]):>16.4f}"
        )
    plot(curves, args.out)
    print(f"\nreliability diagram written to {args.out}")

    short = [n for n in sets if n != "imdb_test"] or list(sets)
    probs = np.concatenate([curves[n][1] for n in short])
    truth = np.concatenate([labels[n] for n in short])
    low, high, coverage, accuracy = neutral_band(probs, truth, args.precision)
    print(
        f"\nneutral band on calibrated scores of {', '.join(short)} (n={len(truth)}), "
        f"target precision {args.precision:.2f}:\n"
        f"  [scoring] neutral_low = {low:.2f}, neutral_high = {high:.2f}: "
        f"{coverage:.1%} of messages get a positive/negative label, {accuracy:.1%} of them right"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
