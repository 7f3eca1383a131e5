"""Feedback: reaction and command forms, storage with text, the train/held-back split."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from bot.core.feedback import (
    is_holdout,
    parse_feedback,
    reaction_label,
    record_feedback,
    split_feedback,
    write_jsonl,
)
from storage.types import Feedback
from tests.fakes.reports import NOW
from tests.fakes.storage import FakeRepository


@pytest.mark.parametrize(
    ("emoji", "label"),
    [
        ("👍", "positive"),
        ("👍🏽", "positive"),
        ("+1", "positive"),
        ("+1::skin-tone-4", "positive"),
        ("thumbsup", "positive"),
        ("👎", "negative"),
        ("-1", "negative"),
        ("thumbsdown", "negative"),
        ("🎉", None),
        ("heart", None),
    ],
)
def test_reaction_labels(emoji: str, label: str | None) -> None:
    assert reaction_label(emoji) == label


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("positive", ("positive", None)),
        (" NEG ", ("negative", None)),
        ("👍", ("positive", None)),
        ("+1::skin-tone-2", ("positive", None)),
        ("negative the food was not  bad at all", ("negative", "the food was not  bad at all")),
        ("- meh", ("negative", "meh")),
    ],
)
def test_parse_feedback(text: str, expected: tuple[str, str | None]) -> None:
    assert parse_feedback(text) == expected


@pytest.mark.parametrize("text", ["", "meh", "neutral", "5 stars", "positively"])
def test_parse_feedback_refuses_with_usage(text: str) -> None:
    with pytest.raises(ValueError, match="Usage: /sentiment-feedback <positive|negative>"):
        parse_feedback(text)


async def test_feedback_is_stored_with_its_text(fake_repo: FakeRepository) -> None:
    fb = await record_feedback(
        fake_repo, "slack", "C1", "R1", "U7", "positive", "the food was not bad at all", now=NOW
    )
    assert fake_repo.list_feedback() == [fb]
    assert fb == Feedback("slack", "C1", "R1", "U7", "positive", "the food was not bad at all", NOW)


async def test_bad_feedback_is_refused(fake_repo: FakeRepository) -> None:
    with pytest.raises(ValueError, match="positive or negative"):
        await record_feedback(fake_repo, "slack", "C1", "1", "U1", "meh", "text")
    with pytest.raises(ValueError, match="text"):
        await record_feedback(fake_repo, "slack", "C1", "1", "U1", "positive", "  ")
    assert fake_repo.list_feedback() == []


def fb(i: int, label: str = "positive", text: str | None = None, minutes: int = 0) -> Feedback:
    return Feedback(
        "slack", "C1", f"m{i}", "U1", label, text or f"text {i}", NOW + timedelta(minutes=minutes)
    )


def test_split_is_stable_and_near_the_fraction() -> None:
    items = [fb(i) for i in range(400)]
    train, held = split_feedback(items, 0.2)
    assert len(train) + len(held) == 400
    assert 50 <= len(held) <= 110
    again_train, again_held = split_feedback(list(reversed(items)), 0.2)
    assert {f.text for f in held} == {f.text for f in again_held}
    assert all(is_holdout(f.text, 0.2) for f in held)
    # the same text, differently spaced or cased, stays on the same side
    assert is_holdout("Text  7", 0.2) == is_holdout("text 7", 0.2)


def test_latest_correction_of_a_message_wins() -> None:
    items = [fb(1, "positive", "same", minutes=0), fb(1, "negative", "same", minutes=5)]
    train, held = split_feedback(items, 0.0)
    assert held == [] and [f.label for f in train] == ["negative"]


def test_jsonl_is_what_the_train_command_reads(tmp_path: Path) -> None:
    from model.data import read_jsonl

    path = write_jsonl(
        [fb(1, "positive", "good\tstuff\n"), fb(2, "negative")], tmp_path / "f.jsonl"
    )
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    assert rows == [{"text": "good\tstuff\n", "label": 1}, {"text": "text 2", "label": 0}]
    split = read_jsonl(path)
    assert list(split.labels) == [1, 0]
