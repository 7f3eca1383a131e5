"""The Slack adapter end to end: the real Bolt AsyncApp, signed requests, a local Web API mock."""

from __future__ import annotations

import asyncio
import json
import time

import aiohttp
import pytest

from bot.adapters.slack.adapter import SlackAdapter
from bot.adapters.slack.listeners import COMMANDS
from bot.config import AdminsConfig, ConfigError, Secrets, SlackConfig
from bot.core.messages import Reply
from tests.fakes.handler import RecordingHandler, settle, wait_until
from tests.fakes.slack_api import BOT_USER, MockSlackApi
from tests.fakes.slack_requests import SECRET, event_body, free_port, request, signed_headers
from tests.fakes.slack_requests import slash_body as _slash

ENV = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET}


@pytest.fixture
async def slack():
    mock = MockSlackApi(admins={"UADMIN"}, not_in={"CNOTIN"})
    await mock.start()
    config = SlackConfig(mode="http", port=free_port(), api_base_url=mock.base + "/api/")
    adapter = SlackAdapter(config, AdminsConfig(slack=["UCONF"]), Secrets(ENV), host="127.0.0.1")
    handler = RecordingHandler()
    task = asyncio.create_task(adapter.start(handler))
    await wait_until(lambda: adapter.connected or task.done())
    yield adapter, handler, mock
    await adapter.stop()
    await asyncio.wait_for(task, 5)
    await mock.close()


def slash(mock: MockSlackApi, command: str, text: str = "", user: str = "U2", **kw: str) -> str:
    return _slash(command, text, user=user, response_url=f"{mock.base}/response/1", **kw)


def message(text: str, ts: str = "1700000000.000100", **extra: object) -> dict:
    return {
        "type": "message",
        "channel": "C1",
        "channel_type": "channel",
        "user": "U2",
        "text": text,
        "ts": ts,
        **extra,
    }


async def test_slash_command_over_http_is_signed_acked_and_answered(slack) -> None:
    adapter, handler, mock = slack
    body = slash(mock, "/sentiment", "what a great day :+1:")
    url = f"http://127.0.0.1:{adapter.config.port}/slack/events"
    async with aiohttp.ClientSession() as session:
        async with session.post(url, data=body, headers=signed_headers(body)) as response:
            assert response.status == 200
        bad = signed_headers(body, secret="wrong")
        async with session.post(url, data=body, headers=bad) as response:
            assert response.status == 401
    await wait_until(lambda: mock.named("chat.postMessage"))
    [command] = handler.commands
    assert (command.platform, command.workspace, command.channel) == ("slack", "T1", "C1")
    assert (command.name, command.text) == ("sentiment", "what a great day 👍")
    assert command.author.id == "U2" and not command.author.is_admin
    [posted] = mock.named("chat.postMessage")
    assert posted["channel"] == "C1" and posted["text"] == "sentiment: what a great day 👍"


@pytest.mark.parametrize("name", [n for n in COMMANDS if n != "sentiment-retrain"])
async def test_every_slash_command_reaches_the_core_by_name(slack, name) -> None:
    adapter, handler, mock = slack
    await adapter.app.async_dispatch(request(slash(mock, f"/{name}", "  some words ")))
    await wait_until(lambda: mock.named("chat.postMessage"))
    assert [(c.name, c.text) for c in handler.commands] == [(name, "some words")]


async def test_command_is_acked_before_the_work_finishes(slack) -> None:
    adapter, handler, mock = slack
    gate = asyncio.Event()
    original = handler.on_command

    async def slow(command):
        await gate.wait()
        return await original(command)

    handler.on_command = slow
    started = time.monotonic()
    response = await adapter.app.async_dispatch(request(slash(mock, "/sentiment-report", "7d")))
    assert response.status == 200 and time.monotonic() - started < 2.0
    assert not mock.named("chat.postMessage")  # the work is still waiting
    gate.set()
    await wait_until(lambda: mock.named("chat.postMessage"))
    assert handler.commands[0].name == "sentiment-report"


async def test_channel_reference_in_report_text_becomes_the_id(slack) -> None:
    adapter, handler, mock = slack
    await adapter.app.async_dispatch(request(slash(mock, "/sentiment-report", "<#C9|general> 7d")))
    await wait_until(lambda: handler.commands)
    assert handler.commands[0].text == "C9 7d"


