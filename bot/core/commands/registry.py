"""The one command registry: every chat command declared once, for every platform.

``COMMANDS`` feeds the core's ``dispatch``, the shell's ``/help``, the Slack listeners
(``bot.adapters.slack.listeners``), the Discord cogs (``bot.adapters.discord.cogs``) and
``bot/slack_manifest.yml`` (``tests/bot/adapters/slack/test_manifest.py`` fails when the manifest
drifts). Handlers live in one module per group: ``scoring``, ``report``, ``own_data``,
``admin``, ``schedule``, ``dashboard``. ``admin_refusal`` is the one admin check.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.core.commands.admin import RETRAIN
from bot.core.commands.dashboard import DASHBOARD
from bot.core.commands.own_data import FEEDBACK, OPTIN, OPTOUT
from bot.core.commands.report import REPORT
from bot.core.commands.schedule import SCHEDULE
from bot.core.commands.scoring import EXPLAIN, SENTIMENT
from bot.core.commands.spec import CommandSpec
from bot.core.messages import Command, Reply

if TYPE_CHECKING:
    from bot.core.ports import CommandContext

logger = logging.getLogger(__name__)

# How to become an admin, by platform; other platforms get the command's own refusal.
ADMIN_REFUSALS = {
    "slack": (
        "Sorry, only this workspace's admins and owners (and the bot's operators) can run "
        "/{name}. Nothing was started."
    ),
    "discord": (
        "Sorry, only this server's admins (and the bot's operators) can run /{name}. "
        "Nothing was started."
    ),
}
DEFAULT_REFUSAL = {
    "sentiment-retrain": (
        "Only admins can start a retrain: it trains a new model that may replace the one "
        "scoring every channel. Nothing was started; ask an admin if you think it's needed."
    ),
}


async def cmd_help(ctx: CommandContext, command: Command) -> Reply:
    """``help``: every command with its usage."""
    return Reply(help_text(), ephemeral=True)


HELP = CommandSpec(
    name="help",
    description="List sentibot's commands",
    usage="help",
    summary="this list",
    handler=cmd_help,
    private=True,
    slash=False,
)

COMMANDS: dict[str, CommandSpec] = {
    spec.name: spec
    for spec in (
        SENTIMENT,
        REPORT,
        SCHEDULE,
        RETRAIN,
        OPTOUT,
        OPTIN,
        EXPLAIN,
        FEEDBACK,
        DASHBOARD,
        HELP,
    )
}


def slash_commands() -> list[CommandSpec]:
    """The commands platforms register as slash commands (all but the shell's ``help``)."""
    return [spec for spec in COMMANDS.values() if spec.slash]


def help_text() -> str:
    """The command list, one line per command."""
    lines = ["sentibot scores the mood of this channel. Commands:"]
    lines += [f"  /{spec.usage} — {spec.summary}" for spec in COMMANDS.values()]
    return "\n".join(lines)


def command_name(command: Command) -> str:
    """The command's name as typed, without slash, lower case."""
    return command.name.strip().lstrip("/").lower()


def admin_refusal(command: Command) -> Reply | None:
    """The private refusal when a non-admin runs an admin command; ``None`` when allowed.

    The one admin check: the core's ``dispatch`` applies it on every platform, and adapters
    call it before acknowledging (Discord answers a refusal at once, without deferring).
    Who is an admin is the adapter's to say (``Person.is_admin``).
    """
    name = command_name(command)
    spec = COMMANDS.get(name)
    if spec is None or not spec.admin or command.author.is_admin:
        return None
    logger.info("refused /%s for non-admin %s", name, command.author.id)
    default = DEFAULT_REFUSAL.get(name, "Only admins can run /{name}. Nothing was started.")
    text = ADMIN_REFUSALS.get(command.platform, default).format(name=name)
    return Reply(text, ephemeral=True)


async def check(ctx: CommandContext, command: Command) -> Reply | None:
    """The private refusal or error ``command`` gets before any work (an admin command from a
    non-admin, the spec's own ``check``: a bad period, a channel the caller may not see), or
    ``None``. Every platform's dispatch applies it; adapters that acknowledge publicly call it
    first (through ``Handler.check_command``) so a refusal never shows in the channel."""
    refusal = admin_refusal(command)
    spec = COMMANDS.get(command_name(command))
    if refusal is None and spec is not None and spec.check is not None:
        refusal = await spec.check(ctx, command)
    return refusal


async def dispatch(ctx: CommandContext, command: Command) -> Reply:
    """Run ``command`` and return its reply; failures become a polite message, never raise."""
    name = command_name(command)
    spec = COMMANDS.get(name)
    if spec is None:
        names = ", ".join(f"/{n}" for n in COMMANDS)
        return Reply(f"I don't know /{name}. Try /help; commands: {names}.", ephemeral=True)
    try:
        refusal = await check(ctx, command)
        if refusal is not None:
            return refusal
        reply = await spec.handler(ctx, command)
        if spec.private:  # a private command's answer is private on every platform
            reply.ephemeral = True
        return reply
    except Exception as exc:
        ctx.stats["command_errors"] += 1
        logger.exception("command /%s failed", name)
        return Reply(f"Sorry, /{name} failed ({type(exc).__name__}). Please try again later.")
