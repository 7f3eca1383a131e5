"""``/sentiment-schedule``: show, set or reset one channel's report schedule.

The schedule is stored with the channel's settings (``ChannelSettings.report_cron``) so every
bot instance and every restart uses it; ``None`` means ``[reports] cron``. The running
scheduler is told to reschedule the channel's job at once.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from bot.core.messages import Reply
from bot.reports.crontab import validate_cron
from bot.reports.format import channel_ref
from storage.types import ChannelSettings

if TYPE_CHECKING:
    from bot.reports.scheduler import ReportScheduler

logger = logging.getLogger(__name__)

RESET_WORDS = ("default", "reset", "off")
USAGE = "Usage: /sentiment-schedule <minute hour day month weekday> | default"


async def schedule_command(
    scheduler: ReportScheduler, platform: str, channel: str, text: str, *, workspace: str = ""
) -> Reply:
    """Answer ``/sentiment-schedule <cron>|default`` for one channel.

    An empty ``text`` shows the current schedule; one of ``RESET_WORDS`` goes back to
    ``[reports] cron``; anything else must be a five-field crontab expression (a bad one is an
    ephemeral error and changes nothing).
    """
    text = text.strip()
    repository = scheduler.repository
    reports = scheduler.settings.reports
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
    await scheduler.apply_schedule((platform, channel), effective)
    what = "the default schedule" if own is None else "schedule"
    return Reply(f"Reports for {name} now follow {what} '{effective}' ({reports.timezone}).")
