"""Scoring commands: ``sentiment <text>`` and ``sentiment-explain <text>``.

``model.explain`` is imported inside its handler: it brings TensorFlow, not needed at startup.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from bot.core.commands.spec import CommandSpec, Option
from bot.core.corrections import offer_correction
from bot.core.messages import Command, Reply
from model.types import Label, Score

if TYPE_CHECKING:
    from bot.core.ports import CommandContext

EMOJI = {"positive": "🙂", "neutral": "😐", "negative": "🙁", "unscored": "❔"}
BAR_CELLS = 10


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


QUOTE_CHARS = 80


def quote(text: str, limit: int = QUOTE_CHARS) -> str:
    """``text`` safe to repeat in a channel: one line, cut at ``limit``, and unable to mention
    or ping anyone (a zero-width space after every ``@`` and ``<``: ``@here``, ``<!channel>``,
    ``<@U1>`` and ``<@&role>`` stay plain text on Slack and Discord)."""
    line = " ".join("".join(ch for ch in text if ch.isprintable() or ch.isspace()).split())
    if len(line) > limit:
        line = line[: limit - 1].rstrip() + "…"
    return line.replace("@", "@\u200b").replace("<", "<\u200b")


def asked(command: Command) -> str:
    """Who asked, as a channel that never saw the command should read it."""
    return command.author.name or command.author.id


async def cmd_sentiment(ctx: CommandContext, command: Command) -> Reply:
    """``sentiment <text>``: score a text and show label, score and a bar.

    On a chat platform the answer is public, so it names who asked and quotes the text (a
    channel never sees the slash command itself); the local shell gets the bare line. A scored
    answer carries right / wrong buttons (``bot.core.corrections``)."""
    text = command.text
    if not text.strip():
        return Reply(f"Usage: /{SENTIMENT.usage}", ephemeral=True)
    score = await ctx.score(text)
    if score.label == Label.UNSCORED and score.reason == "empty":
        return Reply(f"Usage: /{SENTIMENT.usage} (nothing to score in that text)")
    line = format_score(score)
    if command.platform != "shell":
        line = f"{asked(command)} asked about “{quote(text)}”: {line}"
    limit = ctx.settings.scoring.max_chars
    if len(text) > limit or score.reason == "truncated":
        line += f"\n(Your text is over {limit:,} characters; I scored the first {limit:,}.)"
    if score.score is None:
        return Reply(line)
    buttons = await offer_correction(
        ctx,
        platform=command.platform,
        workspace=command.workspace,
        channel=command.channel,
        author_id=command.author.id,
        text=text,
        label=str(score.label),
    )
    return Reply(line, buttons=buttons)


async def cmd_explain(ctx: CommandContext, command: Command) -> Reply:
    """``sentiment-explain <text>``: which words pushed the score up or down."""
    if not command.text.strip():
        return Reply(f"Usage: /{EXPLAIN.usage}", ephemeral=True)
    from model import explain  # imports TensorFlow: only when asked

    scorer = ctx.scorer
    if scorer is None:
        return Reply("Explanations need the in-process model, which this instance does not run.")
    text = command.text[: ctx.settings.scoring.max_chars]
    result = await asyncio.to_thread(explain.explain, scorer, text)  # type: ignore[arg-type]
    return Reply(explain.format_explanation(result))


SENTIMENT = CommandSpec(
    name="sentiment",
    description="Score the sentiment of a text",
    usage="sentiment <text>",
    summary="score a text",
    handler=cmd_sentiment,
    options=(Option("text", "The text to score"),),
    usage_hint="<text>",
    scoring=True,
)
EXPLAIN = CommandSpec(
    name="sentiment-explain",
    description="Show why a text scored as it did",
    usage="sentiment-explain <text>",
    summary="why a text scored so",
    handler=cmd_explain,
    options=(Option("text", "The text to explain"),),
    usage_hint="<text>",
    scoring=True,
)
