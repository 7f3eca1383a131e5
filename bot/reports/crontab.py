"""Crontab schedules on APScheduler 3: five-field expressions and the period a fire closes.

APScheduler 3's ``CronTrigger.from_crontab`` counts weekday 0 as Monday; ``crontab_trigger``
reads weekdays the way crontab does (0 or 7 = Sunday). ``last_fire`` gives the report period
that ended at a trigger's latest fire time, the same on every bot instance.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta, tzinfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger

logger = logging.getLogger(__name__)

_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _crontab_weekdays(field: str) -> str:
    """Crontab weekdays (0 or 7 = Sunday) as names, which APScheduler 3 reads the same way.

    APScheduler 3's ``from_crontab`` counts 0 as Monday, so ``1-5`` would mean Tuesday to
    Saturday; spelled as names the days mean what a crontab user expects.
    """
    if not any(ch.isdigit() for ch in field):
        return field
    days: set[int] = set()
    for part in field.split(","):
        span, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if span == "*":
            low, high = 0, 6
        elif "-" in span:
            low, high = (int(x) for x in span.split("-", 1))
        else:
            low = high = int(span)
            if step_text:
                high = 7
        if not (0 <= low <= 7 and 0 <= high <= 7 and low <= high and step >= 1):
            raise ValueError(f"bad day-of-week field {field!r}")
        days.update(range(low, high + 1, step))
    return ",".join(dict.fromkeys(_DAY_NAMES[d] for d in sorted(days)))


def crontab_trigger(expr: str, timezone: tzinfo | str = UTC) -> CronTrigger:
    """A ``CronTrigger`` from a five-field crontab expression, with crontab's weekday numbers.

    Raises
    ------
    ValueError
        For anything but five valid fields.
    """
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 fields, got {len(fields)}")
    minute, hour, day, month, weekdays = fields
    try:
        weekdays = _crontab_weekdays(weekdays)
    except ValueError:
        raise ValueError(f"bad day-of-week field {weekdays!r}") from None
    return CronTrigger(
        minute=minute, hour=hour, day=day, month=month, day_of_week=weekdays, timezone=timezone
    )


def validate_cron(expr: str) -> str:
    """Check a five-field crontab expression; return it normalised or raise ``ValueError``."""
    expr = " ".join(expr.split())
    try:
        crontab_trigger(expr)
    except ValueError as exc:
        raise ValueError(
            f"invalid schedule {expr!r}: {exc} (use five crontab fields, e.g. '0 9 * * *')"
        ) from None
    return expr


def _latest_fire(
    trigger: BaseTrigger, moment: datetime, step: timedelta, *, inclusive: bool
) -> datetime | None:
    """The trigger's last fire time before (or at) ``moment``, looking back further as needed."""
    tick = timedelta(microseconds=1)
    lookback = max(step, timedelta(seconds=1))
    while lookback <= timedelta(days=800):
        found = None
        fire = trigger.get_next_fire_time(None, moment - lookback)
        while fire is not None and (fire <= moment if inclusive else fire < moment):
            found = fire
            fire = trigger.get_next_fire_time(fire, fire + tick)
        if found is not None:
            return found
        lookback *= 4
    return None


def last_fire(trigger: BaseTrigger, now: datetime) -> tuple[datetime, timedelta] | None:
    """The trigger's latest fire time at or before ``now``, and the interval that ends there.

    Every instance computes the same period for the same trigger, which is what the report
    claim needs: a weekday report on Monday covers Friday to Monday. Returns ``None`` when the
    trigger never fired before ``now``.
    """
    upcoming = trigger.get_next_fire_time(None, now)
    following = upcoming and trigger.get_next_fire_time(
        upcoming, upcoming + timedelta(microseconds=1)
    )
    step = (following - upcoming) if upcoming and following else timedelta(days=1)
    latest = _latest_fire(trigger, now, step, inclusive=True)
    if latest is None:
        return None
    previous = _latest_fire(trigger, latest, step, inclusive=False)
    period = (latest - previous) if previous is not None else step
    return latest.astimezone(UTC), period
