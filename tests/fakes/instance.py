"""One real bot instance as a child process, for multi-instance tests and benchmarks.

``python -m tests.fakes.instance CONFIG`` runs what ``sentibot run`` runs (``build_app``, the
Slack Socket Mode adapter, the writer, the report scheduler, signal handling) with settings
from ``CONFIG`` and ``SENTIBOT_*``, tokens from ``SLACK_*``, and two test seams: the keyword
``FakeScorer`` (no TensorFlow start-up) and, when ``SENTIBOT_TEST_REPORT_EVERY_S`` is set,
report triggers every that many seconds from ``SENTIBOT_TEST_REPORT_FROM`` (epoch seconds), the
same fire times in every instance.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from datetime import UTC, datetime

from apscheduler.triggers.interval import IntervalTrigger

from bot.cli.run import _run_loop
from bot.config import Settings, load_settings
from bot.core.ports import Adapter, Retrainer
from bot.logs import configure_logging
from bot.reports.scheduler import ReportScheduler
from storage.repository import Repository
from tests.fakes.scoring import FakeScorer


def _scheduler(
    settings: Settings,
    repository: Repository,
    adapters: Mapping[str, Adapter],
    retrainer: Retrainer | None,
    scorer: object = None,
) -> ReportScheduler:
    """Reports every ``SENTIBOT_TEST_REPORT_EVERY_S`` seconds, on the same fire times in every
    instance; schedules polled every 0.5 s, pending reports retried every second."""
    every = float(os.environ.get("SENTIBOT_TEST_REPORT_EVERY_S", "0"))
    start = datetime.fromtimestamp(float(os.environ.get("SENTIBOT_TEST_REPORT_FROM", "0")), UTC)
    return ReportScheduler(
        settings,
        repository,
        adapters,
        trigger_factory=lambda cron: IntervalTrigger(seconds=every, start_date=start),
        poll_s=0.5,
        retry_s=1.0,
        lease_s=20.0,
    )


def main(argv: list[str]) -> int:
    from bot.bootstrap import build_app, default_scheduler

    settings = load_settings(argv[0] if argv else None)
    configure_logging(settings.ops.log_level, settings.ops.log_format)
    fast = bool(os.environ.get("SENTIBOT_TEST_REPORT_EVERY_S"))
    app = build_app(
        settings,
        scorer=FakeScorer(settings.scoring),
        scheduler_factory=_scheduler if fast else default_scheduler,
        retrainer_factory=None,
    )
    return _run_loop(app.run())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
