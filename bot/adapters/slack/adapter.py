"""The Slack adapter (slack-bolt): Socket Mode or HTTP events in, Web API replies out.

Thin by design (errbot's ``Backend``): listeners in ``slack_listeners`` translate events into
``ChatMessage`` / ``Command`` and call the core's ``Handler``; this module owns the connection
and the delivery of ``Reply`` objects (text, files, ephemeral).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.recent_replies import RecentReplies
from bot.adapters.slack.admins import SlackAdmins
from bot.adapters.slack.blocks import reply_blocks
from bot.adapters.slack.convert import message_from_event
from bot.adapters.slack.listeners import register_listeners
from bot.adapters.slack.verify import signed_requests_only
from bot.config import AdminsConfig, ConfigError, Secrets, SlackConfig
from bot.core.messages import ChatMessage, Command, Reply
from bot.core.ports import Adapter, Handler
from bot.ops.guard import GuardedTCPSite, prepare_app

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
TEXT_LIMIT = 39_000  # chat.postMessage truncates text over 40,000 characters


def _clip(text: str) -> str:
    return text if len(text) <= TEXT_LIMIT else text[:TEXT_LIMIT] + "… (cut to fit Slack)"


class SlackAdapter(Adapter):
    """Slack workspace connection.

    Parameters
    ----------
    config
        ``[slack]``: ``mode`` (``socket`` or ``http``), ``port``, ``api_base_url``.
    admins
        ``[admins]``; ``admins.slack`` user ids are always admins.
    secrets
        ``SLACK_BOT_TOKEN``, plus ``SLACK_APP_TOKEN`` (socket) or ``SLACK_SIGNING_SECRET`` (http).
    host
        Interface the HTTP mode listens on.

    Raises
    ------
    ConfigError
        When a token the chosen mode needs is missing.
    """

    name = "slack"

    def __init__(
        self,
        config: SlackConfig,
        admins: AdminsConfig,
        secrets: Secrets,
        *,
        host: str | None = None,
    ) -> None:
        needed = {"socket": "slack_app_token", "http": "slack_signing_secret"}[config.mode]
        for attr in ("slack_bot_token", needed):
            if getattr(secrets, attr) is None:
                raise ConfigError(
                    f"Slack adapter ([slack] mode = {config.mode!r}) needs {attr.upper()} "
                    "in the environment"
                )
        self.config = config
        self.host = config.host if host is None else host  # tests pass 127.0.0.1
        self._secrets = secrets
        token = secrets.slack_bot_token
        assert token is not None  # checked above
        self.client = AsyncWebClient(token=token.get_secret_value(), base_url=config.api_base_url)
        self.admins = SlackAdmins(self.client, admins.slack)
        self.replies = RecentReplies()
        self.base_url: str | None = None  # the workspace URL, from auth.test
        self.team_id: str | None = None  # the bot's workspace, from auth.test
        self._handler: Handler | None = None
        self._stopped = asyncio.Event()
        self._socket: AsyncSocketModeHandler | None = None
        self._runner: web.AppRunner | None = None
        self.app = self._build_app()

    def _build_app(self) -> AsyncApp:
        signing = self._secrets.slack_signing_secret
        app = AsyncApp(
            client=self.client,
            signing_secret=signing.get_secret_value() if signing else None,
            request_verification_enabled=self.config.mode == "http",
            # Ack after commit: an event is acknowledged when its listener returns, i.e. once
            # its row or tombstone is in the database; commands ack first (bot.adapters.slack).
            process_before_response=True,
        )
        register_listeners(app, self)
        return app

    @property
    def handler(self) -> Handler:
        if self._handler is None:
            raise RuntimeError("SlackAdapter.start() has not been called")
        return self._handler

    @property
    def connected(self) -> bool:
        if self._stopped.is_set():
            return False
        if self._socket is not None:
            client = self._socket.client
            return not client.closed and not getattr(client, "stale", False)
        return self._runner is not None

    async def start(self, handler: Handler) -> None:
        """Check the token (``auth.test``), connect, and serve events until ``stop()``."""
        self._handler = handler
        self._stopped.clear()
        try:
            identity = await self.client.auth_test()
        except SlackApiError as exc:
            error = exc.response.get("error")
            raise ConfigError(f"Slack rejected SLACK_BOT_TOKEN (auth.test: {error})") from None
        self.base_url = identity.get("url")
        self.team_id = identity.get("team_id")
        logger.info("Slack: connected as %s in team %s", identity.get("user"), identity.get("team"))
        if self.config.mode == "socket":
            app_token = self._secrets.slack_app_token
            assert app_token is not None  # checked in __init__
            self._socket = AsyncSocketModeHandler(self.app, app_token.get_secret_value())
            await self._socket.connect_async()
        else:
            signing = self._secrets.slack_signing_secret
            assert signing is not None  # checked in __init__
            app = self.app.web_app(path=EVENTS_PATH, port=self.config.port)
            app.middlewares.append(signed_requests_only(signing.get_secret_value()))
            runner = web.AppRunner(prepare_app(app), access_log=None)
            await runner.setup()
            await GuardedTCPSite(runner, self.host, self.config.port).start()
            self._runner = runner
            logger.info("Slack: HTTP events on %s:%d%s", self.host, self.config.port, EVENTS_PATH)
        await self._stopped.wait()

    async def stop(self) -> None:
        """Stop taking events: close the socket or the HTTP server."""
        self._stopped.set()
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def post(self, channel: str, reply: Reply) -> None:
        """Post ``reply`` to ``channel`` (a channel id): the text, then any files."""
        await self.send(channel, reply)

    async def send(self, channel: str, reply: Reply) -> str | None:
        """Like ``post`` but returns the text message's ``ts`` (``None`` with no text)."""
        ts = None
        if reply.text:
            response = await self.client.chat_postMessage(
                channel=channel,
                text=_clip(reply.text),
                blocks=reply_blocks(reply),
                unfurl_links=False,
            )
            ts = response.get("ts")
        files = [path for path in reply.files if path.is_file()]
        for missing in set(reply.files) - set(files):
            logger.warning("Slack: not uploading %s: no such file", missing)
        if files:
            uploads = [{"file": str(path), "title": path.name} for path in files]
            await self.client.files_upload_v2(channel=channel, file_uploads=uploads)
        return ts

    async def fetch_message(self, channel: str, message_id: str) -> ChatMessage | None:
        """The channel message with ts ``message_id`` as Slack has it now
        (``conversations.history``); ``None`` when deleted, unknown, a bot's, or unreadable."""
        try:
            answer = await self.client.conversations_history(
                channel=channel, latest=message_id, inclusive=True, limit=1
            )
        except SlackApiError as exc:
            logger.info(
                "Slack: cannot read a message in %s (%s)", channel, exc.response.get("error")
            )
            return None
        found = [m for m in answer.get("messages") or [] if m.get("ts") == message_id]
        if not found:
            return None
        event = {**found[0], "channel": channel}
        return message_from_event(event, self.team_id or "", base_url=self.base_url)

    async def post_ephemeral(self, channel: str, user: str, reply: Reply) -> None:
        """Show ``reply``'s text to ``user`` only (files cannot be ephemeral; they are dropped)."""
        try:
            await self.client.chat_postEphemeral(channel=channel, user=user, text=_clip(reply.text))
        except SlackApiError as exc:
            logger.warning("Slack: ephemeral reply failed: %s", exc.response.get("error"))

    async def deliver_command_reply(
        self, command: Command, reply: Reply, respond: Any, *, scored_text: str | None = None
    ) -> None:
        """Deliver a command's reply: ephemeral through ``respond``, public through the Web API.

        A public reply goes through ``chat.postMessage`` so its ``ts`` is known (reactions on it
        become feedback on ``scored_text``). Where the bot cannot post (not in the channel, a
        DM), the reply falls back to ``respond`` and files are left out with a note.
        """
        if reply.ephemeral:
            note = "\n(Attachments can't be shown privately.)" if reply.files else ""
            await respond(text=_clip(reply.text) + note, response_type="ephemeral")
            return
        try:
            ts = await self.send(command.channel, reply)
        except SlackApiError as exc:
            error = exc.response.get("error")
            logger.info(
                "Slack: cannot post in %s (%s); answering privately", command.channel, error
            )
            note = f"\n(I can't post in this channel: {error}. Invite me to share results.)"
            await respond(text=_clip(reply.text) + note, response_type="ephemeral")
            return
        if ts and scored_text:
            self.replies.remember(command.channel, ts, scored_text, command.author.id)
