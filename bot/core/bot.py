"""The transport-independent core: a chat message in, scored, stored; commands answered.

``SentimentBot`` implements ``bot.core.ports.Handler``. Adapters only translate platform events
into ``ChatMessage`` / ``Command`` objects; everything that behaves the same on every platform
lives here and in ``bot.core.commands``. Scoring goes through the micro-batcher (TensorFlow runs
in its worker thread, never on the event loop); storage goes through the batching
``MessageWriter`` and the synchronous repository, which is only ever called through
``asyncio.to_thread``.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.core import corrections
from bot.core.commands import registry
from bot.core.messages import ChatMessage, Command, Press, Reply
from bot.core.ports import Batcher, DashboardLinks, MessageSink, Poster, Retrainer, Schedules
from bot.core.privacy import PrivacyFilter, RecentMessages, storable_text
from bot.core.ratelimit import RateLimiter
from bot.errors import NotStored
from model.types import Label, Score
from storage.receipts import Outcome
from storage.types import MessageKey, ScoredMessage

if TYPE_CHECKING:
    from bot.config import Settings
    from model.batcher import BatchScorer as Scorer
    from storage.repository import Repository

logger = logging.getLogger(__name__)

FLUSH_WAIT_S = 5.0  # how long a command waits for pending writes before going ahead anyway


class SentimentBot:
    """Score and store chat messages; answer commands.

    Implements ``bot.core.ports.Handler`` for adapters and ``bot.core.ports.CommandContext``
    for the command handlers.

    Parameters
    ----------
    settings
        The application settings (scoring limits, privacy, rate limit, reports).
    batcher
        Scores text off the event loop (``model.batcher.MicroBatcher``).
    writer
        Batches scored messages into the database (``storage.writer.MessageWriter``).
    repository
        The synchronous repository, for opt-outs, deletes, feedback and reports.
    retrainer
        A ``bot.retrain.manager.RetrainManager``, or ``None`` when retraining is unavailable.
    scorer
        The synchronous ``model.service.Scorer``, for ``sentiment-explain``.
    schedules
        The report scheduler, for ``/sentiment-schedule``; ``None`` when reports are off.
    post
        Posts to a channel unprompted (the adapter's ``post``), for a retrain's progress.
    dashboard
        Makes the web dashboard's sign-in links (``/sentiment-dashboard``); ``None``: off.
    """

    def __init__(
        self,
        settings: Settings,
        batcher: Batcher,
        writer: MessageSink,
        repository: Repository,
        *,
        retrainer: Retrainer | None = None,
        scorer: Scorer | None = None,
        schedules: Schedules | None = None,
        post: Poster | None = None,
        rate_limiter: RateLimiter | None = None,
        privacy: PrivacyFilter | None = None,
        dashboard: DashboardLinks | None = None,
    ) -> None:
        self.settings = settings
        self.batcher = batcher
        self.writer = writer
        self.repository = repository
        self.retrainer = retrainer
        self.scorer = scorer
        self.rate_limiter = rate_limiter or RateLimiter(settings.bot.rate_limit_per_minute)
        self.privacy = privacy or PrivacyFilter(repository)
        self.recent = RecentMessages()
        self.schedules = schedules
        self.dashboard = dashboard
        self._post = post
        self.stats: Counter[str] = Counter()
        self._accepting = True
        self._inflight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    # -- lifecycle ----------------------------------------------------------------------------

    def stop_accepting(self) -> None:
        """Refuse new messages and commands (graceful shutdown); work already taken goes on."""
        self._accepting = False

    @property
    def inflight(self) -> int:
        """Messages taken but not yet handed to the writer."""
        return self._inflight

    async def drain(self) -> None:
        """Wait until every message taken so far has been scored and handed to the writer."""
        await self._idle.wait()

    def _taken(self) -> None:
        self._inflight += 1
        self._idle.clear()

    def _done(self) -> None:
        self._inflight -= 1
        if self._inflight == 0:
            self._idle.set()

    # -- Handler ------------------------------------------------------------------------------

    async def on_message(self, message: ChatMessage, *, durable: bool = False) -> Score | None:
        """Score and store a new message; bot authors and opted-out users/channels are skipped.

        With ``durable`` it returns once the row is committed (or durably dropped by a rule:
        a tombstone, an opt-out) and raises ``NotStored`` otherwise, so an adapter can
        acknowledge the platform's event after the commit (``bot.core.ports.Handler``).
        Returns the score (``None`` when the message was skipped: a bot, an opt-out).
        """
        return await self._score_and_store(message, kind="received", durable=durable)

    async def on_edit(self, message: ChatMessage, *, durable: bool = False) -> None:
        """Rescore an edited message. The database applies it only over a stored row and only
        when newer (``edited_at``, the platform's edit time) than the edit it holds, so a late
        retry or an edit of a message never stored changes nothing."""
        await self._score_and_store(message, kind="edited", durable=durable)

    async def on_delete(
        self,
        platform: str,
        channel: str,
        message_id: str,
        *,
        deleted_at: datetime | None = None,
        durable: bool = False,
    ) -> None:
        """Remove a deleted message for good: buffered copies now, the stored row with a
        tombstone that no later write of it (a retry, an edit, another instance) gets past.
        Taken even while shutting down: a delete always wins."""
        self.recent.forget_message(platform, channel, message_id)
        key = MessageKey(platform, channel, message_id)
        when = deleted_at or datetime.now(UTC)
        self.stats["deleted"] += 1
        if durable:
            self._check(await self.writer.delete_durable(key, when), "delete")
        else:
            self.writer.delete(key, when)

    async def check_command(self, command: Command) -> Reply | None:
        """The private refusal ``command`` would get, decided before any work; ``None`` when it
        may run. Never raises (a failing check is logged and lets the command run, where
        ``dispatch`` answers the failure)."""
        try:
            return await registry.check(self, command)
        except Exception as exc:
            logger.warning("checking /%s failed (%s)", command.name, type(exc).__name__)
            return None

    async def on_command(self, command: Command) -> Reply:
        """Answer a command (rate-limited per user); never raises."""
        if not self._accepting:
            return Reply("sentibot is shutting down; please try again in a moment.", ephemeral=True)
        self.stats["commands"] += 1
        key = (command.platform, command.author.id)
        local = command.platform == "shell"  # the operator at the terminal is not limited
        if not local and not self.rate_limiter.allow(key):
            wait = max(1, round(self.rate_limiter.retry_after(key)))
            limit = self.rate_limiter.per_minute
            return Reply(
                f"You're sending commands a bit fast (limit: {limit} a minute). "
                f"Please try again in {wait} s.",
                ephemeral=True,
            )
        return await registry.dispatch(self, command)

    async def on_press(self, press: Press) -> Reply:
        """Store the correction a button press gives (``bot.core.corrections``), rate-limited
        per user like commands; the private answer. Never raises."""
        if not self._accepting:
            return Reply("sentibot is shutting down; please try again in a moment.", ephemeral=True)
        key = (press.platform, press.user.id)
        if press.platform != "shell" and not self.rate_limiter.allow(key):
            wait = max(1, round(self.rate_limiter.retry_after(key)))
            return Reply(f"Too many presses; please try again in {wait} s.", ephemeral=True)
        self.stats["presses"] += 1
        try:
            return await corrections.on_press(self, press)
        except Exception as exc:
            self.stats["command_errors"] += 1
            logger.exception("a button press failed")
            return Reply(
                f"Sorry, that correction failed ({type(exc).__name__}). Please try again later.",
                ephemeral=True,
            )

    # -- helpers used by commands -------------------------------------------------------------

    async def flush_writes(self, timeout: float = FLUSH_WAIT_S) -> bool:
        """Flush pending writes, waiting at most ``timeout`` s (the database may be down)."""
        try:
            await asyncio.wait_for(self.writer.flush(), timeout)
            return True
        except TimeoutError:
            logger.warning("pending writes not flushed within %.0f s; going ahead", timeout)
            return False

    async def post(self, channel: str, reply: Reply) -> None:
        """Post ``reply`` to ``channel`` unprompted (nothing when no adapter is attached)."""
        if self._post is not None:
            await self._post(channel, reply)

    async def score(self, text: str) -> Score:
        """Score one text through the batcher, cut just over the scoring limit first."""
        return await self.batcher.score(text[: self.settings.scoring.max_chars + 1])

    # -- internals ----------------------------------------------------------------------------

    def _check(self, outcome: Outcome, what: str) -> None:
        """Raise ``NotStored`` for an outcome that must not be acknowledged."""
        if outcome is Outcome.REFUSED:
            self.stats["not_stored"] += 1
            raise NotStored(f"{what} not stored ({outcome}); leave it unacknowledged")

    async def _score_and_store(
        self, message: ChatMessage, *, kind: str, durable: bool
    ) -> Score | None:
        if not self._accepting:
            self.stats["refused_closing"] += 1
            if durable:  # not acknowledged: the platform redelivers it to a running instance
                raise NotStored("shutting down")
            return None
        if message.author.is_bot:
            self.stats["ignored_bot"] += 1
            return None
        self._taken()  # (not a context manager: this runs for every message)
        try:
            self.stats[kind] += 1
            where = (message.platform, message.channel, message.author.id)
            blocked = self.privacy.cached(*where)  # no await on the hot path when cached
            if blocked is None:
                blocked = await self.privacy.blocked(*where)
            if blocked:
                self.stats["ignored_opted_out"] += 1
                return None
            try:
                score = await self.batcher.score(
                    message.text[: self.settings.scoring.max_chars + 1]
                )
            except Exception as exc:  # stored as unscored, so the message is not lost
                self.stats["errors"] += 1
                logger.error("scoring failed for message %s: %s", message.message_id, exc)
                version = str(self.scorer.version or "") if self.scorer is not None else ""
                score = Score(None, Label.UNSCORED, version, "error")
            # An opt-out may have landed while this message was being scored.
            if self.privacy.blocked_now(*where):
                self.stats["ignored_opted_out"] += 1
                return None
            scored = ScoredMessage(
                platform=message.platform,
                workspace=message.workspace,
                channel=message.channel,
                message_id=message.message_id,
                author_id=message.author.id,
                created_at=message.created_at,
                score=score.score,
                label=str(score.label),
                model_version=score.model_version,
                text=storable_text(message.text, self.settings.scoring.max_chars),
                reason=score.reason,
                edited=kind == "edited",
                edited_at=message.edited_at if kind == "edited" else None,
            )
            self.recent.remember(scored)
            if durable:
                self.stats["submitted"] += 1
                self._check(await self.writer.submit_durable(scored), "message")
            else:
                await self._submit(scored)
            return score
        finally:
            self._done()

    async def _submit(self, scored: ScoredMessage) -> None:
        """Hand ``scored`` to the writer, waiting while its buffer is full (nothing is dropped)."""
        await self.writer.put(scored)
        self.stats["submitted"] += 1
