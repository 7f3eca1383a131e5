"""The core's message path: in -> scored -> stored, privacy, edits, deletes, bad input."""

from __future__ import annotations

import asyncio

from bot.core.messages import Person
from storage.types import ChannelSettings, MessageKey
from tests.bot.conftest import Harness, make_settings, start_harness
from tests.fakes.scoring import FakeScorer

BOB = Person(id="U2", name="bob")


def stored(h: Harness, msg_id: str, channel: str = "general"):
    return h.repo.messages.get(MessageKey("fake", channel, msg_id))


async def test_message_is_scored_and_stored_without_text(harness: Harness) -> None:
    msg = await harness.adapter.say("what a great release")
    await harness.settle()
    row = stored(harness, msg.message_id)
    assert row is not None
    assert (row.score, row.label, row.model_version) == (0.9, "positive", "fake-1")
    assert row.author_id == "U1" and row.workspace == "test"
    assert row.text is None  # [privacy] store_text is off by default


async def test_text_is_stored_only_when_configured(tmp_path) -> None:
    settings = make_settings(tmp_path, "[privacy]\nstore_text = true\n")
    h = await start_harness(settings)
    msg = await h.adapter.say("awful\x00 day")
    await h.settle()
    assert stored(h, msg.message_id).text == "awful day"  # NUL removed, rest kept
    assert await h.stop() == 0


async def test_bot_authors_are_ignored(harness: Harness) -> None:
    msg = await harness.adapter.say("great", user=Person(id="B1", is_bot=True))
    await harness.settle()
    assert stored(harness, msg.message_id) is None
    assert harness.bot.stats["ignored_bot"] == 1


async def test_concurrent_messages_share_batches(harness: Harness) -> None:
    await asyncio.gather(*(harness.adapter.say(f"good {i}") for i in range(200)))
    await harness.settle()
    assert len(harness.repo.messages) == 200
    assert len(harness.scorer.calls) < 50  # batched, not one model call per message


async def test_edit_rescores_and_delete_removes(harness: Harness) -> None:
    msg = await harness.adapter.say("great")
    await harness.adapter.edit(msg, "awful")
    await harness.settle()
    assert stored(harness, msg.message_id).label == "negative"
    assert len(harness.repo.messages) == 1
    await harness.adapter.delete(msg)
    await harness.settle()
    assert stored(harness, msg.message_id) is None


async def test_delete_of_a_message_still_buffered_does_not_come_back(harness: Harness) -> None:
    msg = await harness.adapter.say("great")  # handed to the writer, maybe not written yet
    await harness.adapter.delete(msg)
    await harness.settle()
    assert stored(harness, msg.message_id) is None


async def test_opted_out_user_is_purged_and_no_longer_stored(harness: Harness) -> None:
    old = await harness.adapter.say("great", user=BOB)
    await harness.adapter.say("great")  # someone else's message stays
    reply = await harness.adapter.command("sentiment-optout", user=BOB)
    assert "deleted 1" in reply.text and reply.ephemeral
    assert stored(harness, old.message_id) is None
    new = await harness.adapter.say("bad", user=BOB)
    await harness.settle()
    assert stored(harness, new.message_id) is None
    assert len(harness.repo.messages) == 1
    await harness.adapter.command("sentiment-optin", user=BOB)
    again = await harness.adapter.say("bad", user=BOB)
    await harness.settle()
    assert stored(harness, again.message_id) is not None


async def test_opted_out_channel_stores_nothing(harness: Harness) -> None:
    harness.repo.set_channel(ChannelSettings("fake", "secret", opted_out=True))
    msg = await harness.adapter.say("great", channel="secret")
    await harness.settle()
    assert stored(harness, msg.message_id, "secret") is None
    assert harness.bot.stats["ignored_opted_out"] == 1


async def test_scoring_failure_is_stored_as_unscored(tmp_path) -> None:
    settings = make_settings(tmp_path)
    h = await start_harness(settings, scorer=FakeScorer(fail_with=RuntimeError("model broke")))
    msg = await h.adapter.say("great")
    await h.settle()
    row = stored(h, msg.message_id)
    assert (row.score, row.label, row.reason) == (None, "unscored", "error")
    assert await h.stop() == 0


async def test_bad_inputs_are_stored_and_never_crash(harness: Harness) -> None:
    texts = {
        "empty": "",
        "huge": "good " * 200_000,  # 1 MB
        "control": "bad \x00\x07\x1b[31m \u0085\u2028 day",
        "emoji": "🎉🔥😀",
        "markup": "<@U123> ```code``` <https://x.y|link> **bold**",
        "surrogate": "great \udcff",
    }
    msgs = {name: await harness.adapter.say(text) for name, text in texts.items()}
    await harness.settle()
    rows = {name: stored(harness, m.message_id) for name, m in msgs.items()}
    assert all(row is not None for row in rows.values())
    assert rows["empty"].label == "unscored" and rows["empty"].reason == "empty"
    assert rows["huge"].reason == "truncated" and rows["huge"].label == "positive"
    assert rows["control"].label == "negative"
    # The scorer never receives more than the scoring limit plus one character.
    longest = max(len(text) for batch in harness.scorer.calls for text in batch)
    assert longest == harness.app.settings.scoring.max_chars + 1


async def test_database_down_loses_nothing(harness: Harness) -> None:
    from storage.errors import DatabaseUnavailable

    harness.repo.fail = DatabaseUnavailable("server closed the connection")
    await asyncio.gather(*(harness.adapter.say("good") for _ in range(20)))
    await harness.bot.drain()
    await asyncio.sleep(0.05)
    assert harness.app.writer.pending == 20 and not harness.repo.messages
    harness.repo.fail = None
    await harness.settle()
    assert len(harness.repo.messages) == 20


async def test_stop_refuses_new_messages_but_stores_those_taken(harness: Harness) -> None:
    pending = [asyncio.create_task(harness.adapter.say(f"good {i}")) for i in range(50)]
    await asyncio.sleep(0)  # they are taken (scoring) but not stored yet
    assert await harness.stop() == 0
    await asyncio.gather(*pending)
    assert len(harness.repo.messages) == 50
    late = await harness.adapter.say("great")  # after shutdown: refused, not stored
    assert stored(harness, late.message_id) is None
    reply = await harness.adapter.command("sentiment", "great")
    assert "shutting down" in reply.text
