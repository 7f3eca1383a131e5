"""How a chat command is declared: once, for every platform.

A ``CommandSpec`` carries everything the platforms need: the name, the one-line description and
options (Discord's application commands, the Slack manifest), the usage and summary lines
(``/help``), whether only admins may run it, how it is answered (privately, deferred at once),
and its handler. ``bot.core.commands.registry.COMMANDS`` lists every spec.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.messages import Command, Reply

if TYPE_CHECKING:
    from bot.core.ports import CommandContext

Handler = Callable[["CommandContext", Command], Awaitable[Reply]]
Check = Callable[["CommandContext", Command], Awaitable[Reply | None]]


@dataclass(frozen=True, slots=True)
class Option:
    """One named argument of a command, as platforms with typed options show it (Discord)."""

    name: str
    description: str


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """One chat command, the same on every platform.

    Attributes
    ----------
    name
        Without the slash (``sentiment-report``).
    description
        The one line the platforms show in their command pickers.
    usage, summary
        ``/help``'s line: ``/{usage} — {summary}``.
    handler
        ``async (context, command) -> Reply``.
    check
        Optional ``async (context, command) -> Reply | None``: the private refusal or error the
        command would give, decided fast and before any work, so an adapter can answer it
        privately before acknowledging publicly (Discord's defer).
    options
        The arguments, for platforms that declare them (Discord); in order.
    usage_hint
        Slack's hint after the command name (the manifest's ``usage_hint``).
    admin
        Only admins may run it (``registry.admin_refusal`` decides, for every platform).
    private
        Only the caller sees the answer (Discord defers it ephemerally).
    guild_only
        Meaningless outside a server channel (Discord hides it in DMs).
    defer
        Slow: acknowledge at once (Discord's "thinking..." state).
    scoring
        Its public reply carries a score: a 👍/👎 on it is feedback on the text.
    slash
        Registered as a platform slash command (``help`` is the shell's only).
    """

    name: str
    description: str
    usage: str
    summary: str
    handler: Handler
    check: Check | None = None
    options: tuple[Option, ...] = ()
    usage_hint: str = ""
    admin: bool = False
    private: bool = False
    guild_only: bool = False
    defer: bool = False
    scoring: bool = False
    slash: bool = True

    def describe(self) -> dict[str, str]:
        """Option name -> description (for ``discord.app_commands.describe``)."""
        return {option.name: option.description for option in self.options}
