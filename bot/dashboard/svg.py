"""Server-rendered SVG charts: sparkline, trend (mood + volume), shares over time, heatmap.

The trend chart follows the report chart's rules (``bot.reports.charts``): a bucket's mean is
part of the line only when it rests on at least ``MIN_MESSAGES`` messages, with its uncertainty
band (0.5/sqrt(n)); thinner buckets are faded dots off the line; volume is its own panel, bars
stacked negative / neutral / positive / unscored. Every text that goes into a chart is escaped;
colours are presentation attributes (no inline ``style``, which the CSP forbids).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta

from markupsafe import Markup, escape

from bot.reports.charts import COLOURS, LINE, MIN_MESSAGES, UNSCORED, Point
from storage.dashboard_types import Totals

W, MOOD_H, VOL_H, PAD = 720.0, 200.0, 70.0, 36.0
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _f(value: float) -> str:
    return f"{value:.1f}"


def sparkline(means: Sequence[float | None], width: int = 96, height: int = 24) -> Markup:
    """A mood sparkline (0 at the bottom, 1 at the top); gaps where a bucket had no score."""
    step = width / max(1, len(means) - 1)
    scale, base = height - 4, height - 2
    runs: list[list[tuple[float, float]]] = [[]]
    for i, mean in enumerate(means):
        if mean is None:
            runs.append([])
        else:
            runs[-1].append((i * step, base - mean * scale))
    parts = []
    for run in runs:
        if len(run) > 1:
            points = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
            parts.append(f'<polyline points="{points}" fill="none" stroke="currentColor" '
                         'stroke-width="1.5"/>')  # fmt: skip
        elif run:
            parts.append(f'<circle cx="{run[0][0]:.1f}" cy="{run[0][1]:.1f}" r="1.5" '
                         'fill="currentColor"/>')  # fmt: skip
    return Markup(
        f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="mood over the period">{"".join(parts)}</svg>'
    )


def _x(start: datetime, first: datetime, last: datetime) -> float:
    span = (last - first).total_seconds() or 1.0
    return PAD + (W - 2 * PAD) * (start - first).total_seconds() / span


def trend_chart(
    points: Sequence[Point],
    period: tuple[datetime, datetime],
    width: timedelta,
    neutral: tuple[float, float] = (0.4, 0.6),
    min_messages: int = MIN_MESSAGES,
) -> Markup:
    """Mood (line where supported, faded dots where thin) above stacked volume bars.

    The time axis spans ``period`` and the whole of its first and last buckets.
    """
    first, last = period
    if points:
        first, last = min(first, points[0].start), max(last, points[-1].start + width)
    parts = [
        f'<svg class="chart trend" viewBox="0 0 {_f(W)} {_f(MOOD_H + VOL_H + 30)}" role="img" '
        f'aria-label="mood and volume over time">'
    ]

    def y(mean: float) -> float:
        return 10 + (MOOD_H - 20) * (1 - mean)

    low, high = neutral
    parts.append(
        f'<rect class="neutral-band" x="{_f(PAD)}" y="{_f(y(high))}" width="{_f(W - 2 * PAD)}" '
        f'height="{_f(y(low) - y(high))}" fill="#888888" fill-opacity="0.15"/>'
    )
    for value in (0.0, 0.5, 1.0):
        parts.append(
            f'<text class="axis" x="{_f(PAD - 4)}" y="{_f(y(value) + 4)}" '
            f'text-anchor="end">{value:.1f}</text>'
        )
    runs: list[list[tuple[float, float, float]]] = [[]]
    dots: list[str] = []
    for point in points:
        cx = _x(point.start + width / 2, first, last)
        support = point.scored or point.messages
        if point.mean is None:
            runs.append([])
        elif support >= min_messages:
            runs[-1].append((cx, point.mean, 0.5 / math.sqrt(support)))
        else:
            runs.append([])
            dots.append(
                f'<circle class="thin" cx="{_f(cx)}" cy="{_f(y(point.mean))}" r="3" '
                f'fill="{LINE}" fill-opacity="0.3"><title>{point.messages} messages, too few '
                f"for the line</title></circle>"
            )
    for run in (r for r in runs if r):
        top = " ".join(f"{_f(x)},{_f(y(min(1.0, m + s)))}" for x, m, s in run)
        bottom = " ".join(f"{_f(x)},{_f(y(max(0.0, m - s)))}" for x, m, s in reversed(run))
        parts.append(
            f'<polygon class="band" points="{top} {bottom}" fill="{LINE}" fill-opacity="0.15"/>'
        )
        line = " ".join(f"{_f(x)},{_f(y(m))}" for x, m, _ in run)
        parts.append(
            f'<polyline class="mood-line" points="{line}" fill="none" stroke="{LINE}" '
            f'stroke-width="2"/>'
        )
        parts += [f'<circle class="point" cx="{_f(x)}" cy="{_f(y(m))}" r="2" fill="{LINE}"/>'
                  for x, m, _ in run]  # fmt: skip
    parts += dots
    parts.append(_volume(points, first, last, width))
    parts.append(
        f'<text class="axis" x="{_f(PAD)}" y="{_f(MOOD_H + VOL_H + 26)}">'
        f"{escape(first.strftime('%d %b %H:%M'))} UTC</text>"
        f'<text class="axis" x="{_f(W - PAD)}" y="{_f(MOOD_H + VOL_H + 26)}" '
        f'text-anchor="end">{escape(last.strftime("%d %b %H:%M"))} UTC</text></svg>'
    )
    return Markup("".join(parts))


def _volume(points: Sequence[Point], first: datetime, last: datetime, width: timedelta) -> str:
    top = max((p.messages for p in points), default=0) or 1
    bar = max(1.0, (_x(first + width, first, last) - PAD) * 0.85)
    base = MOOD_H + VOL_H
    out = []
    for point in points:
        x, bottom = _x(point.start, first, last), base
        unscored = point.messages - point.scored
        stack = [(k, getattr(point, k)) for k in COLOURS] + [("unscored", unscored)]
        for kind, count in stack:
            if count <= 0:
                continue
            h = (VOL_H - 4) * count / top
            colour = COLOURS.get(kind, UNSCORED)
            out.append(
                f'<rect class="vol" x="{_f(x)}" y="{_f(bottom - h)}" width="{_f(bar)}" '
                f'height="{_f(h)}" fill="{colour}"><title>{count} {kind}</title></rect>'
            )
            bottom -= h
    out.append(
        f'<text class="axis" x="{_f(PAD - 4)}" y="{_f(MOOD_H + 14)}" text-anchor="end">{top}</text>'
    )
    return "".join(out)


def shares_chart(points: Sequence[Point], period: tuple[datetime, datetime],
                 width: timedelta) -> Markup:  # fmt: skip
    """Each bucket's negative / neutral / positive shares as a 100 % stacked bar."""
    first, last = period
    if points:
        first, last = min(first, points[0].start), max(last, points[-1].start + width)
    height = 90.0
    bar = max(1.0, (_x(first + width, first, last) - PAD) * 0.85)
    out = [f'<svg class="chart shares" viewBox="0 0 {_f(W)} {_f(height)}" role="img" '
           f'aria-label="label shares over time">']  # fmt: skip
    for point in points:
        if point.scored == 0:
            continue
        x, bottom = _x(point.start, first, last), height
        for kind in ("negative", "neutral", "positive"):
            share = getattr(point, kind) / point.scored
            h = (height - 4) * share
            out.append(
                f'<rect x="{_f(x)}" y="{_f(bottom - h)}" width="{_f(bar)}" height="{_f(h)}" '
                f'fill="{COLOURS[kind]}"><title>{share:.0%} {kind}</title></rect>'
            )
            bottom -= h
    return Markup("".join(out) + "</svg>")


