"""The report chart: mean score over time (line) with message volume (bars), as a PNG.

Drawn with matplotlib's object API on the Agg canvas (no pyplot, no display, safe in a worker
thread). Hourly buckets are merged into daily ones when the period is longer than a week, so a
90-day report stays readable.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

Bucket = tuple[datetime, int, float | None]
DAILY_AFTER = timedelta(days=7)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def daily(buckets: Sequence[Bucket], tz: tzinfo = UTC) -> list[Bucket]:
    """Merge hourly ``(start, count, mean)`` buckets into days (count-weighted means).

    Unscored messages count towards volume but not the mean; since the buckets do not say how
    many of their messages were scored, the weight of a bucket's mean is its message count.
    """
    days: dict[datetime, list[float]] = {}  # day -> [messages, weighted sum, weight]
    for start, count, mean in buckets:
        local = start.astimezone(tz)
        day = local.replace(hour=0, minute=0, second=0, microsecond=0)
        acc = days.setdefault(day, [0, 0.0, 0])
        acc[0] += count
        if mean is not None:
            acc[1] += mean * count
            acc[2] += count
    return [
        (day, int(acc[0]), acc[1] / acc[2] if acc[2] else None) for day, acc in sorted(days.items())
    ]


def render_chart(
    buckets: Sequence[Bucket],
    path: Path | str,
    *,
    title: str = "Sentiment",
    tz: tzinfo = UTC,
    neutral: tuple[float, float] | None = (0.40, 0.60),
) -> Path:
    """Draw score over time with message volume and save it as a PNG.

    Parameters
    ----------
    buckets
        ``(bucket start, messages, mean score or None)`` in time order (``ChannelStats.hourly``).
    path
        The PNG file to write; parent folders are created.
    title
        The chart title.
    tz
        Time zone of the time axis.
    neutral
        The neutral band (``[scoring] neutral_low/high``), shaded; ``None`` for none.

    Returns
    -------
    Path
        ``path``.

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
    buckets = list(buckets)
    width = timedelta(hours=1)
    if buckets[-1][0] - buckets[0][0] > DAILY_AFTER:
        buckets, width = daily(buckets, tz), timedelta(days=1)
    # matplotlib converts datetimes and timedeltas itself; its stubs only know numbers.
    times: list[Any] = [start.astimezone(tz) for start, _, _ in buckets]
    counts = [count for _, count, _ in buckets]
    scored = [(t, mean) for t, (_, _, mean) in zip(times, buckets, strict=True) if mean is not None]

    fig = Figure(figsize=(8, 4), dpi=100)
    FigureCanvasAgg(fig)
    volume = fig.add_subplot()
    bar_width: Any = width * 0.8
    volume.bar(times, counts, width=bar_width, align="edge", color="#c7d3e3", label="messages")
    volume.set_ylabel("messages")
    volume.set_ylim(0, max(counts) * 1.15 or 1)
    score = volume.twinx()
    if neutral is not None:
        score.axhspan(*neutral, color="#888888", alpha=0.15, linewidth=0, zorder=0)
    if scored:
        centre = width / 2
        score.plot(
            [t + centre for t, _ in scored],
            [mean for _, mean in scored],
            marker="o",
            markersize=3,
            color="#1f5fa8",
            label="mean score",
        )
    score.set_ylim(0, 1)
    score.set_ylabel("mean score (0 negative, 1 positive)")
    locator = AutoDateLocator(tz=tz)
    volume.xaxis.set_major_locator(locator)
    volume.xaxis.set_major_formatter(ConciseDateFormatter(locator, tz=tz))
    volume.set_title(title)
    fig.tight_layout()
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target, format="png")
    logger.debug("chart written to %s", target)
    return target


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
