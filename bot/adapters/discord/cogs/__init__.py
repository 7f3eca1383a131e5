"""One discord.py cog per feature: message stream, user commands, admin commands, feedback
(reactions), buttons and the dashboard link."""

from bot.adapters.discord.cogs.admin import AdminCog
from bot.adapters.discord.cogs.buttons import ButtonsCog
from bot.adapters.discord.cogs.commands import CommandsCog
from bot.adapters.discord.cogs.dashboard import DashboardCog
from bot.adapters.discord.cogs.feedback import FeedbackCog
from bot.adapters.discord.cogs.stream import StreamCog

__all__ = ["AdminCog", "ButtonsCog", "CommandsCog", "DashboardCog", "FeedbackCog", "StreamCog"]
