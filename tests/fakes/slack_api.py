"""A small local mock of the Slack Web API (and of response_url webhooks) that records calls.

Serves ``/api/<method>`` on 127.0.0.1 at a random port. Answers exactly the methods the Slack
adapter uses: auth.test, users.info, chat.postMessage, chat.postEphemeral,
files.getUploadURLExternal, the upload itself, files.completeUploadExternal; plus
``/response/<id>`` for Bolt's ``respond()`` and a Socket Mode WebSocket at ``/socket``
(opened through apps.connections.open). With ``dispatcher`` set, the WebSockets are served by a
``tests.fakes.slack_socket.SlackLikeSockets``, which delivers events like Slack does (one
connection each, redelivery of unacked envelopes to another) to several apps.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from urllib.parse import quote

from aiohttp import web

from tests.fakes.slack_socket import SlackLikeSockets

BOT_USER = "UBOT"
BOT_ID = "BBOT"
TEAM = "T1"


@dataclass
class Call:
    method: str
    params: dict


@dataclass
class MockSlackApi:
    """Records Web API calls; ``admins`` are reported as workspace admins by users.info."""

    admins: set[str] = field(default_factory=set)
    not_in: set[str] = field(default_factory=set)  # channels where chat.postMessage fails
    # conversations.info / .members: channel id -> {"team", "is_private", "members", "name"}
    channels: dict[str, dict] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    uploads: dict[str, bytes] = field(default_factory=dict)
    responses: list[dict] = field(default_factory=list)
    # conversations.history: (channel, ts) -> the message as Slack has it now
    history: dict[tuple[str, str], dict] = field(default_factory=dict)
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    acks: list[dict] = field(default_factory=list)  # Socket Mode envelope acknowledgements
    dispatcher: SlackLikeSockets | None = None  # Slack-like delivery to several apps
    base: str = ""
    _runner: web.AppRunner | None = None
    _ts: itertools.count = field(default_factory=lambda: itertools.count(1))

    def named(self, method: str) -> list[dict]:
        return [call.params for call in self.calls if call.method == method]

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_post("/response/{rid}", self._response)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base = f"http://127.0.0.1:{port}"

    async def close(self) -> None:
        for socket in self.sockets:
            await socket.close()
        for connection in self.dispatcher.connections if self.dispatcher else []:
            await connection.socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _params(self, request: web.Request) -> dict:
        params: dict = dict(request.query)
        if request.content_type == "application/json":
            params.update(await request.json())
        elif request.can_read_body:
            params.update(dict(await request.post()))
        return params

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        self.calls.append(Call(method, params))
        if request.headers.get("Authorization") == "Bearer xoxb-revoked":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        answer = self._answer(method, params)
        if method == "apps.connections.open" and self.dispatcher is not None:
            token = request.headers.get("Authorization", "").rsplit("-", 1)[-1]
            answer["url"] += f"?who={quote(token)}"  # the app token's last part names the app
        return web.json_response(answer)

    def _answer(self, method: str, params: dict) -> dict:
        if method == "auth.test":
            return {
                "ok": True,
                "user_id": BOT_USER,
                "bot_id": BOT_ID,
                "team_id": TEAM,
                "user": "sentibot",
                "team": "Test",
                "url": "https://test.slack.com/",
            }
        if method == "apps.connections.open":
            return {"ok": True, "url": self.base.replace("http", "ws") + "/socket"}
        if method == "users.info":
            user = params.get("user", "")
            return {"ok": True, "user": {"id": user, "is_admin": user in self.admins}}
        if method == "chat.postMessage":
            if params.get("channel") in self.not_in:
                return {"ok": False, "error": "not_in_channel"}
            return {
                "ok": True,
                "channel": params.get("channel"),
                "ts": f"1700000100.{next(self._ts):06d}",
            }
        if method in ("conversations.info", "conversations.members"):
            found = self.channels.get(params.get("channel", ""))
            if found is None:
                return {"ok": False, "error": "channel_not_found"}
            if method == "conversations.members":
                return {"ok": True, "members": found.get("members", [])}
            channel = {"id": params["channel"], "name": found.get("name", "")}
            channel["is_private"] = found.get("is_private", False)
            if found.get("team"):
                channel["context_team_id"] = found["team"]
            return {"ok": True, "channel": channel}
        if method == "conversations.history":
            if params.get("channel") in self.not_in:
                return {"ok": False, "error": "not_in_channel"}
            key = (params.get("channel", ""), params.get("latest", ""))
            found = self.history.get(key)
            return {"ok": True, "messages": [found] if found else [], "has_more": False}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"1700000200.{next(self._ts):06d}"}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts)}"
            return {"ok": True, "file_id": file_id, "upload_url": f"{self.base}/upload/{file_id}"}
        if method == "files.completeUploadExternal":
            files = json.loads(params.get("files", "[]"))
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}
        return {"ok": False, "error": "unknown_method"}

    async def _upload(self, request: web.Request) -> web.Response:
        self.uploads[request.match_info["file_id"]] = await request.read()
        return web.Response(text="OK")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        if self.dispatcher is not None:
            await self.dispatcher.serve(socket, request.query.get("who", ""))
            return socket
        await socket.send_json({"type": "hello", "num_connections": 1})
        self.sockets.append(socket)
        async for message in socket:
            self.acks.append(json.loads(message.data))
        return socket

    async def send_envelope(self, envelope: dict) -> None:
        """Push a Socket Mode envelope to the connected app."""
        await self.sockets[-1].send_json(envelope)

    async def _response(self, request: web.Request) -> web.Response:
        self.responses.append(await request.json())
        return web.Response(text="ok")
