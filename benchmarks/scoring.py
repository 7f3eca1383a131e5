"""How fast raw chat text becomes a score, next to the naive way and next to VADER.

Rows, all measured in this one run on the same messages:

- ``Scorer.score_many`` (the service: prepare, one compiled call, calibration, language gate,
  labels) at batch sizes 1, 32 and 256, plus the bare compiled call at 256;
- ``NumpyScorer.score_many`` (``model.numpy_runtime``: the same model in NumPy and Python, no
  TensorFlow; what ``[model] runtime = "numpy"`` runs) at batch sizes 1 and 256;
- a naive loop of ``model.predict()`` per message (a few hundred only: it is slow);
- VADER (``vaderSentiment``), the lexicon scorer people pick instead, one message at a time.

Latency p50/p99 is per call, so for batch size 1 it is one message's latency. Batches of
``model.service.SHARD_MIN`` or more are split across the cores inside the compiled call, so
the batched rows depend on how busy the machine is: check ``uptime`` around a run. Every row
is measured in ``--rounds`` interleaved rounds (VADER in each round too); a row shows its
median rate over the rounds and ``x VADER`` is the median of its per-round ratios, so a
neighbour's burst in one round does not decide the figures.

A second table gives the language gate's false-foreign rate on English text (IMDB test
sentences and the hand-written chat and neutral messages of ``benchmarks/data``) and its catch
rate on ``tests/model/foreign_messages.txt``: the bare gate, the gate with the model's
vocabulary shortcut, and the whole ``Scorer.score_many`` path.

Usage::

    python benchmarks/scoring.py [--model DIR] [--seconds 1] [--rounds 5] [--threads 2]
        [--predict 300]

Targets (default model, 2 cores): >= 50,000 msgs/s batched, >= 3x VADER, p99 <= 2 ms for one.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data"
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))
TSV_FILES = ("chat_messages.tsv", "imdb_test_sentences.tsv")
FOREIGN_FILE = ROOT / "tests" / "model" / "foreign_messages.txt"


def load_messages() -> list[str]:
    """English messages from the benchmark TSV files (text<TAB>label, '#' comments)."""
    texts = []
    for name in TSV_FILES:
        path = DATA / name
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                texts.append(line.rsplit("\t", 1)[0])
    if not texts:
        sys.exit(f"no messages found in {DATA} ({', '.join(TSV_FILES)})")
    return texts


def measure(
    name: str, call: Callable[[list[str]], object], texts: list[str], batch: int, seconds: float
) -> dict[str, object]:
    """Call ``call`` on successive batches for about ``seconds``; throughput and latencies."""
    batches = itertools.cycle(
        [texts[i : i + batch] for i in range(0, len(texts) - batch + 1, batch)]
    )
    for _ in range(3):
        call(next(batches))  # warm up
    latencies: list[float] = []
    done = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        chunk = next(batches)
        t0 = time.perf_counter()
        call(chunk)
        latencies.append(time.perf_counter() - t0)
        done += len(chunk)
    return {
        "name": name,
        "batch": batch,
        "rate": done / (time.perf_counter() - start),
        "latencies": latencies,
    }


def summarise(rounds: list[list[dict[str, object]]], vader: str) -> list[dict[str, object]]:
    """One row per method over all rounds: median rate, pooled latency, median x VADER."""
    rows = []
    for i, first in enumerate(rounds[0]):
        runs = [measured[i] for measured in rounds]
        ratios = [
            run["rate"] / next(r["rate"] for r in measured if r["name"] == vader)
            for run, measured in zip(runs, rounds, strict=True)
        ]
        latencies = sorted(t for run in runs for t in run["latencies"])
        rows.append(
            {
                "name": first["name"],
                "batch": first["batch"],
                "msgs_per_s": statistics.median(run["rate"] for run in runs),
                "p50_ms": statistics.median(latencies) * 1000,
                "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
                "x_vader": statistics.median(ratios),
                "x_vader_range": (min(ratios), max(ratios)),
            }
        )
    return rows


def print_table(rows: list[dict[str, object]]) -> None:
    """One line per row, with the speed-up over VADER (median and range over the rounds)."""
    print(
        f"{'method':<34}{'batch':>6}{'msgs/s':>12}{'p50 ms':>9}{'p99 ms':>9}{'x VADER':>9}"
        f"{'range':>13}"
    )
    for r in rows:
        low, high = r["x_vader_range"]
        print(
            f"{r['name']:<34}{r['batch']:>6}{r['msgs_per_s']:>12,.0f}{r['p50_ms']:>9.3f}"
            f"{r['p99_ms']:>9.3f}{r['x_vader']:>9.2f}{f'{low:.2f}-{high:.2f}':>13}"
        )


def _load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def _lines(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.rsplit("\t", 1)[0] for line in lines if line.strip() and line[0] != "#"]


def language_gate(scorer: object, english: list[str]) -> None:
    """Print the gate's false-foreign rate on English and catch rate on foreign messages.

    Three ways: the bare gate, the gate with the model's vocabulary shortcut, and the whole
    ``Scorer.score_many`` path (graph English check included).
    """
    from model.language import LanguageFilter
    from model.text import normalize

    foreign = _lines(FOREIGN_FILE)
    gate = LanguageFilter(["en"])
    known = scorer.probabilities(["warm"])[1].known_words

    def through_scorer(texts: list[str]) -> list[str | None]:
        reasons = [score.reason or "" for score in scorer.score_many(texts)]
        return [r.removeprefix("language:") if r.startswith("language:") else None for r in reasons]

    paths = {
        "LanguageFilter": lambda texts: gate.foreign_languages(normalize(texts)),
        "LanguageFilter + model vocabulary": lambda t: gate.foreign_languages(normalize(t), known),
        "Scorer.score_many": through_scorer,
    }
    print(f"\nlanguage gate: {len(english)} English messages, {len(foreign)} foreign messages")
    print(f"{'path':<34}{'false foreign':>16}{'foreign caught':>16}")
    for name, judge in paths.items():
        wrong = [t for t, code in zip(english, judge(english), strict=True) if code]
        caught = sum(map(bool, judge(foreign)))
        rate = f"{len(wrong)} ({len(wrong) / len(english):.1%})"
        print(f"{name:<34}{rate:>16}{f'{caught} / {len(foreign)}':>16}")
        for text in wrong[:5]:
            print(f"  false foreign: {text[:80]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, help="model directory (default: model/default)")
    parser.add_argument("--seconds", type=float, default=1.0, help="time per row and round (1)")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (5)")
    parser.add_argument("--threads", type=int, default=2, help="TF intra/inter-op threads (2)")
    parser.add_argument("--predict", type=int, default=300, help="messages for the naive row")
    args = parser.parse_args()

    from bot.tfimport import import_tensorflow

    import_tensorflow(threads=args.threads)  # as the bot loads it (libraries paged out after)
    import tensorflow as tf
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from model.artifact import ModelLoadError
    from model.config import BUNDLED_MODEL_DIR, ScoringConfig
    from model.service import Scorer

    directory = args.model or BUNDLED_MODEL_DIR
    try:
        scorer = Scorer.from_directory(directory, ScoringConfig())
    except ModelLoadError as exc:
        sys.exit(f"{exc} (pass --model DIR)")
    texts = load_messages()
    corpus = (texts * (1 + 20_000 // len(texts)))[:20_000]
    print(
        f"model {scorer.version} from {directory}; {len(texts)} distinct messages, "
        f"{args.threads} TF threads, {os.cpu_count()} CPUs, {args.rounds} rounds of "
        f"{args.seconds:g} s per row; load average {_load()}\n"
    )

    from model.numpy_runtime import NumpyScorer, UnsupportedModel

    try:
        light = NumpyScorer.from_directory(directory, ScoringConfig())
        numpy_rows = [("NumpyScorer.score_many", light.score_many, corpus, b) for b in (1, 256)]
    except UnsupportedModel as exc:
        print(f"(no NumPy rows: {exc})")
        numpy_rows = []
    model = scorer.artifact.model
    vader = SentimentIntensityAnalyzer()
    naive = corpus[: args.predict]
    methods = [
        *[("Scorer.score_many", scorer.score_many, corpus, b) for b in (1, 32, 256)],
        ("compiled call only", scorer.probabilities, corpus, 256),
        *numpy_rows,
        (
            "naive model.predict() per message",
            lambda chunk: model.predict(tf.constant(chunk), verbose=0),
            naive,
            1,
        ),
        (
            "VADER polarity_scores",
            lambda chunk: [vader.polarity_scores(t) for t in chunk],
            corpus,
            1,
        ),
    ]
    rounds = [
        [measure(name, call, data, batch, args.seconds) for name, call, data, batch in methods]
        for _ in range(args.rounds)
    ]
    print_table(summarise(rounds, "VADER polarity_scores"))
    print(f"load average after: {_load()}")
    language_gate(scorer, texts + _lines(DATA / "neutral_messages.txt"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
