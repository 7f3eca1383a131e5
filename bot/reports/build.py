"""Channel reports: the text (and chart) a channel gets on schedule or on ``/sentiment-report``.

Every figure comes from ``Repository.channel_stats`` (aggregates computed in SQL); this module
fetches them, draws the chart and names the words behind the most negative messages, while
``bot.reports.format`` words them. A report holds the period, the message count (unscored ones
apart), the mean score and its change against the previous period of the same length, the share
of each label, the busiest hour, a chart, and, only when text is stored, the most positive and
negative messages."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.core.messages import Button, Reply
from bot.reports.format import channel_ref, format_period, format_report
from bot.reports.learn import help_me_learn
from storage.repository import Repository
from storage.types import ChannelStats, ExampleMessage

if TYPE_CHECKING:
    from bot.config import Settings
    from model.batcher import BatchScorer as Scorer

logger = logging.getLogger(__name__)


def _chart_path(chart_dir: Path, platform: str, channel: str, end: datetime) -> Path:
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{platform}-{channel}")[:80]
    return Path(chart_dir) / f"report-{safe}-{end.astimezone(UTC):%Y%m%dT%H%M%S}.png"


def report_settings(settings: Settings, **overrides: Any) -> dict[str, Any]:
    """``build_report``'s keyword arguments from ``[reports]`` and ``[privacy]``.

    ``overrides`` (e.g. ``plain=True``, ``chart_dir=None``, ``timezone=tz``) win.
    """
    return {
        "min_messages": settings.reports.min_messages,
        "chart_dir": settings.reports.chart_dir,
        "store_text": settings.privacy.store_text,
        "timezone": settings.reports.timezone,
        "neutral": (settings.scoring.neutral_low, settings.scoring.neutral_high),
        **overrides,
    }


async def build_report(
    repository: Repository,
    platform: str,
    channel: str,
    period: timedelta,
    *,
    now: datetime | None = None,
    min_messages: int = 5,
    chart_dir: Path | str | None = None,
    store_text: bool = False,
    timezone: str | tzinfo = "UTC",
    plain: bool = False,
    scorer: Scorer | None = None,
    neutral: tuple[float, float] = (0.40, 0.60),
    learn: int = 0,
) -> Reply:
    """Build the report of one channel over the ``period`` that ends ``now``.

    Parameters
    ----------
    repository
        The (synchronous) repository; called through ``asyncio.to_thread``.
    platform, channel
        Which channel.
    period
        Its length; the previous period of the same length is the comparison.
    now
        End of the period (default: the current time, UTC).
    min_messages
        Fewer scored messages than this and the report says so instead of showing noise.
    chart_dir
        Where to write the chart PNG (attached to the reply); ``None`` for no chart.
    store_text
        ``[privacy] store_text``: only then are the most positive/negative messages shown.
    timezone
        For the times shown (``[reports] timezone``).
    plain
        Name the channel as ``#id`` rather than a platform mention (terminal output).
    scorer
        The in-process ``model.service.Scorer``; with ``store_text`` the report then names the
        words behind the most negative messages (occlusion, ``model.explain``).
    learn
        End with "help me learn": up to this many least-sure messages of the period, with
        positive / negative buttons (``bot.reports.learn``; scheduled reports ask for 3).

    Returns
    -------
    Reply
        The report text, with the chart file when one was drawn. An unknown or opted-out
        channel gets a clear one-line answer instead.
    """
    tz = ZoneInfo(timezone) if isinstance(timezone, str) else timezone
    end = (now or datetime.now(UTC)).astimezone(UTC)
    start = end - period
    name = channel_ref(platform, channel, plain=plain)
    settings = await asyncio.to_thread(repository.get_channel, platform, channel)
    if settings is not None and settings.opted_out:
        return Reply(f"{name} has opted out of sentiment monitoring: nothing is stored, no report.")
    stats = await asyncio.to_thread(
        repository.channel_stats, platform, channel, start, end, examples=3 if store_text else 0
    )
    if settings is None and stats.count == 0 and stats.previous_count == 0:
        known = await asyncio.to_thread(repository.monitored_channels)
        if (platform, channel) not in known:
            return Reply(
                f"I have no messages from {name} on {platform}: unknown channel, or nothing "
                "stored there yet (is the bot in that channel?)."
            )
    if not store_text:
        stats = _without_examples(stats)
    text = format_report(
        stats,
        period=period,
        min_messages=min_messages,
        tz=tz,
        workspace=settings.workspace if settings else "",
        plain=plain,
    )
    if scorer is not None and stats.most_negative:
        words = await asyncio.to_thread(negative_words, scorer, stats.most_negative)
        if words:
            text += "\nWords behind the most negative messages: " + ", ".join(
                f"{word} ({weight:+.2f})" for word, weight in words
            )
    buttons: list[Button] = []
    if learn > 0 and stats.count - stats.unscored >= min_messages:
        lines, buttons = await help_me_learn(
            repository,
            platform,
            channel,
            start,
            end,
            workspace=settings.workspace if settings else "",
            store_text=store_text,
            limit=learn,
        )
        if lines:
            text += "\n" + "\n".join(lines)
    files: list[Path] = []
    scored = stats.count - stats.unscored
    if chart_dir is not None and scored >= min_messages and stats.hourly:
        from bot.reports.charts import render_chart

        path = _chart_path(Path(chart_dir), platform, channel, end)
        title = f"{'#' + channel} ({platform}), last {format_period(period)}"
        try:
            files.append(
                await asyncio.to_thread(
                    render_chart,
                    stats.hourly,
                    path,
                    title=title,
                    tz=tz,
                    neutral=neutral,
                    labels=stats.hourly_labels,
                    period=(start, end),
                )
            )
        except Exception as exc:  # a report without its chart beats no report
            logger.warning("chart for %s/%s not drawn: %s", platform, channel, exc)
    return Reply(text, files=files, buttons=buttons)


def negative_words(
    scorer: Scorer, examples: Sequence[ExampleMessage], top: int = 5
) -> list[tuple[str, float]]:
    """The words that pulled ``examples`` down most, summed over them, strongest first."""
    from model.explain import explain_many  # TensorFlow: only when text is stored

    totals: dict[str, float] = {}
    texts = [example.text for example in examples]
    for explanation in explain_many(scorer, texts):  # type: ignore[arg-type]  # in-process
        for item in explanation.words:
            if item.contribution < 0:
                key = item.word.lower()
                totals[key] = totals.get(key, 0.0) + item.contribution
    return sorted(totals.items(), key=lambda pair: pair[1])[:top]


def _without_examples(stats: ChannelStats) -> ChannelStats:
    if not stats.most_positive and not stats.most_negative:
        return stats
    return replace(stats, most_positive=[], most_negative=[])
