"""The report chart: how a channel felt over the report's period, as a PNG a person can read.

Two panels on one time axis, drawn with matplotlib's object API on the Agg canvas (no pyplot,
no display, safe in a worker thread):

- **Mood** (top): the mean score per hour (per day for periods over a week) with the neutral
  band shaded and named in the legend. A mean is drawn as the line only where it rests on at
  least ``min_messages`` messages, with a band of its uncertainty (the largest standard error a
  mean of 0..1 scores can have, 0.5/sqrt(n)); thinner hours are faded dots, off the line, so an
  hour of two messages never reads as a mood swing. Hours without messages are gaps.
- **Volume** (bottom, a third of the height): messages per bucket, stacked negative / neutral /
  positive (unscored on top), so one busy hour is a tall bar in its own panel, not a block over
  the mood line.

The x axis spans the whole report period in the report's time zone (named on the axis), and
the figure has its own white background, so it reads the same in light and dark chat themes.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

Bucket = tuple[datetime, int, float | None]
Labels = tuple[datetime, int, int, int]  # (start, negative, neutral, positive)
DAILY_AFTER = timedelta(days=7)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MIN_MESSAGES = 5  # a mean on fewer messages is faded, not part of the line
COLOURS = {"negative": "#c0392b", "neutral": "#9e9e9e", "positive": "#2e8b57"}
LINE, UNSCORED = "#1f5fa8", "#dddddd"


@dataclass
class Point:
    """One bucket: its start, messages, mean score and label counts (scored messages)."""

    start: datetime
    messages: int
    mean: float | None
    negative: int = 0
    neutral: int = 0
    positive: int = 0

    @property
    def scored(self) -> int:
        return self.negative + self.neutral + self.positive


def daily(buckets: Sequence[Bucket], tz: tzinfo = UTC) -> list[Bucket]:
    """Merge hourly ``(start, count, mean)`` buckets into days (count-weighted means).

    Unscored messages count towards volume but not the mean; since the buckets do not say how
    many of their messages were scored, the weight of a bucket's mean is its message count.
    """
    points = _daily([Point(start, count, mean) for start, count, mean in buckets], tz)
    return [(p.start, p.messages, p.mean) for p in points]


def _daily(points: Sequence[Point], tz: tzinfo) -> list[Point]:
    days: dict[datetime, list[float]] = {}  # day -> [messages, weighted sum, weight, n, u, p]
    for point in points:
        local = point.start.astimezone(tz)
        day = local.replace(hour=0, minute=0, second=0, microsecond=0)
        acc = days.setdefault(day, [0, 0.0, 0, 0, 0, 0])
        acc[0] += point.messages
        if point.mean is not None:
            weight = point.scored or point.messages
            acc[1] += point.mean * weight
            acc[2] += weight
        acc[3] += point.negative
        acc[4] += point.neutral
        acc[5] += point.positive
    return [
        Point(day, int(a[0]), a[1] / a[2] if a[2] else None, int(a[3]), int(a[4]), int(a[5]))
        for day, a in sorted(days.items())
    ]


def _points(buckets: Sequence[Bucket], labels: Sequence[Labels] | None) -> list[Point]:
    counts = {start: (n, u, p) for start, n, u, p in labels or ()}
    return [
        Point(start, count, mean, *counts.get(start, (0, 0, 0))) for start, count, mean in buckets
    ]


def to_points(
    buckets: Sequence[Bucket],
    labels: Sequence[Labels] | None = None,
    *,
    daily: bool = False,
    tz: tzinfo = UTC,
) -> list[Point]:
    """The chart's buckets as ``Point``s, merged into days (in ``tz``) when ``daily``: the
    report chart's buckets, for other renderers (the dashboard's SVG)."""
    points = _points(buckets, labels)
    return _daily(points, tz) if daily else points


def _grid(first: datetime, last: datetime, width: timedelta) -> list[datetime]:
    slots, moment = [], first
    while moment <= last:
        slots.append(moment)
        moment += width
    return slots


def render_chart(
    buckets: Sequence[Bucket],
    path: Path | str,
    **options: Any,
) -> Path:
    """Draw the chart (``draw_chart``, same keyword options) and save it as a PNG at ``path``
    (parent folders are created); returns ``path``."""
    _save(draw_chart(buckets, **options), path)
    return Path(path)


def draw_chart(
    buckets: Sequence[Bucket],
    *,
    title: str = "Sentiment",
    tz: tzinfo = UTC,
    neutral: tuple[float, float] | None = (0.40, 0.60),
    labels: Sequence[Labels] | None = None,
    period: tuple[datetime, datetime] | None = None,
    min_messages: int = MIN_MESSAGES,
) -> Any:  # a matplotlib Figure (matplotlib is imported only when drawing)
    """Draw a channel's mood and volume over time.

    Parameters
    ----------
    buckets
        ``(bucket start, messages, mean score or None)`` in time order (``ChannelStats.hourly``).
    title
        The chart title.
    tz
        Time zone of the time axis (named under it).
    neutral
        The neutral band (``[scoring] neutral_low/high``), shaded and named; ``None``: none.
    labels
        ``(bucket start, negative, neutral, positive)`` (``ChannelStats.hourly_labels``), for
        the stacked volume bars; without it the bars are plain.
    period
        ``(start, end)`` of the report: the axis spans it all (default: the data's span).
    min_messages
        Fewest messages for a bucket's mean to be part of the line.

    Returns
    -------
    matplotlib.figure.Figure
        The figure, on an Agg canvas: the mood axes first, then the volume axes.

    Raises
    ------
    ValueError
        When there is nothing to draw.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.figure import Figure

    if not buckets:
        raise ValueError("no data to chart")
    points = _points(buckets, labels)
    first, last = period if period is not None else (points[0].start, points[-1].start)
    width = timedelta(hours=1)
    if last - first > DAILY_AFTER:
        points, width = _daily(points, tz), timedelta(days=1)
    by_start = {p.start: p for p in points}
    origin = points[0].start
    steps = math.floor((first - origin) / width)
    slots = _grid(origin + steps * width, max(last, points[-1].start), width)

    fig = Figure(figsize=(8, 4.8), dpi=100, facecolor="white")
    FigureCanvasAgg(fig)
    mood, volume = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    _draw_mood(mood, slots, by_start, width, neutral, min_messages)
    _draw_volume(volume, points, width, stacked=labels is not None)
    # matplotlib converts datetimes itself; its stubs only know numbers.
    left: Any = first.astimezone(tz)
    right: Any = (last if period is not None else last + width).astimezone(tz)
    volume.set_xlim(left, right)
    locator = AutoDateLocator(tz=tz)
    volume.xaxis.set_major_locator(locator)
    volume.xaxis.set_major_formatter(ConciseDateFormatter(locator, tz=tz))
    volume.set_xlabel(f"time ({getattr(tz, 'key', None) or tz})")
    mood.set_title(title)
    fig.tight_layout()
    return fig


def _save(fig: Any, path: Path | str) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target, format="png", facecolor="white")
    logger.debug("chart written to %s", target)