async def test_message_event_is_streamed_once_despite_retries(slack) -> None:
    adapter, handler, mock = slack
    body = event_body(message("ship it :tada: &amp; relax"), "Ev1")
    first = await adapter.app.async_dispatch(request(body))
    retry = await adapter.app.async_dispatch(request(body, retry=1))
    assert first.status == 200 and retry.status == 200
    await wait_until(lambda: handler.messages)
    await settle()
    [msg] = handler.messages
    assert (msg.platform, msg.workspace, msg.channel, msg.message_id) == (
        "slack",
        "T1",
        "C1",
        "1700000000.000100",
    )
    assert msg.text == "ship it 🎉 & relax" and msg.author.id == "U2"
    assert msg.created_at.timestamp() == pytest.approx(1700000000.0001)
    assert msg.link == "https://test.slack.com/archives/C1/p1700000000000100"


@pytest.mark.parametrize(
    "event",
    [
        message("from a bot", bot_id="B9"),
        message("integration", subtype="bot_message", bot_id="B9"),
        message("my own reply", user=BOT_USER),
        message("joined", subtype="channel_join"),
        message("a private word", channel_type="im"),
    ],
    ids=["bot_id", "bot_message", "own", "channel_join", "dm"],
)
async def test_bot_system_and_direct_messages_are_ignored(slack, event) -> None:
    adapter, handler, _ = slack
    response = await adapter.app.async_dispatch(request(event_body(event, "Ev-ignored")))
    assert response.status == 200
    await settle()
    assert handler.messages == []


async def test_edits_and_deletes_are_followed(slack) -> None:
    adapter, handler, _ = slack
    old = {"user": "U2", "text": "bad", "ts": "1700000000.000100"}
    edited = {
        "type": "message",
        "subtype": "message_changed",
        "channel": "C1",
        "channel_type": "channel",
        "message": {**old, "text": "good :smile:"},
        "previous_message": old,
        "ts": "1700000050.000001",
    }
    unfurl = {**edited, "message": old}
    deleted = {
        "type": "message",
        "subtype": "message_deleted",
        "channel": "C1",
        "deleted_ts": "1700000000.000100",
        "previous_message": old,
    }
    for n, event in enumerate((edited, unfurl, deleted)):
        await adapter.app.async_dispatch(request(event_body(event, f"Ev-e{n}")))
    await wait_until(lambda: handler.deletes)
    await settle()
    [edit] = handler.edits
    assert (edit.message_id, edit.text, edit.channel) == ("1700000000.000100", "good 😄", "C1")
    assert handler.deletes == [("slack", "C1", "1700000000.000100")]


async def test_non_admin_retrain_is_refused_and_nothing_starts(slack) -> None:
    adapter, handler, mock = slack
    await adapter.app.async_dispatch(request(slash(mock, "/sentiment-retrain", user="U2")))
    await wait_until(lambda: mock.responses)
    await settle()
    assert handler.commands == []
    [answer] = mock.responses
    assert answer["response_type"] == "ephemeral" and "workspace's admins" in answer["text"]


@pytest.mark.parametrize("user,asks_slack", [("UADMIN", True), ("UCONF", False)])
async def test_workspace_and_configured_admins_may_retrain(slack, user, asks_slack) -> None:
    adapter, handler, mock = slack
    await adapter.app.async_dispatch(request(slash(mock, "/sentiment-retrain", user=user)))
    await wait_until(lambda: handler.commands)
    assert handler.commands[0].author.is_admin
    assert bool(mock.named("users.info")) is asks_slack


async def test_ephemeral_reply_goes_through_respond(slack) -> None:
    adapter, handler, mock = slack
    handler.replies["sentiment-optout"] = Reply("Your data was removed.", ephemeral=True)
    await adapter.app.async_dispatch(request(slash(mock, "/sentiment-optout")))
    await wait_until(lambda: mock.responses)
    assert mock.responses == [{"text": "Your data was removed.", "response_type": "ephemeral"}]
    assert not mock.named("chat.postMessage")


async def test_reply_where_the_bot_is_not_a_member_falls_back_to_respond(slack) -> None:
    adapter, _, mock = slack
    await adapter.app.async_dispatch(request(slash(mock, "/sentiment", "hi", channel="CNOTIN")))
    await wait_until(lambda: mock.responses)
    assert "not_in_channel" in mock.responses[0]["text"]


