"""Draw the example report charts in docs/charts/ from synthetic data.

    python docs/charts/draw.py

A quiet channel (30 messages in a day, a few hours with one or two) and a busy one (5,000 in a
week, with one very busy hour and a bad afternoon), through the same ``render_chart`` a report
uses.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.reports.charts import render_chart

HERE = Path(__file__).parent
END = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)


def buckets(messages: list[tuple[datetime, float]]):
    """``ChannelStats.hourly`` and ``hourly_labels`` from (time, score) pairs."""
    hours: dict[datetime, list[float]] = {}
    for when, score in messages:
        hours.setdefault(when.replace(minute=0, second=0, microsecond=0), []).append(score)
    hourly, labels = [], []
    for hour in sorted(hours):
        scores = hours[hour]
        hourly.append((hour, len(scores), sum(scores) / len(scores)))
        labels.append((hour, sum(s < 0.4 for s in scores), sum(0.4 <= s <= 0.6 for s in scores),
                       sum(s > 0.6 for s in scores)))  # fmt: skip
    return hourly, labels


def quiet_day(rng: random.Random) -> list[tuple[datetime, float]]:
    start = END - timedelta(days=1)
    return [
        (start + timedelta(minutes=rng.uniform(9 * 60, 18 * 60)), rng.betavariate(5, 3))
        for _ in range(30)
    ]


def busy_week(rng: random.Random) -> list[tuple[datetime, float]]:
    start, out = END - timedelta(days=7), []
    for _ in range(5000):
        day = rng.randrange(7)
        hour = (
            rng.choice([9, 10, 10, 11, 13, 14, 14, 15, 16, 17]) if day < 5 else rng.choice([12, 20])
        )
        when = start + timedelta(days=day, hours=hour, minutes=rng.uniform(0, 60))
        bad = day == 3 and 13 <= hour <= 16  # an outage afternoon
        out.append((when, rng.betavariate(2, 6) if bad else rng.betavariate(5, 3)))
    spike = start + timedelta(days=1, hours=14)
    out += [
        (spike + timedelta(minutes=rng.uniform(0, 60)), rng.betavariate(5, 2)) for _ in range(900)
    ]
    return out


def main() -> None:
    rng = random.Random(7)
    paris = ZoneInfo("Europe/Paris")
    for name, messages, days in (
        ("quiet-day", quiet_day(rng), 1),
        ("busy-week", busy_week(rng), 7),
    ):
        hourly, labels = buckets(messages)
        title = f"#example, last {days}d ({len(messages)} messages)"
        path = render_chart(
            hourly, HERE / f"{name}.png", title=title,
            tz=paris, labels=labels, period=(END - timedelta(days=days), END),
        )  # fmt: skip
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