def _draw_mood(
    ax: Any,
    slots: list[datetime],
    by_start: dict[datetime, Point],
    width: timedelta,
    neutral: tuple[float, float] | None,
    min_messages: int,
) -> None:
    if neutral is not None:
        low, high = neutral
        ax.axhspan(low, high, color="#888888", alpha=0.15, linewidth=0, zorder=0,
                   label=f"neutral {low:.2f}-{high:.2f}")  # fmt: skip
    centre = width / 2
    times: list[Any] = [slot + centre for slot in slots]
    line, low_band, high_band = [], [], []
    thin_t: list[Any] = []
    thin_v: list[float] = []
    for slot, moment in zip(slots, times, strict=True):
        point = by_start.get(slot)
        mean = point.mean if point is not None else None
        support = (point.scored or point.messages) if point is not None else 0
        if mean is not None and support >= min_messages:
            spread = 0.5 / math.sqrt(support)
            line.append(mean)
            low_band.append(max(0.0, mean - spread))
            high_band.append(min(1.0, mean + spread))
            continue
        line.append(math.nan)  # a gap: no messages, or too few to say
        low_band.append(math.nan)
        high_band.append(math.nan)
        if mean is not None:
            thin_t.append(moment)
            thin_v.append(mean)
    ax.fill_between(times, low_band, high_band, color=LINE, alpha=0.15, linewidth=0,
                    label="uncertainty")  # fmt: skip
    ax.plot(times, line, marker="o", markersize=3, color=LINE, label="mean score")
    if thin_t:
        ax.scatter(thin_t, thin_v, s=12, color=LINE, alpha=0.3,
                   label=f"under {min_messages} messages")  # fmt: skip
    ax.set_ylim(0, 1)
    ax.set_ylabel("mood (0 neg, 1 pos)")
    ax.legend(loc="upper left", fontsize="small", ncols=2, framealpha=0.9)


def _draw_volume(ax: Any, points: list[Point], width: timedelta, *, stacked: bool) -> None:
    starts: list[Any] = [p.start for p in points]
    bar: Any = width * 0.85
    bottom = [0] * len(points)
    if stacked:
        for kind, colour in COLOURS.items():
            heights = [getattr(p, kind) for p in points]
            ax.bar(starts, heights, width=bar, bottom=bottom, align="edge", color=colour,
                   label=kind)  # fmt: skip
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    rest = [p.messages - b for p, b in zip(points, bottom, strict=True)]
    ax.bar(starts, rest, width=bar, bottom=bottom, align="edge", color=UNSCORED,
           label="unscored" if stacked else "messages")  # fmt: skip
    from matplotlib.ticker import MaxNLocator

    ax.set_ylim(0, max(p.messages for p in points) * 1.1 or 1)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=3, integer=True))
    ax.set_ylabel("messages")
    ax.legend(loc="upper left", fontsize="x-small", ncols=4, framealpha=0.9)


def is_png(path: Path | str) -> bool:
    """Whether ``path`` starts with the PNG signature."""
    with Path(path).open("rb") as handle:
        return handle.read(len(PNG_SIGNATURE)) == PNG_SIGNATURE


def prune_charts(chart_dir: Path | str, max_age: timedelta, now: datetime | None = None) -> int:
    """Delete report charts (``report-*.png``) older than ``max_age``; returns how many."""
    cutoff = (now or datetime.now(UTC)).timestamp() - max_age.total_seconds()
    removed = 0
    for path in Path(chart_dir).glob("report-*.png"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except OSError as exc:  # removed meanwhile, or not ours to remove
            logger.debug("chart %s not pruned: %s", path, exc)
    return removed
