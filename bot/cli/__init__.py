"""The ``sentibot`` command line (``bot.cli.main``); one module per sub-command group."""

from bot.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
