"""``[train] auto_retrain_after``: after N new corrections the retrain starts by itself, once.

When a correction is kept, the count of corrections since the last retrain is compared with N.
At N or more, the retrain is claimed in the database (the report-claim table, keyed by the
number of corrections), so with several instances exactly one starts it; the others see the
claim and do nothing. The admins are told the outcome where ``[alerts] channel`` says, else in
the channel of the correction that crossed the threshold.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bot.core.messages import Person, Reply
from bot.reports.jobs import instance_name

if TYPE_CHECKING:
    from bot.core.ports import CommandContext

logger = logging.getLogger(__name__)

AUTO = Person(id="auto-retrain", name="auto-retrain")
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


async def maybe_retrain(ctx: CommandContext, channel: str) -> bool:
    """Start the automatic retrain if it is due and this instance wins the claim.

    Returns whether this call started it. Never raises: a failure is logged, the correction
    that triggered it is already stored.
    """
    threshold = ctx.settings.train.auto_retrain_after
    retrainer = ctx.retrainer
    if threshold <= 0 or retrainer is None or retrainer.running:
        return False
    try:
        new, total = await retrainer.new_corrections()
        if new < threshold:
            return False
        key = _EPOCH + timedelta(seconds=total)  # one claim per correction count
        claimed = await asyncio.to_thread(
            ctx.repository.claim_report, "retrain", "auto", _EPOCH, key, instance_name()
        )
        if not claimed:
            return False
        target = ctx.settings.alerts.channel or channel

        async def notify(text: str) -> None:
            await ctx.post(target, Reply(f"(automatic retrain after {new} corrections) {text}"))

        answer = await retrainer.start(AUTO, notify)
        logger.info("automatic retrain after %d new corrections: %s", new, answer[:80])
        return True
    except Exception as exc:
        logger.warning("automatic retrain not started (%s)", type(exc).__name__)
        return False
