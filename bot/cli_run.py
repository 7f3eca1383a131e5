"""``sentibot run``: run the bot on the shell, Slack or Discord."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys

from bot.config import load_settings

logger = logging.getLogger(__name__)

ADAPTERS = ("auto", "shell", "slack", "discord")
EXIT_STARTUP = 2


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
    from bot.bootstrap import StartupError, build_app
    from bot.logs import configure_logging

    config_path = getattr(args, "config", None)
    settings = load_settings(config_path)  # a ConfigError is printed as one line by cli.main
    if args.adapter:
        settings.bot.adapter = args.adapter
    configure_logging(settings.ops.log_level, settings.ops.log_format)
    try:
        app = build_app(settings, config_path=config_path)
    except StartupError as exc:
        print(f"sentibot: {exc}", file=sys.stderr)
        return EXIT_STARTUP
    return asyncio.run(app.run())
