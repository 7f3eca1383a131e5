"""Fuzz: any command, with any text, from anyone, through the real bot (fakes at the edges).

Every command answers with a non-empty reply, no handler fails ("command_errors" stays 0: a
crash would be turned into an apology), and the bot keeps running. Messages with any text, edits
and deletes in any order never stop it either. ``/sentiment-explain`` runs the real model's
occlusion (``FakeScorer`` has no probabilities): tests/model/test_service_arbitrary_text.py
fuzzes the model.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.commands.registry import COMMANDS
from bot.core.messages import Person
from tests.bot.conftest import Harness, make_settings, start_harness
from tests.fuzz.loop import LoopThread

EXAMPLES = 300
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ANY_CHAR = st.characters(exclude_categories=())
WORDS = st.sampled_from(
    [
        "24h",
        "7d",
        "90m",
        "2w",
        "fortnight",
        "9999999999d",
        "0m",
        "#general",
        "<#C1|x>",
        "<#123>",
        "default",
        "0 9 * * *",
        "* * * * * *",
        "positive",
        "negative",
        "neutral",
        "👍",
        "\x00",
        "\ud800",
        "‮",
        "https://x",
        "```",
        "@here",
        "<@U1>",
        "-1",
        "nan",
        "1e309h",
    ]
)
TEXTS = st.one_of(
    st.text(ANY_CHAR, max_size=80),
    st.lists(WORDS, max_size=5).map(" ".join),
    st.builds(lambda word, n: word * n, WORDS, st.integers(1, 2000)),
)
PEOPLE = st.sampled_from(
    [Person("U1", "ann"), Person("U2", "bob", is_admin=True), Person("B1", "bot", is_bot=True)]
)


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LoopThread, Harness]]:
    loop = LoopThread()
    settings_ = make_settings(
        tmp_path_factory.mktemp("fuzz"),
        "[storage]\nflush_interval_ms = 5\n[scoring]\nmax_wait_ms = 1\n",
    )
    harness = loop.run(start_harness(settings_))
    yield loop, harness
    assert not harness.task.done(), "the bot stopped during the fuzz run"
    assert harness.bot.stats["command_errors"] == 0
    loop.run(harness.stop())
    loop.close()


@FUZZ
@given(
    name=st.one_of(
        st.sampled_from(sorted(set(COMMANDS) - {"sentiment-explain"})), st.text(max_size=12)
    ),
    text=TEXTS,
    user=PEOPLE,
    channel=st.sampled_from(["general", "other", "C1", "x" * 200]),
)
def test_any_command_gets_an_answer_and_never_fails(
    running, name: str, text: str, user: Person, channel: str
) -> None:
    loop, harness = running
    reply = loop.run(harness.adapter.command(name, text, channel=channel, user=user))
    assert reply.text.strip()
    assert harness.bot.stats["command_errors"] == 0, (name, text)
    assert not harness.task.done()


@FUZZ
@given(
    steps=st.lists(st.tuples(st.sampled_from(["say", "edit", "delete"]), TEXTS, PEOPLE), max_size=8)
)
def test_any_stream_of_messages_edits_and_deletes_keeps_the_bot_running(
    running, steps: list[tuple[str, str, Person]]
) -> None:
    loop, harness = running

    async def play() -> None:
        said = []
        for action, text, user in steps:
            if action == "say" or not said:
                said.append(await harness.adapter.say(text, user=user))
            elif action == "edit":
                said[-1] = await harness.adapter.edit(said[-1], text)
            else:
                await harness.adapter.delete(said.pop())
        await harness.settle()

    loop.run(play())
    assert not harness.task.done()
