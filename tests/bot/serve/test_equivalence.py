"""A thin bot scores exactly what an in-process bot scores, through either model server.

The shipped model scores the chat and sentence sets (benchmarks/data/*.tsv), foreign chat and
awkward input three ways: in process (``model.service.Scorer``), through ``sentibot serve``'s
server (``bot.serve``) and through TF Serving's REST API running the SavedModel export
(``tests.fakes.tf_serving``), both read by ``model.remote.RemoteScorer``. Scores agree within
1e-4; labels and reasons are identical. Explanations through the server match too.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest
from aiohttp import web

from bot.serve.rows import PredictionRows
from bot.serve.server import ModelServer
from model.config import BUNDLED_MODEL_DIR, ScoringConfig
from model.explain import explain_many
from model.remote import RemoteScorer
from model.types import Score
from tests.fakes.tf_serving import tf_serving_app

ROOT = Path(__file__).resolve().parents[3]
BATCH = 256  # [scoring] batch_size: what the bot's micro-batcher sends
AWKWARD = [
    "", "   ", "<@U123> https://example.com", "great " * 900, "I love it 😍 :)",
    "\x00\x07 control \u2028 chars and great fun", "bad \ud800 surrogate", "ＡＢＣ full width",
    "Ça ne marche pas, c'est nul", "`code only`", "&lt;3 &amp; thanks",
]  # fmt: skip


def _texts() -> list[str]:
    texts = []
    for path in sorted((ROOT / "benchmarks" / "data").glob("*.tsv")):
        lines = path.read_text(encoding="utf-8").splitlines()
        texts += [line.split("\t")[0] for line in lines if line and not line.startswith("#")]
    foreign = (ROOT / "tests" / "model" / "foreign_messages.txt").read_text(encoding="utf-8")
    texts += [line for line in foreign.splitlines() if line and not line.startswith("#")]
    return texts + AWKWARD


TEXTS = _texts()


@pytest.fixture(scope="module")
def shipped():  # noqa: ANN201 - a model.service.Scorer
    from model.service import Scorer

    return Scorer.from_directory(BUNDLED_MODEL_DIR, ScoringConfig())


@pytest.fixture
async def served(shipped) -> AsyncIterator[str]:  # noqa: ANN001
    server = ModelServer(PredictionRows(shipped), port=0)
    await server.start()
    yield f"http://127.0.0.1:{server.port}"
    await server.stop()


@pytest.fixture(scope="module")
def shipped_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from model.export import export_model

    return export_model(BUNDLED_MODEL_DIR, tmp_path_factory.mktemp("export") / "sentiment")


@pytest.fixture
async def tf_serving_shipped(shipped_export: Path) -> AsyncIterator[str]:
    runner = web.AppRunner(tf_serving_app(shipped_export), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    await runner.cleanup()


def _in_batches(score_many, texts: Sequence[str]) -> list[Score]:  # noqa: ANN001
    return [s for i in range(0, len(texts), BATCH) for s in score_many(texts[i : i + BATCH])]


def _assert_same(got: list[Score], want: list[Score]) -> None:
    assert len(got) == len(want) == len(TEXTS)
    for text, g, w in zip(TEXTS, got, want, strict=True):
        assert (g.label, g.reason, g.model_version) == (w.label, w.reason, w.model_version), text
        if w.score is None:
            assert g.score is None, text
        else:
            assert g.score == pytest.approx(w.score, abs=1e-4), text


async def test_through_sentibot_serve(shipped, served: str) -> None:  # noqa: ANN001
    remote = RemoteScorer(served, ScoringConfig())
    got = await asyncio.to_thread(_in_batches, remote.score_many, TEXTS)
    _assert_same(got, _in_batches(shipped.score_many, TEXTS))
    reasons = {s.reason for s in got}
    assert {"empty", "no words", "truncated"} <= reasons  # the sets reach every rule
    assert any(r and r.startswith("language:") for r in reasons)
    assert sum(s.label.value == "neutral" for s in got) > 10


async def test_through_tf_serving(shipped, tf_serving_shipped: str) -> None:  # noqa: ANN001
    remote = RemoteScorer(tf_serving_shipped, ScoringConfig())
    got = await asyncio.to_thread(_in_batches, remote.score_many, TEXTS)
    _assert_same(got, _in_batches(shipped.score_many, TEXTS))


async def test_explanations_through_the_server(shipped, served: str) -> None:  # noqa: ANN001
    texts = ["the build is broken again", "thanks, that fixed it!", "meeting at 3", "je suis là"]
    remote = RemoteScorer(served, ScoringConfig())
    got = await asyncio.to_thread(explain_many, remote, texts)
    want = explain_many(shipped, texts)
    for g, w in zip(got, want, strict=True):
        assert [x.word for x in g.words] == [x.word for x in w.words]
        for a, b in zip(g.words, w.words, strict=True):
            assert a.contribution == pytest.approx(b.contribution, abs=1e-4)
    assert got[0].words and got[0].words[0].word == "broken"
