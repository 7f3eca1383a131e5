"""``sentiment-report [channel] [period]``: a channel's mood report, on demand."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.core.access import Target, report_refusal
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


def _parse_text(text: str, default_channel: str) -> tuple[Target, str]:
    target, period = Target(default_channel), DEFAULT_PERIOD
    for token in text.split():
        ref = _CHANNEL_REF.match(token)
        if ref:
            target = Target(ref.group(1))
        elif _PERIOD.match(token):
            period = token.lower()
        elif "/" in token.strip("/"):  # SERVER/CHANNEL: another server, asked for explicitly
            target = _elsewhere(token)
        else:
            target = Target(token.lstrip("#"))
    return target, period


def _elsewhere(text: str) -> Target:
    """``SERVER/CHANNEL``: a channel of another server, named explicitly."""
    workspace, _, channel = text.partition("/")
    return Target(channel.strip().lstrip("#"), workspace.strip())


def report_request(command: Command) -> tuple[Target, str]:
    """The channel and period a report command asks for.

    Typed options (Discord) are taken as they are, so a word in ``period`` is always read as a
    period; text (Slack, the shell) is split into channel references and a period.
    """
    if not command.options:
        return _parse_text(command.text, command.channel)
    target = Target(command.options.get("channel") or command.channel)
    elsewhere = command.options.get("elsewhere", "").strip()
    if elsewhere:
        target = _elsewhere(elsewhere)
    return target, (command.options.get("period") or DEFAULT_PERIOD).strip()


async def check_report(ctx: CommandContext, command: Command) -> Reply | None:
    """The private answer when the report cannot be given (a bad period, a channel the caller
    may not see: ``bot.core.access``); ``None`` when it can. Fast: adapters call it before
    acknowledging, so a refusal never shows in the channel."""
    target, period_text = report_request(command)
    try:
        parse_period(period_text)
    except ValueError as exc:
        return Reply(f"{exc}\nUsage: /{REPORT.usage}", ephemeral=True)
    ids = getattr(ctx.settings.admins, command.platform, [])
    refusal = await report_refusal(command, target, {str(i) for i in ids})
    return None if refusal is None else Reply(refusal, ephemeral=True)


async def cmd_report(ctx: CommandContext, command: Command) -> Reply:
    """``sentiment-report [channel] [period]``: a channel's report (default: here, 24h)."""
    refusal = await check_report(ctx, command)
    if refusal is not None:
        return refusal
    target, period_text = report_request(command)
    await ctx.flush_writes()  # so the report includes what was just said
    return await build_report(
        ctx.repository,
        command.platform,
        target.channel,
        parse_period(period_text),
        **report_settings(ctx.settings, plain=command.platform == "shell"),
        scorer=ctx.scorer,
    )


REPORT = CommandSpec(
    name="sentiment-report",
    description="A channel's mood report (default this channel, 24h)",
    usage="sentiment-report [channel] [period]",
    summary="a channel's mood report (default: this channel, 24h; periods like 90m, 24h, 7d)",
    handler=cmd_report,
    check=check_report,
    options=(
        Option("channel", "The channel to report on (default: this one)"),
        Option("period", "How far back, like 90m, 24h or 7d (default: 24h)"),
        Option("elsewhere", "Operators only: another server's channel, as SERVER_ID/CHANNEL_ID"),
    ),
    usage_hint="[#channel] [period: 90m, 24h, 7d]",
    guild_only=True,
    defer=True,
)
