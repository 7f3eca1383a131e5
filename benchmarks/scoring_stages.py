"""How long each stage of the compiled scoring call takes on a batch (issue 16).

Every layer of the saved end-to-end model (``ChatNormalize``, the vectorisers, the lexicon
layer, the numeric core, the class calibration) and the serving graph's English check is
traced alone as a ``tf.function`` and run (two TensorFlow threads, as served) on the same
batches of ``benchmarks/scoring.py``'s messages, each given its real inputs (computed once
beforehand). A compiled call that does nothing (``tf.size``) gives the floor every call pays;
a stage's own work is its time less that floor. The whole unsharded serving call is the last
row; the stages sum to more than it, since it pays the floor once and TensorFlow shares work
between them (one split of the words, for one).

Usage::

    python benchmarks/scoring_stages.py [--model DIR] [--batch 256] [--rounds 5]

Each figure is the median of the rounds (microseconds per batch); check ``uptime``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from benchmarks.scoring import load_messages  # noqa: E402
from benchmarks.scoring_overhead import per_batch  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, help="model directory (default: model/default)")
    parser.add_argument("--batch", type=int, default=256, help="messages per batch (256)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds (5)")
    args = parser.parse_args()

    from bot.tfimport import import_tensorflow

    import_tensorflow(threads=2)
    import keras
    import tensorflow as tf

    from model.artifact import load_artifact
    from model.config import BUNDLED_MODEL_DIR
    from model.serving_graph import compile_calls, english_flag, vocabulary
    from model.text import ChatNormalize

    network = load_artifact(args.model or BUNDLED_MODEL_DIR).model
    texts = load_messages()
    size = args.batch
    batches = [tf.constant(texts[i : i + size]) for i in range(0, len(texts) - size + 1, size)]
    english = english_flag(vocabulary(network), ["en"])
    stages: dict[str, tuple[Callable[[object], object], list[object]]] = {
        "empty call (the floor)": (lambda texts: tf.size(texts), batches)
    }
    for layer in network.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        node = layer._inbound_nodes[-1]  # its call in the network (a core has one of its own)
        feed = keras.Model(network.inputs, node.arguments.args[0])  # its real inputs, once
        inputs = [feed(batch) for batch in batches]
        stages[f"{type(layer).__name__} {layer.name}"] = (tf.function(layer), inputs)
        if isinstance(layer, ChatNormalize):  # the English check reads its output
            words = [layer(batch) for batch in batches]
            stages["English check (serving graph)"] = (english, words)

    # Concrete functions, called directly, as the serving calls are (no per-call dispatch).
    stages = {
        name: (tf.function(call).get_concrete_function(inputs[0]), inputs)
        for name, (call, inputs) in stages.items()
    }
    whole, _ = compile_calls(network, 1, english)  # already a concrete function
    stages["the whole unsharded serving call"] = (whole, batches)
    times: dict[str, list[float]] = {name: [] for name in stages}
    for call, inputs in stages.values():
        call(inputs[0])  # trace and warm up
    for _ in range(args.rounds):
        for name, (call, inputs) in stages.items():
            call(inputs[0])  # untimed: the first call after another function's pays extra
            times[name].append(per_batch(call, inputs * 3))
    floor = statistics.median(times["empty call (the floor)"])
    load = "/".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{len(batches)} batches of {size}, two threads, median of {args.rounds}; load {load}")
    print(f"{'stage':<44}{'us per batch':>14}{'less the floor':>16}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:<44}{median:>14.0f}{median - floor:>16.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
