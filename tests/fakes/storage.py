"""An in-memory ``Repository`` for unit tests (cosmicpython's FakeRepository).

It follows the same rules as ``SqlRepository`` (idempotent upserts in platform order with
tombstones, opt-out filtering, report aggregates, claims as leases) so tests written against it
hold against a real database: the shared checks in ``tests/storage`` run on both.
Set ``fail`` to an exception to simulate a database outage: every method then raises it.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from storage import upserts
from storage.errors import DuplicateModelVersion, UnknownModelVersion
from storage.ids import check_feedback, check_key, check_message, check_reply_text
from storage.ordering import edit_time, is_edit, rounds, wins
from storage.repository import DEFAULT_TOMBSTONE_DAYS, Repository
from storage.types import (
    ChannelSettings,
    ChannelStats,
    ExampleMessage,
    Feedback,
    MessageKey,
    ModelVersion,
    ReplyText,
    ScoredMessage,
)


@dataclasses.dataclass
class Claim:
    """A report claim: who holds it, until when (``None``: for good), and its outcome."""

    instance: str
    claimed_at: datetime
    lease_until: datetime | None
    outcome: str | None = None
    attempts: int = 1


def _hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


class FakeRepository(Repository):
    """Keeps everything in dicts and lists; thread-safe like a real database."""

    def __init__(self) -> None:
        self.messages: dict[MessageKey, ScoredMessage] = {}
        self.opted_out_users: set[tuple[str, str]] = set()
        self.channel_settings: dict[tuple[str, str], ChannelSettings] = {}
        self.tombstones: dict[MessageKey, datetime] = {}
        self.claims: dict[tuple[str, str, datetime, datetime], Claim] = {}
        self.schedules = 1
        self.known_channels: set[tuple[str, str]] = set()
        self.feedback: list[Feedback] = []
        self.reply_texts: dict[str, ReplyText] = {}
        self.model_versions: dict[str, ModelVersion] = {}
        self.fail: BaseException | None = None
        self.upsert_calls = 0
        self._lock = threading.RLock()

    def _check(self) -> None:
        if self.fail is not None:
            raise self.fail

    # -- scored messages -------------------------------------------------------------------
    def upsert_messages(self, messages: Sequence[ScoredMessage]) -> int:
        for msg in messages:
            check_message(msg)
        with self._lock:
            self._check()
            self.upsert_calls += 1
            return sum(self._write(msg) for batch in rounds(messages) for msg in batch)

    def _write(self, msg: ScoredMessage) -> bool:
        if msg.key in self.tombstones or (msg.platform, msg.author_id) in self.opted_out_users:
            return False
        settings = self.channel_settings.get((msg.platform, msg.channel))
        if settings is not None and settings.opted_out:
            return False
        old = self.messages.get(msg.key)
        if old is None and is_edit(msg):
            return False  # an edit of a message never stored
        if old is not None:
            if not wins(old.edited_at, msg):
                return False
            # a rescore keeps the original identity
            msg = dataclasses.replace(
                old,
                score=msg.score,
                label=msg.label,
                model_version=msg.model_version,
                text=msg.text,
                reason=msg.reason,
                edited_at=edit_time(msg),
                edited=is_edit(msg),
            )
        self.messages[msg.key] = msg
        if (msg.platform, msg.channel) not in self.known_channels:
            self.known_channels.add((msg.platform, msg.channel))
            self.schedules += 1
        return True

    def delete_message(self, key: MessageKey, deleted_at: datetime | None = None) -> bool:
        check_key(key)
        with self._lock:
            self._check()
            self.tombstones.setdefault(key, deleted_at or datetime.now(UTC))
            return self.messages.pop(key, None) is not None

    def _delete_where(self, predicate: Callable[[ScoredMessage], bool]) -> int:
        doomed = [k for k, m in self.messages.items() if predicate(m)]
        for key in doomed:
            del self.messages[key]
        return len(doomed)

    def purge_user(self, platform: str, author_id: str) -> int:
        with self._lock:
            self._check()
            self.feedback = [
                f
                for f in self.feedback
                if f.platform != platform or author_id not in (f.user_id, f.author_id)
            ]
            self.reply_texts = {
                k: r
                for k, r in self.reply_texts.items()
                if (r.platform, r.author_id) != (platform, author_id)
            }
            return self._delete_where(lambda m: (m.platform, m.author_id) == (platform, author_id))

    def purge_older_than(
        self, cutoff: datetime, *, tombstones_before: datetime | None = None
    ) -> int:
        if tombstones_before is None:
            tombstones_before = datetime.now(UTC) - timedelta(days=DEFAULT_TOMBSTONE_DAYS)
        with self._lock:
            self._check()
            self.feedback = [f for f in self.feedback if f.created_at >= cutoff]
            self.reply_texts = {k: r for k, r in self.reply_texts.items() if r.created_at >= cutoff}
            for key, at in list(self.tombstones.items()):
                if at < tombstones_before:
                    del self.tombstones[key]
            return self._delete_where(lambda m: m.created_at < cutoff)

    # -- privacy and channels --------------------------------------------------------------
    def set_user_opt_out(self, platform: str, user_id: str, opted_out: bool) -> None:
        with self._lock:
            self._check()
            if opted_out:
                self.opted_out_users.add((platform, user_id))
                self.purge_user(platform, user_id)
            else:
                self.opted_out_users.discard((platform, user_id))

    def is_user_opted_out(self, platform: str, user_id: str) -> bool:
        with self._lock:
            self._check()
            return (platform, user_id) in self.opted_out_users

    def set_channel(self, settings: ChannelSettings) -> None:
        with self._lock:
            self._check()
            self.schedules += 1
            self.channel_settings[(settings.platform, settings.channel)] = settings
            if settings.opted_out:
                pair = (settings.platform, settings.channel)
                self._delete_where(lambda m: (m.platform, m.channel) == pair)
                self.reply_texts = {
                    k: r for k, r in self.reply_texts.items() if (r.platform, r.channel) != pair
                }

    def get_channel(self, platform: str, channel: str) -> ChannelSettings | None:
        with self._lock:
            self._check()
            return self.channel_settings.get((platform, channel))

    def channels(self, platform: str | None = None) -> list[ChannelSettings]:
        with self._lock:
            self._check()
            return [
                s
                for key, s in sorted(self.channel_settings.items())
                if platform is None or key[0] == platform
            ]

    def monitored_channels(self) -> list[tuple[str, str]]:
        with self._lock:
            self._check()
            pairs = {(m.platform, m.channel) for m in self.messages.values()}
            return sorted(
                p
                for p in pairs
                if not (self.channel_settings.get(p) or ChannelSettings(*p)).opted_out
            )

    # -- reports ---------------------------------------------------------------------------
    def _window(
        self, platform: str, channel: str, start: datetime, end: datetime
    ) -> list[ScoredMessage]:
        return [
            m
            for m in self.messages.values()
            if m.platform == platform and m.channel == channel and start <= m.created_at < end
        ]

    def least_sure(
        self, platform: str, channel: str, start: datetime, end: datetime, *, limit: int = 3
    ) -> list[ExampleMessage]:
        with self._lock:
            self._check()
            corrected = {(f.platform, f.channel, f.message_id) for f in self.feedback}
            rows = [
                m
                for m in self._window(platform, channel, start, end)
                if m.score is not None
                and m.label in ("negative", "positive")
                and (m.platform, m.channel, m.message_id) not in corrected
            ]
        rows.sort(key=lambda m: (abs(m.score - 0.5), m.message_id))  # type: ignore[operator]
        return [
            ExampleMessage(m.message_id, float(m.score), m.text or "", m.workspace)  # type: ignore[arg-type]
            for m in rows[:limit]
        ]

    def channel_stats(
        self,
        platform: str,
        channel: str,
        start: datetime,
        end: datetime,
        *,
        examples: int = 3,
    ) -> ChannelStats:
        with self._lock:
            self._check()
            rows = self._window(platform, channel, start, end)
            previous = self._window(platform, channel, start - (end - start), start)
        scored = [m for m in rows if m.score is not None]
        prev_scored = [m.score for m in previous if m.score is not None]
        buckets: dict[datetime, list[ScoredMessage]] = {}
        for m in rows:
            buckets.setdefault(_hour(m.created_at), []).append(m)
        hourly = []
        labels = []
        for hour in sorted(buckets):
            scores = [m.score for m in buckets[hour] if m.score is not None]
            hourly.append((hour, len(buckets[hour]), sum(scores) / len(scores) if scores else None))
            kinds = [m.label for m in buckets[hour] if m.score is not None]
            labels.append((hour, *(kinds.count(k) for k in ("negative", "neutral", "positive"))))
        busiest = max(hourly, key=lambda h: (h[1], -h[0].timestamp()))[0] if hourly else None
        with_text = [m for m in scored if m.text is not None]

        def example(m: ScoredMessage) -> ExampleMessage:
            return ExampleMessage(
                m.message_id,
                float(m.score),  # type: ignore[arg-type]
                m.text or "",
                m.workspace,
            )

        by_score = sorted(with_text, key=lambda m: (m.score, m.message_id))
        return ChannelStats(
            platform=platform,
            channel=channel,
            start=start,
            end=end,
            count=len(rows),
            unscored=len(rows) - len(scored),
            mean=sum(m.score for m in scored) / len(scored) if scored else None,  # type: ignore[misc]
            negative=sum(m.label == "negative" for m in scored),
            neutral=sum(m.label == "neutral" for m in scored),
            positive=sum(m.label == "positive" for m in scored),
            previous_count=len(previous),
            previous_mean=sum(prev_scored) / len(prev_scored) if prev_scored else None,
            hourly=hourly,
            hourly_labels=labels,  # type: ignore[arg-type]
            busiest_hour=busiest,
            most_positive=[example(m) for m in reversed(by_score)][:examples],
            most_negative=[example(m) for m in by_score][:examples],
        )

    def claim_report(
        self,
        platform: str,
        channel: str,
        period_start: datetime,
        period_end: datetime,
        instance: str,
        *,
        lease_s: float | None = None,
        now: datetime | None = None,
    ) -> bool:
        now = now or datetime.now(UTC)
        until = None if lease_s is None else now + timedelta(seconds=lease_s)
        with self._lock:
            self._check()
            key = (platform, channel, period_start, period_end)
            old = self.claims.get(key)
            if old is None:
                self.claims[key] = Claim(instance, now, until)
                return True
            if old.outcome == "posted" or old.lease_until is None or old.lease_until > now:
                return False
            self.claims[key] = Claim(instance, now, until, None, old.attempts + 1)
            return True

    def finish_report(
        self,
        platform: str,
        channel: str,
        period_start: datetime,
        period_end: datetime,
        instance: str,
        *,
        posted: bool,
    ) -> bool:
        with self._lock:
            self._check()
            claim = self.claims.get((platform, channel, period_start, period_end))
            if claim is None or claim.outcome == "posted":
                return False
            if posted:
                claim.outcome = "posted"
                return True
            if claim.instance != instance:
                return False
            claim.outcome, claim.lease_until = "failed", claim.claimed_at
            return True

    def schedules_version(self) -> int:
        with self._lock:
            self._check()
            return self.schedules

    # -- feedback and model versions -------------------------------------------------------
    def add_feedback(self, fb: Feedback) -> bool:
        check_feedback(fb)
        with self._lock:
            self._check()
            author = fb.author_id
            if author is None:
                stored = self.messages.get(MessageKey(fb.platform, fb.channel, fb.message_id))
                author = stored.author_id if stored else (None if fb.message_id else fb.user_id)
            people = {(fb.platform, fb.user_id), (fb.platform, author)}
            settings = self.channel_settings.get((fb.platform, fb.channel))
            if people & self.opted_out_users or (settings is not None and settings.opted_out):
                return False
            text = upserts.clean_text(fb.text) or ""
            self.feedback = [  # one person's correction of one thing counts once: the newest
                f
                for f in self.feedback
                if (f.platform, f.channel, f.user_id, f.message_id)
                != (fb.platform, fb.channel, fb.user_id, fb.message_id)
                or (not fb.message_id and f.text != text)
            ]
            self.feedback.append(dataclasses.replace(fb, author_id=author, text=text))
            return True

    def keep_reply_text(self, rt: ReplyText) -> bool:
        check_reply_text(rt)
        with self._lock:
            self._check()
            settings = self.channel_settings.get((rt.platform, rt.channel))
            if (rt.platform, rt.author_id) in self.opted_out_users or (
                settings is not None and settings.opted_out
            ):
                return False
            text = upserts.clean_text(rt.text) or ""
            self.reply_texts[rt.token] = dataclasses.replace(rt, text=text)
            return True

    def reply_text(self, token: str) -> ReplyText | None:
        with self._lock:
            self._check()
            return self.reply_texts.get(token)

    def list_feedback(self) -> list[Feedback]:
        with self._lock:
            self._check()
            return sorted(self.feedback, key=lambda f: f.created_at)

    def add_model_version(self, mv: ModelVersion) -> None:
        with self._lock:
            self._check()
            if mv.version in self.model_versions:
                raise DuplicateModelVersion(f"model version {mv.version!r} is already recorded")
            if mv.active:
                self._deactivate_all()
            self.model_versions[mv.version] = mv

    def _deactivate_all(self) -> None:
        for name, old in self.model_versions.items():
            self.model_versions[name] = dataclasses.replace(old, active=False)

    def list_model_versions(self) -> list[ModelVersion]:
        with self._lock:
            self._check()
            return sorted(self.model_versions.values(), key=lambda v: (v.created_at, v.version))

    def activate_model_version(self, version: str) -> ModelVersion:
        with self._lock:
            self._check()
            if version not in self.model_versions:
                raise UnknownModelVersion(f"unknown model version {version!r}")
            self._deactivate_all()
            active = dataclasses.replace(self.model_versions[version], active=True)
            self.model_versions[version] = active
            return active

    def active_model_version(self) -> ModelVersion | None:
        with self._lock:
            self._check()
            return next((v for v in self.model_versions.values() if v.active), None)

    # -- health ----------------------------------------------------------------------------
    def ping(self) -> None:
        with self._lock:
            self._check()


def utc(*args: int) -> datetime:
    """``datetime(*args)`` in UTC, for tests."""
    return datetime(*args, tzinfo=UTC)
