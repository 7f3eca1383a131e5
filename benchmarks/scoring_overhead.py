"""How much of ``Scorer.score_many``'s time is Python around the compiled call (issue 16).

The same batches of ``benchmarks/scoring.py``'s messages are scored four ways, interleaved in
``--rounds`` rounds: ``Scorer.score_many`` and ``Scorer.probabilities`` with the real compiled
call, then both again with the compiled call replaced by a stub that hands back the outputs the
real call gave for that batch (computed once beforehand). The stubbed rows are the Python work
alone: preparing the texts, ``tf.constant``, decoding, calibration, the labels, ``Score``
objects and the language gate; the difference between real and stubbed is the compiled call.
A ``cProfile`` of the stubbed ``score_many`` follows (``--profile N`` lines; 0 for none).

Usage::

    python benchmarks/scoring_overhead.py [--model DIR] [--batch 256] [--rounds 5]
        [--threads 2] [--profile 15]

Each figure is the best of the rounds (microseconds per batch); check ``uptime``: the real
rows depend on how busy the machine is, the stubbed ones much less.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import os
import pstats
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from benchmarks.scoring import load_messages  # noqa: E402

T = TypeVar("T")


def per_batch(call: Callable[[T], object], batches: Sequence[T]) -> float:
    """Microseconds per batch of one pass of ``call`` over ``batches``."""
    start = time.perf_counter()
    for batch in batches:
        call(batch)
    return (time.perf_counter() - start) / len(batches) * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, help="model directory (default: model/default)")
    parser.add_argument("--batch", type=int, default=256, help="messages per batch (256)")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (5)")
    parser.add_argument("--threads", type=int, default=2, help="TF intra/inter-op threads (2)")
    parser.add_argument("--profile", type=int, default=15, help="cProfile lines (15; 0: none)")
    args = parser.parse_args()

    from bot.tfimport import import_tensorflow

    import_tensorflow(threads=args.threads)
    import tensorflow as tf

    from model.config import BUNDLED_MODEL_DIR, ScoringConfig
    from model.service import SHARD_MIN, Scorer

    scorer = Scorer.from_directory(args.model or BUNDLED_MODEL_DIR, ScoringConfig())
    texts = load_messages()
    corpus = (texts * (1 + 20_000 // len(texts)))[:20_000]
    size = args.batch
    batches = [corpus[i : i + size] for i in range(0, len(corpus) - size + 1, size)]
    real = scorer._serving
    compiled = real.call_sharded if args.batch >= SHARD_MIN else real.call
    outputs = [compiled(tf.constant(batch, tf.string)) for batch in batches]
    served = iter(())

    def stub(_texts: object) -> object:
        return next(served)

    stubbed = dataclasses.replace(real, call=stub, call_sharded=stub)
    rows: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        for serving, kind in ((real, "real call"), (stubbed, "stubbed call")):
            scorer._serving = serving
            for name in ("score_many", "probabilities"):
                # One untimed batch first: after the stubbed rows TensorFlow's thread pools are
                # asleep, and the first timed row would pay for waking them (about 1 ms a batch).
                served = iter(outputs)
                getattr(scorer, name)(batches[0])
                served = iter(outputs)
                rows.setdefault(f"{name} ({kind})", []).append(
                    per_batch(getattr(scorer, name), batches)
                )
    scorer._serving = real
    print(
        f"model {scorer.version}; {len(batches)} batches of {args.batch}, best of {args.rounds} "
        f"rounds; load average {'/'.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    for name, times in rows.items():
        print(f"{name:<32}{min(times):>9.0f} us per batch")
    real_many, python = min(rows["score_many (real call)"]), min(rows["score_many (stubbed call)"])
    print(f"Python around the compiled call: {python / real_many:.1%} of score_many's time")
    if args.profile:
        scorer._serving = stubbed
        served = iter(outputs * 3)
        profile = cProfile.Profile()
        profile.enable()
        for batch in batches * 3:
            scorer.score_many(batch)
        profile.disable()
        scorer._serving = real
        pstats.Stats(profile).sort_stats("tottime").print_stats(args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
