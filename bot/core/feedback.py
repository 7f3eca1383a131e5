"""User feedback: corrections of a score, stored with their text and used by the admin retrain.

Feedback is the one place where sentibot keeps message text regardless of ``[privacy]
store_text``: a correction is useless for training without the words it corrects. It arrives as
``/sentiment-feedback <positive|negative> [text]`` (``parse_feedback`` reads it), which the
adapters also send for a 👍/👎 reaction on the bot's reply to ``/sentiment <text>``, or as a
press of one of the bot's buttons (``bot.core.corrections``), and is stored by
``record_feedback``.

For the retrain, feedback is split deterministically (by a hash of its text) into a training
part, written as JSONL ``{"text": ..., "label": 0|1}`` for ``python -m bot.retrain.job
--extra-data``, and a held-back part the new model is evaluated on. The same text always
lands on the same side, so the held-back figures never measure text the model trained on.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from storage.repository import Repository
from storage.types import Feedback

logger = logging.getLogger(__name__)

LABELS = {"positive": 1, "negative": 0}
POSITIVE_REACTIONS = frozenset({"👍", "+1", "thumbsup", "thumbs_up", ":+1:", ":thumbsup:"})
NEGATIVE_REACTIONS = frozenset({"👎", "-1", "thumbsdown", "thumbs_down", ":-1:", ":thumbsdown:"})
SKIN_TONES = tuple(chr(c) for c in range(0x1F3FB, 0x1F400))
MAX_TEXT = 4000
FEEDBACK_WORDS = {"positive": "positive", "pos": "positive", "+": "positive", "good": "positive"}
FEEDBACK_WORDS |= {"negative": "negative", "neg": "negative", "-": "negative", "bad": "negative"}


def reaction_label(emoji: str) -> str | None:
    """``"positive"`` for 👍, ``"negative"`` for 👎 (any skin tone, Slack or Unicode name)."""
    name = emoji.strip()
    name = name.split("::skin-tone-")[0]  # Slack: "+1::skin-tone-3"
    name = name.rstrip("".join(SKIN_TONES) + "\ufe0f")
    if name in POSITIVE_REACTIONS:
        return "positive"
    if name in NEGATIVE_REACTIONS:
        return "negative"
    return None


def is_holdout(text: str, fraction: float) -> bool:
    """Whether ``text`` belongs to the held-back evaluation part (stable across runs)."""
    digest = hashlib.sha256(" ".join(text.lower().split()).encode("utf-8", "replace")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < fraction


def split_feedback(
    feedback: Iterable[Feedback], fraction: float = 0.2
) -> tuple[list[Feedback], list[Feedback]]:
    """Split feedback into (training, held-back) parts; the latest entry per message wins.

    A user can change their mind: only the newest correction of a message (or of the same
    text when the message id is unknown) is used.
    """
    latest: dict[tuple[str, str, str], Feedback] = {}
    for fb in sorted(feedback, key=lambda f: f.created_at):
        if fb.label not in LABELS or not fb.text.strip():
            continue
        key = (fb.platform, fb.channel, fb.message_id or fb.text)
        latest[key] = fb
    train: list[Feedback] = []
    held: list[Feedback] = []
    for fb in latest.values():
        (held if is_holdout(fb.text, fraction) else train).append(fb)
    return train, held


def write_jsonl(feedback: Sequence[Feedback], path: Path | str) -> Path:
    """Write feedback as ``{"text": ..., "label": 0|1}`` lines (``model.data.read_jsonl``)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8") as handle:
        for fb in feedback:
            row = {"text": fb.text[:MAX_TEXT], "label": LABELS[fb.label]}
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return target


def parse_feedback(text: str) -> tuple[str, str | None]:
    """Read the argument of ``/sentiment-feedback``: a label, optionally followed by the text.

    ``"positive"``, ``"neg"``, ``"👍"``, ``"+"`` give the label alone (the command then refers to
    the caller's last scored message); ``"negative the food was not bad"`` also carries the text
    (the form the adapters send for a 👍/👎 on the bot's reply).

    Raises
    ------
    ValueError
        With the usage line, for anything else.
    """
    word, _, rest = text.strip().partition(" ")
    label = FEEDBACK_WORDS.get(word.lower()) or reaction_label(word)
    if label is None:
        raise ValueError("Usage: /sentiment-feedback <positive|negative> [the text it is about]")
    return label, (rest.strip() or None)


async def record_feedback(
    repository: Repository,
    platform: str,
    channel: str,
    message_id: str,
    user_id: str,
    label: str,
    text: str,
    *,
    author_id: str | None = None,
    now: datetime | None = None,
) -> Feedback | None:
    """Store one correction with the text it refers to (through ``asyncio.to_thread``).

    ``author_id`` wrote ``text`` (the text belongs to them, not to whoever corrects it); the
    correction is refused, and ``None`` returned, when the giver, the author or the channel
    opted out (the repository decides, in the same transaction as the write).

    Raises
    ------
    ValueError
        For a label other than ``positive``/``negative`` or empty text.
    """
    if label not in LABELS:
        raise ValueError(f"feedback label must be positive or negative, not {label!r}")
    if not text.strip():
        raise ValueError("feedback needs the text it refers to")
    fb = Feedback(
        platform=platform,
        channel=channel,
        message_id=message_id,
        user_id=user_id,
        label=label,
        text=text[:MAX_TEXT],
        created_at=now or datetime.now(UTC),
        author_id=author_id or None,
    )
    if not await asyncio.to_thread(repository.add_feedback, fb):
        logger.info("feedback from %s not kept: opted out", user_id)
        return None
    logger.info("feedback %s from %s on %s/%s", label, user_id, platform, channel)
    return fb
