"""The bot's own errors and how an exception is told in one line."""

from __future__ import annotations


class StartupError(Exception):
    """The bot cannot start; the message is one line saying why and what to do."""


class NotStored(Exception):
    """A durable delivery was not stored (buffer full, writer stopped): do not acknowledge it,
    so the platform delivers it again, perhaps to another instance."""


def first_line(exc: BaseException, limit: int = 300, *, with_type: bool = False) -> str:
    """The first line of an exception's message (at most ``limit`` characters), or its type.

    With ``with_type`` the line starts with the exception's type (``TimeoutError: ...``).
    """
    lines = str(exc).strip().splitlines()
    if not lines:
        return type(exc).__name__
    return f"{type(exc).__name__}: {lines[0][:limit]}" if with_type else lines[0][:limit]
