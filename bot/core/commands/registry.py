"""The chat commands, the same on every platform.

Each handler takes the ``SentimentBot`` and the ``Command`` and returns a ``Reply``. This module
holds the registry (``COMMANDS``), ``dispatch`` and the scoring and report commands; admin
commands are in ``bot.core.commands.admin``, opt-out/opt-in/feedback in
``bot.core.commands.own_data``.
``model.explain`` is imported inside its handler: it brings TensorFlow, not needed at startup.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.commands.admin import cmd_retrain, cmd_schedule
from bot.core.commands.own_data import FEEDBACK_USAGE, cmd_feedback, cmd_optin, cmd_optout
from bot.core.messages import Command, Reply
from bot.reports.build import build_report
from bot.reports.format import parse_period
from model.types import Label, Score

if TYPE_CHECKING:
    from bot.core.bot import SentimentBot

logger = logging.getLogger(__name__)

Handler = Callable[["SentimentBot", Command], Awaitable[Reply]]
EMOJI = {"positive": "🙂", "neutral": "😐", "negative": "🙁", "unscored": "❔"}
BAR_CELLS = 10
DEFAULT_PERIOD = "24h"
_PERIOD = re.compile(r"^\d+(\.\d+)?[a-z]+$", re.IGNORECASE)
# Channel references as users type them: #general, <#C123|general> (Slack), <#123> (Discord).
_CHANNEL_REF = re.compile(r"^<#([^>|]+)(\|[^>]*)?>$")


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """A command's name, usage line, one-line summary and handler."""

    name: str
    usage: str
    summary: str
    handler: Handler


def score_bar(score: float) -> str:
    """A ten-cell bar for a score in ``[0, 1]``."""
    filled = max(0, min(BAR_CELLS, round(score * BAR_CELLS)))
    return "█" * filled + "░" * (BAR_CELLS - filled)


def format_score(score: Score) -> str:
    """One line: emoji, label, score and bar (or why the text was not scored)."""
    label = str(score.label)
    if score.score is None:
        reason = score.reason or "no score"
        if reason.startswith("language:"):
            reason = f"the text looks like language '{reason.split(':', 1)[1]}', not one I score"
        return f"{EMOJI['unscored']} not scored: {reason}"
    return f"{EMOJI.get(label, '')} {label} {score.score:.2f} {score_bar(score.score)}"


async def cmd_sentiment(bot: SentimentBot, command: Command) -> Reply:
    """``sentiment <text>``: score a text and show label, score and a bar."""
    text = command.text
    if not text.strip():
        return Reply(f"Usage: {COMMANDS['sentiment'].usage}", ephemeral=True)
    score = await bot.score(text)
    if score.label == Label.UNSCORED and score.reason == "empty":
        return Reply(f"Usage: {COMMANDS['sentiment'].usage} (nothing to score in that text)")
    line = format_score(score)
    limit = bot.settings.scoring.max_chars
    if len(text) > limit or score.reason == "truncated":
        line += f"\n(Your text is over {limit:,} characters; I scored the first {limit:,}.)"
    return Reply(line)


def _parse_report_args(text: str, default_channel: str) -> tuple[str, str]:
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


async def cmd_report(bot: SentimentBot, command: Command) -> Reply:
    """``sentiment-report [channel] [period]``: a channel's report (default: here, 24h)."""
    channel, period_text = _parse_report_args(command.text, command.channel)
    if channel != command.channel and not command.author.is_admin:
        return Reply(
            "Only admins can ask for another channel's report; "
            "run /sentiment-report in that channel instead.",
            ephemeral=True,
        )
    try:
        period = parse_period(period_text)
    except ValueError as exc:
        return Reply(f"{exc}\nUsage: {COMMANDS['sentiment-report'].usage}", ephemeral=True)
    await bot.flush_writes()  # so the report includes what was just said
    return await build_report(
        bot.repository,
        command.platform,
        channel,
        period,
        min_messages=bot.settings.reports.min_messages,
        chart_dir=bot.settings.reports.chart_dir,
        store_text=bot.settings.privacy.store_text,
        timezone=bot.settings.reports.timezone,
        plain=command.platform == "shell",
        scorer=bot.scorer,
    )


async def cmd_explain(bot: SentimentBot, command: Command) -> Reply:
    """``sentiment-explain <text>``: which words pushed the score up or down."""
    if not command.text.strip():
        return Reply(f"Usage: {COMMANDS['sentiment-explain'].usage}", ephemeral=True)
    from model import explain  # imports TensorFlow: only when asked

    if bot.scorer is None:
        return Reply("Explanations need the in-process model, which this instance does not run.")
    text = command.text[: bot.settings.scoring.max_chars]
    result = await asyncio.to_thread(explain.explain, bot.scorer, text)
    return Reply(explain.format_explanation(result))


async def cmd_help(bot: SentimentBot, command: Command) -> Reply:
    """``help``: every command with its usage."""
    return Reply(help_text(), ephemeral=True)


def help_text() -> str:
    """The command list, one line per command."""
    lines = ["sentibot scores the mood of this channel. Commands:"]
    lines += [f"  /{spec.usage} — {spec.summary}" for spec in COMMANDS.values()]
    return "\n".join(lines)


COMMANDS: dict[str, CommandSpec] = {
    spec.name: spec
    for spec in (
        CommandSpec("sentiment", "sentiment <text>", "score a text", cmd_sentiment),
        CommandSpec(
            "sentiment-report",
            "sentiment-report [channel] [period]",
            "a channel's mood report (default: this channel, 24h; periods like 90m, 24h, 7d)",
            cmd_report,
        ),
        CommandSpec(
            "sentiment-schedule",
            "sentiment-schedule [cron|default]",
            "show or set (admins) this channel's report schedule",
            cmd_schedule,
        ),
        CommandSpec(
            "sentiment-retrain", "sentiment-retrain", "retrain the model (admins)", cmd_retrain
        ),
        CommandSpec(
            "sentiment-optout", "sentiment-optout", "delete your data, stop storing it", cmd_optout
        ),
        CommandSpec("sentiment-optin", "sentiment-optin", "store your scores again", cmd_optin),
        CommandSpec(
            "sentiment-explain", "sentiment-explain <text>", "why a text scored so", cmd_explain
        ),
        CommandSpec(
            "sentiment-feedback",
            FEEDBACK_USAGE,
            "correct a score: of the text given, else of your last message here",
            cmd_feedback,
        ),
        CommandSpec("help", "help", "this list", cmd_help),
    )
}


async def dispatch(bot: SentimentBot, command: Command) -> Reply:
    """Run ``command`` and return its reply; failures become a polite message, never raise."""
    name = command.name.strip().lstrip("/").lower()
    spec = COMMANDS.get(name)
    if spec is None:
        names = ", ".join(f"/{n}" for n in COMMANDS)
        return Reply(f"I don't know /{name}. Try /help; commands: {names}.", ephemeral=True)
    try:
        return await spec.handler(bot, command)
    except Exception as exc:
        bot.stats["command_errors"] += 1
        logger.exception("command /%s failed", name)
        return Reply(f"Sorry, /{name} failed ({type(exc).__name__}). Please try again later.")
