"""``sentibot serve``: serve the active model over TensorFlow Serving's REST API.

Thin bots (``[model] serving_url``) score through it without TensorFlow of their own; real TF
Serving (``sentibot export``) answers the same requests and stays the production choice
(docs/deploy.md). The server loads the database's active model version (else the configured
model), follows promotions and rollbacks every ``--sync`` seconds (``bot.retrain.versions``),
and stops cleanly on SIGTERM or Ctrl-C (exit status 0).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, cast

from bot.config import load_settings

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.retrain.versions import ActiveModelSync
    from bot.serve.server import ModelServer
    from model.artifact import Artifact
    from model.numpy_runtime import NumpyScorer
    from model.service import Scorer
    from storage.repository import Repository

logger = logging.getLogger(__name__)

SYNC_S = 30.0
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8501  # TF Serving's REST port
MODEL_NAME = "sentiment"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``serve`` sub-command."""
    serve = subparsers.add_parser(
        "serve",
        help="serve the active model over TF Serving's REST API (for thin bots)",
        description="Serve the active model at /v1/models/<name>[:predict] (TF Serving's REST "
        "API) and /healthz, for bots with [model] serving_url. Follows model promotions and "
        "rollbacks recorded in the database.",
    )
    serve.add_argument("--host", default=DEFAULT_HOST, help=f"interface ({DEFAULT_HOST})")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port ({DEFAULT_PORT})")
    serve.add_argument("--model-name", default=MODEL_NAME, help=f"name in URLs ({MODEL_NAME})")
    serve.add_argument(
        "--sync",
        type=float,
        default=SYNC_S,
        help=f"seconds between active-version checks ({SYNC_S:g})",
    )
    serve.set_defaults(func=serve_command)


def serve_command(args: argparse.Namespace) -> int:
    """Load the model, serve it until SIGTERM/Ctrl-C; 0 after a clean stop, 2 when it cannot
    start (the reason printed as one line)."""
    from bot.cli.main import verbosity_level
    from bot.errors import StartupError
    from bot.factories import load_local_scorer, open_storage, uses_numpy
    from bot.logs import configure_logging
    from bot.tfimport import import_tensorflow

    settings = load_settings(getattr(args, "config", None))
    verbose = getattr(args, "verbose", 0)
    configure_logging(verbosity_level(verbose, settings.ops.log_level), settings.ops.log_format)
    if not uses_numpy(settings, "serve"):  # first, so its start-up peak is all that peaks
        import_tensorflow()
    try:  # the server runs the model itself, whatever [model] serving_url its bots are given
        database = open_storage(settings)
        scorer = load_local_scorer(settings, database.repository, command="serve")
    except StartupError as exc:
        print(f"sentibot: {exc}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_serve(args, settings, scorer, database.repository))
    finally:
        database.close()


async def _serve(
    args: argparse.Namespace,
    settings: Settings,
    scorer: Scorer | NumpyScorer,
    repository: Repository,
) -> int:
    from bot.retrain.thin import read_model_files
    from bot.retrain.versions import ActiveModelSync, load_model_artifact
    from bot.serve.rows import PredictionRows
    from bot.serve.server import ModelServer

    server = ModelServer(
        PredictionRows(scorer),
        host=args.host,
        port=args.port,
        model_name=args.model_name,
        max_batch=settings.scoring.batch_size,
        max_wait_ms=settings.scoring.max_wait_ms,
    )
    try:
        await server.start()
    except OSError as exc:
        print(f"sentibot: {exc}", file=sys.stderr)
        return 2
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    # A model run in NumPy loads a new version's files itself: only its metadata is read here.
    load: Callable[[Path], Artifact] = load_model_artifact
    if getattr(scorer, "tensorflow_free", False):
        load = cast("Callable[[Path], Artifact]", read_model_files)
    sync = ActiveModelSync(scorer, repository, load, asyncio.Lock(), lambda: False)
    follower = asyncio.create_task(_follow(sync, args.sync, stop), name="model-sync")
    print(
        f"serving model {scorer.version} at http://{args.host}:{server.port}/v1/models/"
        f"{args.model_name} (Ctrl-C stops)",
        flush=True,
    )
    await stop.wait()
    await _shutdown(server, follower)
    return 0


async def _follow(sync: ActiveModelSync, every_s: float, stop: asyncio.Event) -> None:
    """Check the active version every ``every_s`` seconds until ``stop``."""
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every_s)
            return
        try:
            await sync.run()
        except Exception as exc:  # a database blip: keep serving, try again later
            logger.warning("active model version not checked: %s", type(exc).__name__)


async def _shutdown(server: ModelServer, follower: asyncio.Task[None]) -> None:
    follower.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await follower
    await server.stop()
    print("model server stopped", flush=True)
