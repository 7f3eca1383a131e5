"""The bot's own errors and how an exception is told in one line."""

from __future__ import annotations


class StartupError(Exception):
    """The bot cannot start; the message is one line saying why and what to do."""


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (at most 300 characters), or its type."""
    lines = str(exc).strip().splitlines()
    return lines[0][:300] if lines else type(exc).__name__
