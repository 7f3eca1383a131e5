"""Corrections in one click: score-reply buttons and "help me learn" presses, through the core
(FakeAdapter, fake scorer and repository)."""

from __future__ import annotations

import pytest

from bot.core.access import NOT_A_MEMBER
from bot.core.corrections import (
    DELETED,
    FROM_A_BOT,
    GONE,
    NOT_KEPT,
    UNKNOWN,
    learn_buttons,
    parse_action,
    score_buttons,
)
from bot.core.messages import Person
from tests.bot.conftest import Harness

BOB = Person(id="U2", name="bob")
LONG = "great " * 300  # far longer than any button id may be


def corrections(h: Harness) -> list[tuple[str, str, str, str | None]]:
    return [(f.user_id, f.label, f.text, f.author_id) for f in h.repo.list_feedback()]


async def test_score_reply_carries_right_and_wrong(harness: Harness) -> None:
    reply = await harness.adapter.command("sentiment", LONG)
    assert [b.label for b in reply.buttons] == ["✅ right", "❌ wrong, it's negative"]
    assert all(len(b.action) <= 100 and "great" not in b.action for b in reply.buttons)
    right, wrong = (b.action for b in reply.buttons)
    answer = await harness.adapter.press(right, user=BOB)
    assert "positive" in answer.text and answer.ephemeral
    assert corrections(harness) == [("U2", "positive", LONG.strip() + " ", "U1")]
    await harness.adapter.press(wrong, user=BOB)  # bob changes his mind: it counts once
    await harness.adapter.press(right)  # alice's own correction counts beside it
    assert sorted((u, label) for u, label, _, _ in corrections(harness)) == [
        ("U1", "positive"),
        ("U2", "negative"),
    ]


async def test_neutral_answer_asks_positive_or_negative() -> None:
    assert [b.action[-1] for b in score_buttons("t", "neutral")] == ["p", "n"]
    assert [b.action[-1] for b in score_buttons("t", "negative")] == ["n", "p"]


async def test_outsider_and_stale_presses_are_refused(harness: Harness) -> None:
    reply = await harness.adapter.command("sentiment", "great")
    right = reply.buttons[0].action
    assert (await harness.adapter.press(right, workspace="elsewhere")).text == NOT_A_MEMBER
    gone = right.replace(right.split(":")[2], "nosuchtoken")
    assert (await harness.adapter.press(gone)).text == GONE
    assert (await harness.adapter.press("sb:fix:x:maybe")).text == UNKNOWN
    assert corrections(harness) == []


async def test_opted_out_asker_gets_no_buttons(harness: Harness) -> None:
    await harness.adapter.command("sentiment-optout")
    reply = await harness.adapter.command("sentiment", "great")
    assert "positive" in reply.text and reply.buttons == []


async def test_opt_out_after_the_answer_wins(harness: Harness) -> None:
    reply = await harness.adapter.command("sentiment", "great", user=BOB)
    await harness.adapter.command("sentiment-optout", user=BOB)  # bob asked: his text goes
    assert (await harness.adapter.press(reply.buttons[0].action)).text == GONE


async def test_learn_press_fetches_the_message_now(harness: Harness) -> None:
    msg = await harness.adapter.say("the deploy is fine I guess", user=BOB)
    positive, negative = learn_buttons(msg.channel, msg.message_id, 1) or []
    await harness.adapter.press(negative.action)
    await harness.adapter.edit(msg, "the deploy is great")
    await harness.adapter.press(positive.action)  # alice changes hers, on the edited text
    assert corrections(harness) == [("U1", "positive", "the deploy is great", "U2")]


async def test_learn_refuses_deleted_bots_outsiders_and_opted_out_authors(
    harness: Harness,
) -> None:
    gone = await harness.adapter.say("soon gone", user=BOB)
    await harness.adapter.delete(gone)
    bot = await harness.adapter.say("beep", user=Person(id="B1", is_bot=True))
    kept = await harness.adapter.say("meh", user=BOB)

    async def press(msg, **kw) -> str:
        [positive, _] = learn_buttons(msg.channel, msg.message_id, 1) or []
        return (await harness.adapter.press(positive.action, **kw)).text

    assert await press(gone) == DELETED
    assert await press(bot) == FROM_A_BOT
    assert await press(kept, workspace="elsewhere") == NOT_A_MEMBER
    await harness.adapter.command("sentiment-optout", user=BOB)  # the author's opt-out wins
    assert await press(kept) == NOT_KEPT
    assert corrections(harness) == []


@pytest.mark.parametrize(
    "action",
    [
        "",
        "sb:",
        "sb:fix::p",
        "sb:fix:t",
        "sb:learn:C1:p",
        "sb:learn::m:n",
        "x:fix:t:p",
        "sb:fix:t:x",
    ],
)
def test_malformed_actions_are_none(action: str) -> None:
    assert parse_action(action) is None


def test_learn_buttons_refuse_ids_too_long_for_discord() -> None:
    assert learn_buttons("C1", "m" * 90, 1) is None
    assert learn_buttons("C:1", "m", 1) is None
