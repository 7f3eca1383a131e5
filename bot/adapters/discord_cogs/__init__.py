"""One discord.py cog per feature: message stream, user commands, admin commands, feedback."""

from bot.adapters.discord_cogs.admin import AdminCog
from bot.adapters.discord_cogs.commands import CommandsCog
from bot.adapters.discord_cogs.feedback import FeedbackCog
from bot.adapters.discord_cogs.stream import StreamCog

__all__ = ["AdminCog", "CommandsCog", "FeedbackCog", "StreamCog"]
