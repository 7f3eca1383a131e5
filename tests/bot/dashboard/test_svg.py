"""The SVG charts follow the report chart's rules and escape what they show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.dashboard.svg import heatmap, mood_colour, sparkline, trend_chart
from bot.reports.charts import Point
from storage.dashboard_types import Totals

T0 = datetime(2026, 12, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)


def test_a_quiet_hour_is_a_faded_dot_not_part_of_the_line() -> None:
    points = [
        Point(T0, 20, 0.7, 2, 4, 14),
        Point(T0 + HOUR, 2, 0.05, 2, 0, 0),  # two messages: not a mood swing
        Point(T0 + 2 * HOUR, 30, 0.68, 3, 6, 21),
        Point(T0 + 3 * HOUR, 25, 0.66, 3, 6, 16),
    ]
    chart = str(trend_chart(points, (T0, T0 + 4 * HOUR), HOUR))
    assert chart.count('class="thin"') == 1
    assert chart.count('class="mood-line"') == 2  # the line breaks around the thin hour
    assert chart.count('class="vol"') >= 4 and "<title>2 negative</title>" in chart


def test_sparkline_breaks_at_gaps() -> None:
    chart = str(sparkline([0.5, 0.6, None, 0.4, None, 0.3]))
    assert chart.count("<polyline") == 1 and chart.count("<circle") == 2


def test_heatmap_colours_mood_and_scales_volume() -> None:
    grid = [[Totals() for _ in range(24)] for _ in range(7)]
    grid[0][9] = Totals(10, 10, 1.0, 9, 1, 0)
    grid[4][17] = Totals(5, 5, 4.5, 0, 0, 5)
    chart = str(heatmap(grid))
    assert chart.count("<rect") == 2 and "Mon 09:00" in chart and "Fri 17:00" in chart
    assert mood_colour(0.0) == "#c0392b" and mood_colour(1.0) == "#2e8b57"
    assert mood_colour(0.5) == "#9e9e9e" and mood_colour(None) == "#9e9e9e"
