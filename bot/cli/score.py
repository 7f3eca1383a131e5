"""``sentibot score`` and ``sentibot explain``: score text from the shell.

``score`` takes texts as arguments or, without any, one message per line of standard input
(streamed in batches, so it works on large files and pipes). ``explain`` lists the words that
moved a text's score, by occlusion. With ``[model] serving_url`` set, both go through the model
server (``sentibot serve`` or TF Serving) and never import TensorFlow; without it, the model
runs in NumPy (``model.numpy_runtime``, ``[model] runtime``), TensorFlow only for a model that
runtime does not compute.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import load_settings

if TYPE_CHECKING:
    from model.explain import Scorer
    from model.types import Score


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``score`` and ``explain`` commands."""
    score = subparsers.add_parser(
        "score",
        help="score texts (arguments, or one per line of stdin)",
        description="Print each text's score (0..1, probability of positive) and label.",
    )
    score.add_argument("text", nargs="*", help="texts to score; without any, read stdin lines")
    score.set_defaults(func=_score)
    explain = subparsers.add_parser(
        "explain",
        help="show the words that moved a text's score",
        description="Occlusion: score the text with each word removed, in one batch.",
    )
    explain.add_argument("text", nargs="+", help="the text (several arguments are joined)")
    explain.add_argument("--top", type=int, default=5, help="how many words to show (5)")
    explain.set_defaults(func=_explain)
    for parser in (score, explain):
        parser.add_argument("--model", type=Path, help="model directory (default: [model] path)")
        parser.add_argument("--json", action="store_true", help="one JSON object per line")


def _load(args: argparse.Namespace) -> Scorer | None:
    """The scorer, or ``None`` after printing one line on stderr.

    With ``[model] serving_url`` set (and no ``--model``), the model server scores: nothing
    here imports TensorFlow. Otherwise the model runs in this process: in NumPy
    (``model.numpy_runtime``, no TensorFlow) when ``[model] runtime`` allows and the model's
    layers are supported, else in TensorFlow.
    """
    settings = load_settings(getattr(args, "config", None))
    if settings.model.serving_url and args.model is None:
        from bot.errors import StartupError
        from bot.factories import connect_remote

        try:
            return connect_remote(settings)
        except StartupError as exc:
            print(f"sentibot: {exc}", file=sys.stderr)
            return None
    from bot.factories import load_numpy_scorer, uses_numpy
    from bot.retrain.versions import model_directory

    directory = model_directory(settings, args.model)
    if uses_numpy(settings, getattr(args, "command", "score")):  # [model] runtime
        light = load_numpy_scorer(settings, directory)
        if light is not None:
            return light
    from bot.tfimport import import_tensorflow

    import_tensorflow()  # its native start-up lines go to the log file
    from model.artifact import ModelLoadError
    from model.service import Scorer

    try:
        return Scorer.from_directory(directory, settings.scoring)
    except ModelLoadError as exc:
        print(f"sentibot: {exc}", file=sys.stderr)
        return None


def _stdin() -> Iterable[str]:
    """Standard input as UTF-8 lines; undecodable bytes become U+FFFD instead of an error."""
    raw = getattr(sys.stdin, "buffer", None)
    if raw is None:  # already text (tests, embedded use)
        return sys.stdin
    return io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline=None)


def _batches(lines: Iterable[str], size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    for line in lines:
        batch.append(line.rstrip("\r\n"))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _line(text: str, score: Score, as_json: bool) -> str:
    value = None if score.score is None else round(score.score, 3)
    if as_json:
        record: dict[str, object] = {"text": text, "score": value, "label": score.label.value}
        if score.reason:
            record["reason"] = score.reason
        return json.dumps(record, ensure_ascii=False)
    shown = "-" if value is None else f"{value:.3f}"
    label = score.label.value + (f" ({score.reason})" if score.reason else "")
    return f"{shown}\t{label}\t{text}"


def _score(args: argparse.Namespace) -> int:
    scorer = _load(args)
    if scorer is None:
        return 2
    source = [args.text] if args.text else _batches(_stdin(), scorer.scoring.batch_size)
    for batch in source:
        for text, score in zip(batch, scorer.score_many(batch), strict=True):
            print(_line(text, score, args.json).encode("utf-8", "replace").decode("utf-8"))
    return 0


def _explain(args: argparse.Namespace) -> int:
    if args.top < 1:
        print("sentibot: --top must be at least 1", file=sys.stderr)
        return 2
    scorer = _load(args)
    if scorer is None:
        return 2
    from model.explain import explain, format_explanation

    result = explain(scorer, " ".join(args.text), top=args.top)
    if args.json:
        score = result.score
        record = {
            "text": result.text,
            "score": None if score.score is None else round(score.score, 3),
            "label": score.label.value,
            "words": [
                {"word": w.word, "contribution": round(w.contribution, 3)} for w in result.words
            ],
        }
        if score.reason:
            record["reason"] = score.reason
        print(json.dumps(record, ensure_ascii=False))
    else:
        print(format_explanation(result))
    return 0
