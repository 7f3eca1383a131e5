"""``sentiment-report [channel] [period]``: a channel's mood report, on demand."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.core.commands.spec import CommandSpec, Option
from bot.core.messages import Command, Reply
from bot.reports.build import build_report, report_settings
from bot.reports.format import parse_period

if TYPE_CHECKING:
    from bot.core.ports import CommandContext

DEFAULT_PERIOD = "24h"
_PERIOD = re.compile(r"^\d+(\.\d+)?[a-z]+$", re.IGNORECASE)
# Channel references as users type them: #general, <#C123|general> (Slack), <#123> (Discord).
_CHANNEL_REF = re.compile(r"^<#([^>|]+)(\|[^>]*)?>$")


def parse_report_args(text: str, default_channel: str) -> tuple[str, str]:
    """The channel and period words of ``text`` (defaults: ``default_channel``, 24h)."""
    channel, period = default_channel, DEFAULT_PERIOD
    for token in text.split():
        ref = _CHANNEL_REF.match(token)
        if ref:
            channel = ref.group(1)
        elif _PERIOD.match(token):
            period = token.lower()
        else:
            channel = token.lstrip("#")
    return channel, period


async def cmd_report(ctx: CommandContext, command: Command) -> Reply:
    """``sentiment-report [channel] [period]``: a channel's report (default: here, 24h)."""
    channel, period_text = parse_report_args(command.text, command.channel)
    if channel != command.channel and not command.author.is_admin:
        return Reply(
            "Only admins can ask for another channel's report; "
            "run /sentiment-report in that channel instead.",
            ephemeral=True,
        )
    try:
        period = parse_period(period_text)
    except ValueError as exc:
        return Reply(f"{exc}\nUsage: {REPORT.usage}", ephemeral=True)
    await ctx.flush_writes()  # so the report includes what was just said
    return await build_report(
        ctx.repository,
        command.platform,
        channel,
        period,
        **report_settings(ctx.settings, plain=command.platform == "shell"),
        scorer=ctx.scorer,
    )


REPORT = CommandSpec(
    name="sentiment-report",
    description="A channel's mood report (default this channel, 24h)",
    usage="sentiment-report [channel] [period]",
    summary="a channel's mood report (default: this channel, 24h; periods like 90m, 24h, 7d)",
    handler=cmd_report,
    options=(
        Option("channel", "The channel to report on (default: this one)"),
        Option("period", "How far back, like 90m, 24h or 7d (default: 24h)"),
    ),
    usage_hint="[#channel] [period: 90m, 24h, 7d]",
    guild_only=True,
    defer=True,
)
