"""Discord buttons with the real bot and discord.py client against the loopback fake: the
answer to /sentiment carries right / wrong buttons whose custom ids name a stored text (never
the text), a press of one (on any message, as after a restart: nothing is looked up in memory)
stores one correction per person, and a "help me learn" press fetches the message now."""

from __future__ import annotations

from bot.adapters.discord.views import CorrectionButton
from bot.core.corrections import DELETED, learn_buttons
from bot.core.messages import Reply
from tests.bot.adapters.discord.test_protocol import Live, live, live_settings  # noqa: F401
from tests.fakes.discord_payloads import GENERAL, OTHER_USER, USER


def buttons(components: list[dict]) -> list[dict]:
    return [button for row in components for button in row["components"]]


async def test_sentiment_answer_has_buttons_and_a_press_corrects(live: Live) -> None:  # noqa: F811
    text = "great day " * 40
    record = await live.answered(await live.discord.interact("sentiment", {"text": text}))
    shown = buttons(record.messages[0].components)
    assert [b["label"] for b in shown] == ["✅ right", "❌ wrong, it's negative"]
    assert all(len(b["custom_id"]) <= 100 and "great" not in b["custom_id"] for b in shown)
    right, wrong = (b["custom_id"] for b in shown)
    first = await live.answered(await live.discord.press(wrong, user_id=OTHER_USER))
    assert first.seen_by_caller_only() == [
        "Thanks! Noted that it's negative. Pressing the other button changes your correction; "
        "it counts once."
    ]
    assert first.seen_by_channel() == []
    await live.answered(await live.discord.press(right, user_id=OTHER_USER))  # changed
    await live.answered(await live.discord.press(right, user_id=USER))
    rows = sorted((f.user_id, f.label, f.author_id) for f in live.repo.list_feedback())
    assert rows == [(str(USER), "positive", str(USER)), (str(OTHER_USER), "positive", str(USER))]
    assert {f.text for f in live.repo.list_feedback()} == {text.strip()}


async def test_help_me_learn_press_fetches_the_message(live: Live) -> None:  # noqa: F811
    kept = await live.discord.send_message("the rollout is done", author=OTHER_USER)
    gone = await live.discord.send_message("oops wrong channel", author=OTHER_USER)
    await live.discord.delete(gone)
    await live.settle()
    [positive, _] = learn_buttons(str(GENERAL), str(kept), 1) or []
    [_, negative] = learn_buttons(str(GENERAL), str(gone), 1) or []
    record = await live.answered(await live.discord.press(positive.action))
    assert "positive" in (record.seen_by_caller_only()[0] or "")
    refused = await live.answered(await live.discord.press(negative.action))
    assert refused.seen_by_caller_only() == [DELETED]
    [row] = live.repo.list_feedback()
    assert (row.message_id, row.text, row.author_id) == (
        str(kept),
        "the rollout is done",
        str(OTHER_USER),
    )


async def test_buttons_are_registered_once_as_dynamic_items(live: Live) -> None:  # noqa: F811
    store = live.adapter.bot._connection._view_store
    assert CorrectionButton in store._dynamic_items.values()
    assert store._views == {}  # replies with buttons are not kept in memory


async def test_a_posted_report_carries_its_buttons(live: Live) -> None:  # noqa: F811
    pair = learn_buttons(str(GENERAL), "1190000000000000999", 1) or []
    await live.adapter.post(str(GENERAL), Reply("report\nHelp me learn: ...", buttons=pair))
    [posted] = live.discord.channel_posts
    assert [b["custom_id"] for b in buttons(posted["components"])] == [b.action for b in pair]
    assert posted["content"] == "report\nHelp me learn: ..."