def mood_colour(mean: float | None) -> str:
    """Red (0) through grey (0.5) to green (1)."""
    if mean is None:
        return "#9e9e9e"
    neg, pos, mid = (192, 57, 43), (46, 139, 87), (158, 158, 158)
    end, t = (neg, 1 - 2 * mean) if mean < 0.5 else (pos, 2 * mean - 1)
    return "#" + "".join(f"{round(m + (e - m) * t):02x}" for m, e in zip(mid, end, strict=True))


def heatmap(grid: Sequence[Sequence[Totals]]) -> Markup:
    """Weekday x hour (UTC): colour is the mean mood, opacity the volume."""
    cell, left, top = 26.0, 40.0, 16.0
    busiest = max((t.messages for row in grid for t in row), default=0) or 1
    out = [f'<svg class="chart heatmap" viewBox="0 0 {_f(left + 24 * cell)} {_f(top + 7 * cell)}"'
           f' role="img" aria-label="volume and mood by weekday and hour">']  # fmt: skip
    for hour in range(0, 24, 3):
        out.append(f'<text class="axis" x="{_f(left + hour * cell + 2)}" y="12">{hour:02d}</text>')
    for day, row in enumerate(grid):
        y = top + day * cell
        out.append(f'<text class="axis" x="0" y="{_f(y + cell * 0.65)}">{DAYS[day]}</text>')
        for hour, totals in enumerate(row):
            if totals.messages == 0:
                continue
            opacity = 0.15 + 0.85 * totals.messages / busiest
            mean = totals.mean
            shown = "no score" if mean is None else f"mean {mean:.2f}"
            out.append(
                f'<rect x="{_f(left + hour * cell)}" y="{_f(y)}" width="{_f(cell - 2)}" '
                f'height="{_f(cell - 2)}" fill="{mood_colour(mean)}" '
                f'fill-opacity="{opacity:.2f}"><title>{DAYS[day]} {hour:02d}:00 — '
                f"{totals.messages} messages, {shown}</title></rect>"
            )
    return Markup("".join(out) + "</svg>")
