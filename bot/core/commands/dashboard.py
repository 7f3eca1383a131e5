"""``sentiment-dashboard``: a private, signed link to the web dashboard (#17).

The link (valid 15 minutes) is bound to the platform, the server or workspace and the caller.
Which channels it shows is decided here, by the one rule (``bot.core.access``) with the
platform's own answers: every monitored channel of this server the caller may read a report of
(the channel they ran it in; for admins, every channel of the server they can view). The
dashboard re-reads that decision on every request; running the command again refreshes it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from bot.core.access import Target, report_refusal
from bot.core.commands.spec import CommandSpec
from bot.core.messages import Command, Reply

if TYPE_CHECKING:
    from bot.core.ports import CommandContext

logger = logging.getLogger(__name__)

LOOKUPS_AT_ONCE = 8  # platform lookups in flight (Slack's API is rate limited)
NOT_SET_UP = (
    "The dashboard isn't set up on this bot: an operator sets [dashboard] public_url "
    "(see docs/dashboard.md)."
)


async def _grants(ctx: CommandContext, command: Command) -> list[tuple[str, str]]:
    """``(channel, name)`` of every channel of this server the caller may see."""
    assert ctx.dashboard is not None and command.directory is not None
    directory = command.directory
    operators = {str(i) for i in getattr(ctx.settings.admins, command.platform, [])}
    candidates = await ctx.dashboard.channels_of(command.platform, command.workspace)
    limit = asyncio.Semaphore(LOOKUPS_AT_ONCE)

    async def check(channel: str) -> tuple[str, str] | None:
        async with limit:
            if await report_refusal(command, Target(channel), operators) is not None:
                return None
            try:
                info = await directory.channel(channel)
            except Exception:  # the name is a nicety; the rule already said yes
                info = None
            return channel, info.name if info is not None else ""

    found = await asyncio.gather(*(check(c) for c in {command.channel, *candidates}))
    return sorted(grant for grant in found if grant is not None)


async def cmd_dashboard(ctx: CommandContext, command: Command) -> Reply:
    """``sentiment-dashboard``: a link for the caller only."""
    links = ctx.dashboard
    if links is None:
        return Reply("The dashboard is not available on this bot.", ephemeral=True)
    if command.directory is None:  # the local shell: the operator
        url = await links.operator_link()
        return Reply(f"Dashboard (operator, valid 15 minutes): {url}", ephemeral=True)
    if not links.reachable:
        return Reply(NOT_SET_UP, ephemeral=True)
    grants = await _grants(ctx, command)
    url = await links.link(command.platform, command.workspace, command.author.id, grants)
    logger.info("dashboard link made for %s (%d channels)", command.author.id, len(grants))
    count = f"{len(grants)} channel{'' if len(grants) == 1 else 's'}"
    return Reply(
        f"Your dashboard ({count} of this server you may see), valid 15 minutes, for you "
        f"only: {url}",
        ephemeral=True,
    )


DASHBOARD = CommandSpec(
    name="sentiment-dashboard",
    description="A private link to the web dashboard of this server's channels",
    usage="sentiment-dashboard",
    summary="a private link to the web dashboard (the channels you may see; 15 minutes)",
    handler=cmd_dashboard,
    private=True,
    guild_only=True,
    defer=True,
)
