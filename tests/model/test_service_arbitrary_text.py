"""Property tests: any text at all gets a Score or a clear error, and the queue never sticks."""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.batcher import MicroBatcher
from model.service import Scorer
from model.types import Label, Score

# Every code point, lone surrogates and control characters included.
ANY_CHAR = st.characters(exclude_categories=())
ANY_TEXT = st.one_of(
    st.text(ANY_CHAR, max_size=300),
    st.text(st.sampled_from("👍😡🎉 :) <@1> ``` \x00\u0085\u2028\ud800 aé日"), max_size=50),
    st.builds(lambda t, n: t * n, st.text(ANY_CHAR, min_size=1, max_size=8), st.integers(1, 5000)),
)
SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _valid(result: Score, version: str) -> None:
    assert isinstance(result, Score) and result.model_version == version
    if result.label is Label.UNSCORED:
        assert result.score is None and result.reason
    else:
        assert 0.0 <= result.score <= 1.0


@SETTINGS
@given(st.lists(ANY_TEXT, min_size=1, max_size=8))
def test_scorer_handles_any_text(scorer: Scorer, texts: list[str]) -> None:
    results = scorer.score_many(texts)
    assert len(results) == len(texts)
    for result in results:
        _valid(result, scorer.version)


@SETTINGS
@given(st.lists(ANY_TEXT, min_size=1, max_size=20))
def test_batcher_handles_any_text(scorer: Scorer, texts: list[str]) -> None:
    async def run() -> list[Score]:
        batcher = MicroBatcher(scorer, max_batch=7, max_wait_ms=1)
        try:
            return await asyncio.wait_for(batcher.score_many(texts), 30)
        finally:
            await asyncio.wait_for(batcher.close(), 30)

    results = asyncio.run(run())
    assert len(results) == len(texts)
    for result in results:
        _valid(result, scorer.version)


def test_one_megabyte_through_the_batcher(scorer: Scorer) -> None:
    async def run() -> list[Score]:
        batcher = MicroBatcher(scorer, max_batch=4, max_wait_ms=1)
        texts = ["great " * 200_000, "\ud800" * 1_000_000, "😡" * 300_000, "fine"]
        results = await asyncio.wait_for(batcher.score_many(texts), 30)
        await batcher.close()
        return results

    big, surrogates, emoji, fine = asyncio.run(run())
    assert big.reason == "truncated" and big.label is Label.POSITIVE
    assert (surrogates.label, surrogates.reason) == (Label.UNSCORED, "no words")
    assert emoji.reason == "truncated" and emoji.label is Label.NEGATIVE
    assert fine.label is not Label.UNSCORED
