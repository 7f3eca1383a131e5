"""``sentibot run``: run the bot on the shell, Slack or Discord."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import threading
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TextIO

from bot.config import DEFAULT_CONFIG, Secrets, Settings, load_settings

logger = logging.getLogger(__name__)

ADAPTERS = ("auto", "shell", "slack", "discord")
EXIT_STARTUP = 2
EXIT_GRACE_S = 5.0  # after the app's shutdown, for worker threads to finish their call
SHELL_LOG = Path("var/sentibot.log")  # where an interactive shell session's logs go


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``run`` sub-command."""
    parser = subparsers.add_parser(
        "run",
        help="run the bot",
        description="Run the bot: in the terminal (shell), on Slack or on Discord. "
        "'auto' picks slack when SLACK_BOT_TOKEN is set, discord when DISCORD_TOKEN is set, "
        "else the shell.",
    )
    parser.add_argument("--adapter", choices=ADAPTERS, default=None, help="override [bot] adapter")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Build the bot from the configuration and run it until end of input or a signal.

    Returns
    -------
    int
        0 after a clean stop, 1 when work was lost or the adapter failed, 2 when the bot
        could not start (the reason is printed as one line).
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before TensorFlow is imported
    from bot.bootstrap import build_app
    from bot.cli.main import verbosity_level
    from bot.errors import StartupError
    from bot.factories import check_credentials, choose_adapter, uses_numpy
    from bot.logs import configure_logging
    from bot.tfimport import import_tensorflow

    config_path = getattr(args, "config", None)
    settings = load_settings(config_path)  # a ConfigError is printed as one line by cli.main
    if args.adapter:
        settings.bot.adapter = args.adapter
    verbose = getattr(args, "verbose", 0)
    level = verbosity_level(verbose, settings.ops.log_level)
    secrets = Secrets()
    adapter = choose_adapter(settings, secrets, explain=False)
    terminal = _logs_to_file(adapter, verbose) or sys.stderr
    configure_logging(level, settings.ops.log_format)
    try:
        check_credentials(settings, secrets, adapter)  # a bad token: told before the model loads
        in_tensorflow = not settings.model.serving_url and not uses_numpy(settings, "run")
        if in_tensorflow:  # first, so its start-up peak is all that peaks
            import_tensorflow()
        app = build_app(settings, config_path=config_path)
    except StartupError as exc:
        print(f"sentibot: {exc}", file=terminal)
        return EXIT_STARTUP
    logger.info(
        "%s; database %s; model %s; adapter %s",
        _config_line(config_path),
        _safe_url(settings),
        app.scorer.version if app.scorer is not None else settings.model.serving_url,
        app.adapter.name,
    )
    status = _run_loop(app.run())
    _exit_if_threads_hang(status)
    return status


def _logs_to_file(adapter: str, verbose: int) -> TextIO | None:
    """At a terminal the shell is a chat: everything written to stderr from now on (Python's
    logs, and TensorFlow's C++ start-up lines, which ignore ``TF_CPP_MIN_LOG_LEVEL``) goes to
    ``SHELL_LOG``, so nothing mixes with what is said (``-v`` keeps stderr as it is).

    Returns the terminal's own stderr, for the one-line errors the user must see; ``None`` when
    stderr is left alone.
    """
    if adapter != "shell" or verbose or not sys.stdin.isatty():
        return None
    SHELL_LOG.parent.mkdir(parents=True, exist_ok=True)
    print(f"(logs: {SHELL_LOG})", file=sys.stderr, flush=True)
    terminal = os.fdopen(os.dup(sys.stderr.fileno()), "w", buffering=1)
    log = os.open(SHELL_LOG, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, sys.stderr.fileno())
    os.close(log)
    return terminal


def _config_line(path: str | None) -> str:
    """Which configuration is in use, in words."""
    if path is not None:
        return f"config {path}"
    if DEFAULT_CONFIG.is_file():
        return f"config {DEFAULT_CONFIG.resolve()}"
    return f"no config.toml in {Path.cwd()}: built-in defaults"


def _safe_url(settings: Settings) -> str:
    from storage.engine import safe_url

    return safe_url(settings.storage.url)


def _run_loop(main: Coroutine[Any, Any, int]) -> int:
    """``asyncio.run`` without its unbounded wait for the default executor's threads.

    The app's own shutdown is bounded (``[ops] shutdown_timeout_s``); a worker thread still
    inside a database or model call after it must not keep the process alive.
    """
    loop = asyncio.new_event_loop()
    try:
        asyncio.set_event_loop(loop)
        return loop.run_until_complete(main)
    finally:
        try:
            _cancel_remaining(loop)
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            asyncio.set_event_loop(None)
            loop.close()  # the default executor is shut down without waiting


def _cancel_remaining(loop: asyncio.AbstractEventLoop) -> None:
    tasks = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in tasks:
        task.cancel()
    if tasks:
        loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))


def _exit_if_threads_hang(status: int, grace_s: float = EXIT_GRACE_S) -> None:
    """Exit now with ``status`` when worker threads are still busy after ``grace_s``.

    Python joins every executor thread at exit, so one stuck call (a database that stopped
    answering) would hang the process after a finished shutdown; the logs say which.
    """
    deadline = time.monotonic() + grace_s
    workers = [
        t for t in threading.enumerate() if t is not threading.current_thread() and not t.daemon
    ]
    for thread in workers:
        thread.join(max(0.0, deadline - time.monotonic()))
    busy = [thread.name for thread in workers if thread.is_alive()]
    if busy:
        logger.error("exiting with %d thread(s) still busy: %s", len(busy), ", ".join(busy))
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status or 1)