async def test_handler_failure_is_answered_privately(slack) -> None:
    adapter, handler, mock = slack
    handler.fail_on.add("sentiment")
    await adapter.app.async_dispatch(request(slash(mock, "/sentiment", "x")))
    await wait_until(lambda: mock.responses)
    assert "failed" in mock.responses[0]["text"]


async def test_post_uploads_files_after_the_text(slack, tmp_path) -> None:
    adapter, _, mock = slack
    chart = tmp_path / "chart.png"
    chart.write_bytes(b"\x89PNG\r\n\x1a\n fake")
    await adapter.post("C1", Reply("Daily report", files=[chart, tmp_path / "missing.png"]))
    methods = [call.method for call in mock.calls if call.method != "auth.test"]
    assert methods == [
        "chat.postMessage",
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]
    assert list(mock.uploads.values()) == [chart.read_bytes()]
    assert mock.named("files.completeUploadExternal")[0]["channel_id"] == "C1"


async def test_thumbs_reaction_on_a_score_reply_is_feedback(slack) -> None:
    adapter, handler, mock = slack
    await adapter.app.async_dispatch(request(slash(mock, "/sentiment", "great day")))
    reply_ts = "1700000100.000001"  # the mock's first chat.postMessage ts
    await wait_until(lambda: adapter.replies.get("C1", reply_ts) is not None)
    assert adapter.replies.get("C1", reply_ts) == "great day"

    def reaction(name: str, ts: str, event_id: str) -> str:
        item = {"type": "message", "channel": "C1", "ts": ts}
        event = {
            "type": "reaction_added",
            "user": "U3",
            "reaction": name,
            "item": item,
            "item_user": BOT_USER,
            "event_ts": "1700000300.000001",
        }
        return event_body(event, event_id)

    await adapter.app.async_dispatch(request(reaction("-1::skin-tone-3", reply_ts, "Ev-r1")))
    await adapter.app.async_dispatch(request(reaction("tada", reply_ts, "Ev-r2")))
    await adapter.app.async_dispatch(request(reaction("+1", "1.000001", "Ev-r3")))
    await wait_until(lambda: mock.named("chat.postEphemeral"))
    await settle()
    feedback = [c for c in handler.commands if c.name == "sentiment-feedback"]
    assert [(c.text, c.author.id) for c in feedback] == [("negative great day", "U3")]
    assert mock.named("chat.postEphemeral")[0]["user"] == "U3"


async def test_a_rejected_token_stops_start_with_one_clear_line() -> None:
    mock = MockSlackApi()
    await mock.start()
    try:
        config = SlackConfig(mode="http", port=free_port(), api_base_url=mock.base + "/api/")
        env = {**ENV, "SLACK_BOT_TOKEN": "xoxb-revoked"}
        adapter = SlackAdapter(config, AdminsConfig(), Secrets(env), host="127.0.0.1")
        with pytest.raises(ConfigError, match="invalid_auth"):
            await adapter.start(RecordingHandler())
        assert not adapter.connected
    finally:
        await mock.close()


def test_missing_tokens_are_one_clear_line() -> None:
    with pytest.raises(ConfigError, match="SLACK_APP_TOKEN"):
        SlackAdapter(SlackConfig(mode="socket"), AdminsConfig(), Secrets(ENV))
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN"):
        SlackAdapter(SlackConfig(mode="http"), AdminsConfig(), Secrets({}))


async def test_socket_mode_receives_events_and_acknowledges_them() -> None:
    mock = MockSlackApi()
    await mock.start()
    config = SlackConfig(mode="socket", api_base_url=mock.base + "/api/")
    env = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_APP_TOKEN": "xapp-test"}
    adapter = SlackAdapter(config, AdminsConfig(), Secrets(env))
    handler = RecordingHandler()
    task = asyncio.create_task(adapter.start(handler))
    try:
        await wait_until(lambda: adapter.connected and mock.sockets)
        event = json.loads(event_body(message("hello from a socket"), "Ev-s1"))
        envelope = {
            "envelope_id": "env-1",
            "type": "events_api",
            "payload": event,
            "accepts_response_payload": False,
            "retry_attempt": 0,
        }
        await mock.send_envelope(envelope)
        await wait_until(lambda: handler.messages and mock.acks)
        assert handler.messages[0].text == "hello from a socket"
        assert mock.acks[0]["envelope_id"] == "env-1"
    finally:
        await adapter.stop()
        await asyncio.wait_for(task, 5)
        await mock.close()
    assert not adapter.connected
