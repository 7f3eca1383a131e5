"""How fast raw chat text becomes a score, next to the naive way and next to VADER.

Rows, all measured in this one run on the same messages:

- ``Scorer.score_many`` (the service: prepare, one compiled call, calibration, language gate,
  labels) at batch sizes 1, 32 and 256, plus the bare compiled call at 256;
- a naive loop of ``model.predict()`` per message (a few hundred only: it is slow);
- VADER (``vaderSentiment``), the lexicon scorer people pick instead, one message at a time.

Latency p50/p99 is per call, so for batch size 1 it is one message's latency. A second table
gives the language gate's false-foreign rate on English text (IMDB test sentences and the
hand-written chat messages of ``benchmarks/data``).

Usage::

    python benchmarks/scoring.py [--model DIR] [--seconds 3] [--threads 2] [--predict 300]

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
    """Call ``call`` on successive batches for about ``seconds``; throughput and latency."""
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
    elapsed = time.perf_counter() - start
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return {
        "name": name,
        "batch": batch,
        "msgs_per_s": done / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": p99 * 1000,
        "n": done,
    }


def print_table(rows: list[dict[str, object]], vader_rate: float) -> None:
    """One line per row, with the speed-up over VADER."""
    print(f"{'method':<34}{'batch':>6}{'msgs/s':>12}{'p50 ms':>9}{'p99 ms':>9}{'x VADER':>9}")
    for r in rows:
        print(
            f"{r['name']:<34}{r['batch']:>6}{r['msgs_per_s']:>12,.0f}{r['p50_ms']:>9.3f}"
            f"{r['p99_ms']:>9.3f}{r['msgs_per_s'] / vader_rate:>9.2f}"
        )


def false_foreign(texts: list[str]) -> None:
    """Print how often English text is wrongly called foreign by the language gate."""
    from model.language import LanguageFilter
    from model.text import normalize

    gate = LanguageFilter(["en"])
    flagged = [
        (t, code)
        for t, code in zip(texts, gate.foreign_languages(normalize(texts)), strict=True)
        if code
    ]
    rate = len(flagged) / len(texts)
    print(
        f"\nlanguage gate on {len(texts)} English messages: "
        f"{len(flagged)} called foreign ({rate:.2%})"
    )
    for text, code in flagged[:10]:
        print(f"  {code}: {text[:80]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, help="model directory (default: model/default)")
    parser.add_argument("--seconds", type=float, default=3.0, help="time per row (3)")
    parser.add_argument("--threads", type=int, default=2, help="TF intra/inter-op threads (2)")
    parser.add_argument("--predict", type=int, default=300, help="messages for the naive row")
    args = parser.parse_args()

    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)

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
        f"{args.threads} TF threads, {os.cpu_count()} CPUs\n"
    )

    rows = [
        measure("Scorer.score_many", scorer.score_many, corpus, b, args.seconds)
        for b in (1, 32, 256)
    ]
    rows.append(measure("compiled call only", scorer.probabilities, corpus, 256, args.seconds))
    model = scorer.artifact.model
    naive = corpus[: args.predict]
    rows.append(
        measure(
            "naive model.predict() per message",
            lambda chunk: model.predict(tf.constant(chunk), verbose=0),
            naive,
            1,
            min(args.seconds, 10.0),
        )
    )
    vader = SentimentIntensityAnalyzer()
    vader_row = measure(
        "VADER polarity_scores",
        lambda chunk: [vader.polarity_scores(t) for t in chunk],
        corpus,
        1,
        args.seconds,
    )
    rows.append(vader_row)
    print_table(rows, vader_row["msgs_per_s"])
    false_foreign(texts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
