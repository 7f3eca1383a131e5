"""Report text: period parsing and wording, channel references, message links, and the report.

``format_report`` is pure (no I/O): it words a ``ChannelStats`` as the text a channel gets;
``bot.reports.build.build_report`` fetches the figures and adds the chart and the negative words.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta, tzinfo

from storage.types import ChannelStats, ExampleMessage

logger = logging.getLogger(__name__)

_PERIOD = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(m|min|h|d|w)\s*$", re.IGNORECASE)
_UNITS = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days", "w": "weeks"}
MIN_PERIOD = timedelta(minutes=1)
MAX_PERIOD = timedelta(days=366)
EXAMPLE_CHARS = 140


def parse_period(text: str) -> timedelta:
    """Parse a period such as ``"24h"``, ``"7d"``, ``"90m"`` or ``"2w"``.

    Parameters
    ----------
    text
        A number followed by ``m`` (minutes), ``h`` (hours), ``d`` (days) or ``w`` (weeks).

    Returns
    -------
    timedelta
        The period, between one minute and 366 days.

    Raises
    ------
    ValueError
        With a message that shows the accepted forms.
    """
    match = _PERIOD.match(text or "")
    if match is None:
        raise ValueError(
            f"unknown period {text!r}: use a number and a unit, like 90m, 24h, 7d or 2w"
        )
    try:
        period = timedelta(**{_UNITS[match.group(2).lower()]: float(match.group(1))})
    except OverflowError:  # 9999999999d is past timedelta's range: out of ours too
        period = MAX_PERIOD + MIN_PERIOD
    if not MIN_PERIOD <= period <= MAX_PERIOD:
        raise ValueError(f"period {text!r} out of range: use between 1m and 366d")
    return period


def format_period(period: timedelta) -> str:
    """Word a period compactly: ``24h``, ``7d``, ``90m`` (the inverse of ``parse_period``)."""
    seconds = period.total_seconds()
    if seconds >= 2 * 86400 and seconds % 86400 == 0:
        return f"{seconds / 86400:g}d"
    for unit, size in (("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds / size:g}{unit}"
    return f"{seconds:g}s"


def channel_ref(platform: str, channel: str, *, plain: bool = False) -> str:
    """How to name a channel in a message: a clickable mention on Slack and Discord."""
    if not plain and platform in ("slack", "discord"):
        return f"<#{channel}>"
    return f"#{channel}"


def message_link(platform: str, workspace: str, channel: str, message_id: str) -> str | None:
    """A link to a message where the platform has one (Slack, Discord), else ``None``."""
    if platform == "discord" and workspace:
        return f"https://discord.com/channels/{workspace}/{channel}/{message_id}"
    if platform == "slack" and re.fullmatch(r"\d+\.\d+", message_id):
        return f"https://slack.com/archives/{channel}/p{message_id.replace('.', '')}"
    return None


def defuse_mentions(text: str) -> str:
    """Stop quoted text from pinging anyone (``@everyone``, ``<!channel>``, ``<@U123>``)."""
    return text.replace("@", "@\u200b").replace("<!", "<\u200b!").replace("<#", "<\u200b#")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.1f}%" if whole else "n/a"


def _when(moment: datetime, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")


def _example_lines(
    title: str, examples: list[ExampleMessage], platform: str, workspace: str, channel: str
) -> list[str]:
    if not examples:
        return []
    lines = [title]
    for ex in examples:
        text = " ".join(ex.text.split())
        if len(text) > EXAMPLE_CHARS:
            text = text[: EXAMPLE_CHARS - 1] + "…"
        # The message's own workspace (Discord guild) first: channel settings may not know it.
        link = message_link(platform, ex.workspace or workspace, channel, ex.message_id)
        suffix = f" <{link}>" if link else ""
        lines.append(f"  {ex.score:.2f}  “{defuse_mentions(text)}”{suffix}")
    return lines


def format_report(
    stats: ChannelStats,
    *,
    period: timedelta,
    min_messages: int,
    tz: tzinfo = UTC,
    workspace: str = "",
    plain: bool = False,
) -> str:
    """Word ``stats`` as the text of a report (pure: no I/O, used by tests and the CLI)."""
    name = channel_ref(stats.platform, stats.channel, plain=plain)
    label = format_period(period)
    head = [
        f"Sentiment report for {name} ({stats.platform}), last {label}",
        f"Period: {_when(stats.start, tz)} to {_when(stats.end, tz)}",
    ]
    scored = stats.count - stats.unscored
    unscored = f" (+{stats.unscored} unscored)" if stats.unscored else ""
    if scored < min_messages or stats.mean is None:
        return "\n".join(
            head
            + [
                f"Only {_plural(scored, 'scored message')}{unscored} in this "
                f"period: fewer than {min_messages}, too few for a meaningful report."
            ]
        )
    if stats.previous_mean is None:
        change = f"no scored messages in the previous {label}"
    else:
        delta = stats.mean - stats.previous_mean
        arrow = "▲" if delta > 0 else "▼" if delta < 0 else "="
        change = (
            f"{arrow} {delta:+.3f} vs the previous {label}: {stats.previous_mean:.3f} "
            f"over {_plural(stats.previous_count, 'message')}"
        )
    lines = head + [
        f"Messages: {scored} scored{unscored}",
        f"Mean score: {stats.mean:.3f} ({change})",
        f"Negative {_pct(stats.negative, scored)} · Neutral {_pct(stats.neutral, scored)} · "
        f"Positive {_pct(stats.positive, scored)}",
    ]
    if stats.busiest_hour is not None:
        busiest = next((n for h, n, _ in stats.hourly if h == stats.busiest_hour), 0)
        lines.append(
            f"Busiest hour: {_when(stats.busiest_hour, tz)} ({_plural(busiest, 'message')})"
        )
    # Examples only from their side of the scale: a 0.5 is nobody's "most negative".
    positive = [ex for ex in stats.most_positive if ex.score > 0.5]
    negative = [ex for ex in stats.most_negative if ex.score < 0.5]
    lines += _example_lines("Most positive:", positive, stats.platform, workspace, stats.channel)
    lines += _example_lines("Most negative:", negative, stats.platform, workspace, stats.channel)
    return "\n".join(lines)
