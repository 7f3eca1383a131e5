"""Scoring commands: ``sentiment <text>`` and ``sentiment-explain <text>``.

``model.explain`` is imported inside its handler: it brings TensorFlow, not needed at startup.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from bot.core.commands.spec import CommandSpec, Option
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


async def cmd_sentiment(ctx: CommandContext, command: Command) -> Reply:
    """``sentiment <text>``: score a text and show label, score and a bar."""
    text = command.text
    if not text.strip():
        return Reply(f"Usage: /{SENTIMENT.usage}", ephemeral=True)
    score = await ctx.score(text)
    if score.label == Label.UNSCORED and score.reason == "empty":
        return Reply(f"Usage: /{SENTIMENT.usage} (nothing to score in that text)")
    line = format_score(score)
    limit = ctx.settings.scoring.max_chars
    if len(text) > limit or score.reason == "truncated":
        line += f"\n(Your text is over {limit:,} characters; I scored the first {limit:,}.)"
    return Reply(line)


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
