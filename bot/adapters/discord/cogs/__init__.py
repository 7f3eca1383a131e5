"""One discord.py cog per feature: message stream, user commands, admin commands, feedback
(reactions) and buttons."""

from bot.adapters.discord.cogs.admin import AdminCog
from bot.adapters.discord.cogs.buttons import ButtonsCog
from bot.adapters.discord.cogs.commands import CommandsCog
from bot.adapters.discord.cogs.feedback import FeedbackCog
from bot.adapters.discord.cogs.stream import StreamCog

__all__ = ["AdminCog", "ButtonsCog", "CommandsCog", "FeedbackCog", "StreamCog"]
