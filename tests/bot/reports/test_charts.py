"""The report chart is a real PNG; long periods are drawn per day with weighted means."""

from __future__ import annotations

import math
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.reports.charts import PNG_SIGNATURE, daily, draw_chart, is_png, render_chart
from tests.fakes.storage import utc


def test_chart_is_a_valid_png(tmp_path: Path) -> None:
    hourly = [(utc(2026, 11, 25, h), h + 1, None if h == 3 else h / 24) for h in range(24)]
    path = render_chart(hourly, tmp_path / "deep" / "chart.png", title="#C1")
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert data[12:16] == b"IHDR" and len(data) > 5000  # a header chunk and a drawn image
    assert int.from_bytes(data[16:20], "big") == 800  # 8 in at 100 dpi


def test_long_period_is_drawn(tmp_path: Path) -> None:
    hourly = [(utc(2026, 8, 1) + timedelta(hours=5 * i), 2, 0.4) for i in range(500)]
    assert is_png(render_chart(hourly, tmp_path / "long.png"))


def test_nothing_to_draw_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no data"):
        render_chart([], tmp_path / "x.png")


def test_is_png_rejects_other_files(tmp_path: Path) -> None:
    other = tmp_path / "x.png"
    other.write_bytes(b"GIF89a....")
    assert not is_png(other)


def test_daily_weighs_means_by_messages() -> None:
    buckets = [
        (utc(2026, 11, 24, 1), 3, 0.2),
        (utc(2026, 11, 24, 5), 1, 0.6),
        (utc(2026, 11, 24, 9), 2, None),
        (utc(2026, 11, 25, 0), 4, 0.5),
    ]
    days = daily(buckets)
    assert [(d.day, n) for d, n, _ in days] == [(24, 6), (25, 4)]
    assert days[0][2] == pytest.approx((3 * 0.2 + 0.6) / 4)
    assert days[1][2] == pytest.approx(0.5)


def test_daily_uses_the_time_zone() -> None:
    # 23:30 UTC is already the next day in Paris
    days = daily([(utc(2026, 11, 24, 23, 30), 1, 0.5)], ZoneInfo("Europe/Paris"))
    assert days[0][0].day == 25


def test_old_charts_are_pruned(tmp_path) -> None:
    import os

    from bot.reports.charts import prune_charts

    old, new, other = (tmp_path / n for n in ("report-a.png", "report-b.png", "keep.png"))
    for path in (old, new, other):
        path.write_bytes(PNG_SIGNATURE)
    now = utc(2026, 11, 25, 12)
    week_ago = (now - timedelta(days=8)).timestamp()
    os.utime(old, (week_ago, week_ago))
    os.utime(other, (week_ago, week_ago))
    assert prune_charts(tmp_path, timedelta(days=7), now) == 1
    assert not old.exists() and new.exists() and other.exists()
    assert prune_charts(tmp_path / "missing", timedelta(days=7), now) == 0


def _mood(points, slots, min_messages=5):
    from matplotlib.figure import Figure

    from bot.reports.charts import _draw_mood

    ax = Figure().add_subplot()
    _draw_mood(
        ax, slots, {p.start: p for p in points}, timedelta(hours=1), (0.4, 0.6), min_messages
    )
    [line] = [line for line in ax.get_lines() if line.get_label() == "mean score"]
    thin = [c for c in ax.collections if c.get_label().startswith("under")]
    return list(line.get_ydata()), thin, ax.get_legend_handles_labels()[1]


def test_quiet_hours_are_gaps_and_thin_hours_are_faded_off_the_line() -> None:
    from bot.reports.charts import Point

    h0 = utc(2026, 11, 24, 9)
    slots = [h0 + timedelta(hours=i) for i in range(4)]
    points = [
        Point(h0, 20, 0.8, 0, 2, 18),
        Point(slots[2], 2, 0.1, 2, 0, 0),
        Point(slots[3], 9, 0.5),
    ]
    ys, thin, names = _mood(points, slots)
    assert ys[0] == 0.8 and ys[3] == 0.5
    assert math.isnan(ys[1])  # an hour without messages is a gap, not a line across it
    assert math.isnan(ys[2])  # two messages at 0.1 are not a mood swing on the line...
    assert len(thin) == 1 and thin[0].get_offsets().tolist()[0][1] == 0.1  # ...but a faded dot
    assert "neutral 0.40-0.60" in names and "uncertainty" in names


def test_a_week_spans_the_week_and_stacks_the_labels() -> None:
    from matplotlib.dates import num2date

    start = utc(2026, 11, 24, 0)
    hourly = [(start + timedelta(days=6, hours=3), 40, 0.3)]
    labels = [(start + timedelta(days=6, hours=3), 25, 10, 5)]
    paris = ZoneInfo("Europe/Paris")
    fig = draw_chart(hourly, labels=labels, period=(start, start + timedelta(days=7)), tz=paris)
    mood, volume = fig.axes[:2]
    left, right = (num2date(x) for x in volume.get_xlim())
    assert (left, right) == (start, start + timedelta(days=7))  # the whole week, not one hour
    assert volume.get_xlabel() == "time (Europe/Paris)"
    stacks = {c.get_label(): [round(b.get_height()) for b in c] for c in volume.containers}
    assert stacks == {"negative": [25], "neutral": [10], "positive": [5], "unscored": [0]}
