"""A stand-in for ``sentibot train`` that runs in milliseconds (retrain tests).

Takes the arguments ``RetrainManager`` passes (``--output DIR --json [--extra-data FILE]
[--config FILE]``) plus ``--mode ok|crash|hang|nomodel`` and ``--accuracy X``. Prints one JSON
line per epoch like the real command, writes ``metadata.json`` into ``--output``, and copies the
extra data there as ``extra-data-seen.jsonl`` so tests can check what it was given.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--output", required=True)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--extra-data")
    parser.add_argument("--config")
    parser.add_argument("--mode", default="ok")
    parser.add_argument("--accuracy", type=float, default=0.9)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--version", default="fake-2")
    args = parser.parse_args()
    output = Path(args.output)
    print("Loading data...", flush=True)  # a line that is not progress
    for epoch in range(1, args.epochs + 1):
        line = {"event": "epoch", "epoch": epoch, "epochs": args.epochs, "loss": 0.5 / epoch}
        line["val_accuracy"] = 0.8 + epoch / 100
        print(json.dumps(line), flush=True)
        if args.mode == "hang":
            time.sleep(60)
        if args.mode == "crash" and epoch == 2:
            print("Traceback: out of memory (pretend)", file=sys.stderr, flush=True)
            return 3
    if args.mode == "nomodel":
        return 0
    output.mkdir(parents=True, exist_ok=True)
    if args.extra_data:
        shutil.copyfile(args.extra_data, output / "extra-data-seen.jsonl")
    metadata = {"version": args.version, "metrics": {"test": {"accuracy": args.accuracy}}}
    (output / "metadata.json").write_text(json.dumps(metadata))
    print(json.dumps({"event": "done", "directory": str(output), "version": args.version}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
