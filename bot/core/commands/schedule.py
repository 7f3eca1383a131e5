"""``/sentiment-schedule``: show, set or reset one channel's report schedule.

The schedule is stored with the channel's settings (``ChannelSettings.report_cron``) so every
bot instance and every restart uses it; ``None`` means ``[reports] cron``. The running
scheduler (``CommandContext.schedules``) is told to reschedule the channel's job at once.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from bot.core.commands.spec import CommandSpec, Option
from bot.core.messages import Command, Reply
from bot.reports.crontab import validate_cron
from bot.reports.format import channel_ref
from storage.types import ChannelSettings

if TYPE_CHECKING:
    from bot.config import ReportsConfig
    from bot.core.ports import CommandContext, Schedules
    from storage.repository import Repository

RESET_WORDS = ("default", "reset", "off")
USAGE = "Usage: /sentiment-schedule <minute hour day month weekday> | default"


async def cmd_schedule(ctx: CommandContext, command: Command) -> Reply:
    """``sentiment-schedule [cron|default]``: show or set this channel's report schedule."""
    if command.text.strip() and not command.author.is_admin:
        return Reply("Only admins can change a channel's report schedule.", ephemeral=True)
    if ctx.schedules is None:
        return Reply("Scheduled reports are not running in this instance.", ephemeral=True)
    return await change_schedule(
        ctx.repository,
        ctx.settings.reports,
        ctx.schedules,
        command.platform,
        command.channel,
        command.text,
        workspace=command.workspace,
    )


async def change_schedule(
    repository: Repository,
    reports: ReportsConfig,
    schedules: Schedules,
    platform: str,
    channel: str,
    text: str,
    *,
    workspace: str = "",
) -> Reply:
    """Show, set or reset one channel's schedule.

    An empty ``text`` shows the current schedule; one of ``RESET_WORDS`` goes back to
    ``[reports] cron``; anything else must be a five-field crontab expression (a bad one is an
    ephemeral error and changes nothing).
    """
    text = text.strip()
    name = channel_ref(platform, channel)
    if not text:
        current = await asyncio.to_thread(repository.get_channel, platform, channel)
        cron = (current.report_cron if current else None) or reports.cron
        return Reply(
            f"Reports for {name} run on '{cron}' ({reports.timezone}). {USAGE}", ephemeral=True
        )
    own: str | None = None
    if text.lower() not in RESET_WORDS:
        try:
            own = validate_cron(text)
        except ValueError as exc:
            return Reply(str(exc), ephemeral=True)
    current = await asyncio.to_thread(repository.get_channel, platform, channel)
    settings = ChannelSettings(
        platform=platform,
        channel=channel,
        workspace=(current.workspace if current else "") or workspace,
        opted_out=current.opted_out if current else False,
        report_cron=own,
    )
    await asyncio.to_thread(repository.set_channel, settings)
    effective = own or reports.cron
    await schedules.apply_schedule((platform, channel), effective)
    what = "the default schedule" if own is None else "schedule"
    return Reply(f"Reports for {name} now follow {what} '{effective}' ({reports.timezone}).")


SCHEDULE = CommandSpec(
    name="sentiment-schedule",
    description="Show or set (admins) this channel's report schedule",
    usage="sentiment-schedule [cron|default]",
    summary="show or set (admins) this channel's report schedule",
    handler=cmd_schedule,
    options=(Option("cron", "A cron line like '0 9 * * 1-5', or 'default'"),),
    usage_hint="[cron line | default]",
    private=True,
    guild_only=True,
)
