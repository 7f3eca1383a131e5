"""The ``sentibot`` command line: one sub-command per feature, each registered by its module."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from bot.config import ConfigError
from bot.logs import configure_logging

# Modules that each expose ``register(subparsers)``; sub-commands set ``func(args) -> int``.
COMMAND_MODULES = (
    "bot.cli.model",
    "bot.cli.score",
    "bot.cli.run",
    "bot.cli.db",
    "bot.cli.reports",
    "bot.cli.ops",
    "bot.cli.dashboard",
    "bot.cli.serve",
)

logger = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    """Build the parser with every available sub-command."""
    parser = argparse.ArgumentParser(
        prog="sentibot",
        description="sentibot tells a team how its Discord and Slack channels feel: it scores "
        "every message from 0 (negative) to 1 (positive), stores the scores and reports on "
        "them. Run 'sentibot run' for the bot (in this terminal when no token is set), or one "
        "of the commands below.",
        epilog="Quiet by default: a command prints its result; -v shows progress, -vv debug.",
    )
    parser.add_argument("--config", default=None, help="path to config.toml")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="show progress (-vv: debug)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        module = importlib.import_module(name)
        module.register(sub)
    for command in sub.choices.values():  # global options are accepted after it too
        command.add_argument("--config", default=argparse.SUPPRESS, help="path to config.toml")
        command.add_argument(
            "-v", "--verbose", action="count", default=argparse.SUPPRESS, help="show progress"
        )
    return parser


def verbosity_level(verbose: int, default: str = "WARNING") -> str:
    """The log level for ``-v`` counted ``verbose`` times (none: ``default``)."""
    return {0: default, 1: "INFO"}.get(verbose, "DEBUG")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``sentibot`` console script."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before any sub-command imports TF
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(verbosity_level(args.verbose), "text")
    try:
        return int(args.func(args) or 0)
    except ConfigError as exc:
        print(f"sentibot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `sentibot report ... | head`: the reader has what it wanted
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - so the exit flush cannot fail
        return 0
