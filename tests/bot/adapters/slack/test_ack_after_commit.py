"""Slack events are acknowledged only once stored; commands at once (#18).

Through Bolt's own request handling (``process_before_response=True``): an event whose core
delivery raises ``NotStored`` gets no 200, so Slack delivers it again; once handled, a retry is
dropped. Edits carry Slack's edit time and deletes its delete time.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.core.messages import ChatMessage, Command, Reply
from tests.bot.adapters.slack.test_adapter import message, slack, slash  # noqa: F401 (fixture)
from tests.fakes.handler import wait_until
from tests.fakes.slack_requests import event_body, request


async def test_an_unstored_event_is_not_acked_and_its_redelivery_is(slack) -> None:  # noqa: F811
    adapter, handler, _ = slack
    handler.not_stored = 1
    body = event_body(message("ship it"), "Ev1")
    first = await adapter.app.async_dispatch(request(body))
    assert first.status != 200  # no ack: Slack redelivers, perhaps to another instance
    assert handler.messages == []
    again = await adapter.app.async_dispatch(request(body, retry=1))
    assert again.status == 200
    retry = await adapter.app.async_dispatch(request(body, retry=2))
    assert retry.status == 200
    assert [m.text for m in handler.messages] == ["ship it"]  # the handled one is not redone
    assert handler.durable == [True, True]


async def test_the_ack_waits_for_the_store(slack) -> None:  # noqa: F811
    adapter, handler, _ = slack
    stored = asyncio.Event()
    original = handler.on_message

    async def slow(msg: ChatMessage, *, durable: bool = False) -> None:
        await asyncio.sleep(0.2)
        await original(msg, durable=durable)
        stored.set()

    handler.on_message = slow  # type: ignore[method-assign]
    response = await adapter.app.async_dispatch(request(event_body(message("hi"), "Ev2")))
    assert response.status == 200 and stored.is_set()  # acked after, not before


async def test_edits_and_deletes_carry_slacks_clock(slack) -> None:  # noqa: F811
    adapter, handler, _ = slack
    changed = {
        "type": "message",
        "subtype": "message_changed",
        "channel": "C1",
        "channel_type": "channel",
        "message": {**message("it works now"), "edited": {"user": "U2", "ts": "1700000100.0"}},
        "previous_message": message("it is broken"),
    }
    await adapter.app.async_dispatch(request(event_body(changed, "Ev3")))
    deleted = {
        "type": "message",
        "subtype": "message_deleted",
        "channel": "C1",
        "deleted_ts": "1700000000.000100",
        "event_ts": "1700000200.000000",
        "previous_message": message("it works now"),
    }
    await adapter.app.async_dispatch(request(event_body(deleted, "Ev4")))
    [edit] = handler.edits
    assert edit.edited_at == datetime.fromtimestamp(1700000100, UTC)
    assert handler.deletes == [("slack", "C1", "1700000000.000100")]
    assert handler.deleted_at == [datetime.fromtimestamp(1700000200, UTC)]
    assert handler.durable == [True, True]


async def test_a_slow_command_is_acked_at_once(slack) -> None:  # noqa: F811
    adapter, handler, mock = slack
    release = asyncio.Event()
    original = handler.on_command

    async def slow(command: Command) -> Reply:
        await release.wait()
        return await original(command)

    handler.on_command = slow  # type: ignore[method-assign]
    response = await asyncio.wait_for(
        adapter.app.async_dispatch(request(slash(mock, "/sentiment", "great"))), 2
    )
    assert response.status == 200  # acked while the command still runs
    release.set()
    await wait_until(lambda: handler.commands)
