"""Operations sub-commands: ``sentibot export`` (SavedModel for TF Serving) and
``sentibot healthcheck`` (probe a running bot's ``/healthz``)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from bot.config import load_settings

logger = logging.getLogger(__name__)


def _export(args: argparse.Namespace) -> int:
    from bot.retrain.versions import model_directory
    from bot.tfimport import import_tensorflow

    import_tensorflow()  # TensorFlow only when the command runs, its start-up lines logged
    from model.artifact import ModelLoadError
    from model.export import ExportError, export_model

    settings = load_settings(getattr(args, "config", None))
    model_dir = model_directory(settings, args.model)
    try:
        target = export_model(model_dir, args.output)
    except (ModelLoadError, ExportError, OSError) as exc:
        print(f"sentibot export: {exc}", file=sys.stderr)
        return 1
    print(f"exported {model_dir} to {target}")
    print(
        f"serve it with: docker run -p 8501:8501 -v {Path(args.output).resolve()}:/models/sentiment"
        " -e MODEL_NAME=sentiment tensorflow/serving"
    )
    return 0


def _healthcheck(args: argparse.Namespace) -> int:
    from bot.ops.probe import health_url, probe

    url = args.url or health_url(getattr(args, "config", None))
    healthy, line = probe(url, args.timeout)
    print(line, file=sys.stdout if healthy else sys.stderr)
    return 0 if healthy else 1


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``export`` and ``healthcheck`` to the ``sentibot`` command line."""
    export = subparsers.add_parser(
        "export",
        help="write the model as a TensorFlow SavedModel for TF Serving",
        description="Export a model directory as the next numbered version under --output "
        "(a TF Serving model base path). The signature takes raw strings.",
    )
    export.add_argument("--model", default=None, help="model directory (default: [model] path)")
    export.add_argument("--output", required=True, help="TF Serving model base path")
    export.set_defaults(func=_export)

    check = subparsers.add_parser(
        "healthcheck",
        help="exit 0 when the running bot's /healthz answers 200",
        description="Probe http://127.0.0.1:<[ops] port>/healthz (or --url).",
    )
    check.add_argument("--url", default=None, help="probe this URL instead")
    check.add_argument("--timeout", type=float, default=3.0, help="seconds (default 3)")
    check.set_defaults(func=_healthcheck)
