"""With stored text, a report names the words behind its most negative messages (issue 6)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.reports.build import build_report
from model.config import BUNDLED_MODEL_DIR, ScoringConfig
from tests.fakes.reports import NOW, message
from tests.fakes.storage import FakeRepository

DAY = timedelta(hours=24)
HEADER = "Words behind the most negative messages: "


@pytest.fixture(scope="module")
def scorer():
    from model.service import Scorer

    return Scorer.from_directory(BUNDLED_MODEL_DIR, ScoringConfig())


def _filled() -> FakeRepository:
    repo = FakeRepository()
    texts = [
        ("1", 0.95, "the launch went great, thanks everyone"),
        ("2", 0.05, "the service was terrible and the build is broken"),
        ("3", 0.10, "terrible support, awful experience"),
    ]
    hour_ago = NOW - timedelta(hours=1)
    repo.upsert_messages([message("C1", mid, hour_ago, p, text=text) for mid, p, text in texts])
    return repo


async def test_negative_words_are_named_with_their_sign(scorer) -> None:
    reply = await build_report(
        _filled(), "slack", "C1", DAY, now=NOW, min_messages=1, store_text=True, scorer=scorer
    )
    line = next(row for row in reply.text.splitlines() if row.startswith(HEADER))
    words = [item.split(" (")[0] for item in line.removeprefix(HEADER).split(", ")]
    assert "terrible" in words
    assert "great" not in words and "thanks" not in words
    assert all("(-" in item for item in line.removeprefix(HEADER).split(", "))


async def test_no_words_without_stored_text(scorer) -> None:
    reply = await build_report(
        _filled(), "slack", "C1", DAY, now=NOW, min_messages=1, store_text=False, scorer=scorer
    )
    assert HEADER not in reply.text
