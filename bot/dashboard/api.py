"""The JSON API under ``/api/`` (documented in docs/dashboard.md), and the loaders the HTML
pages share with it: the same figures, for the same viewer, checked the same way."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from bot.dashboard.context import deps, viewer
from bot.dashboard.present import channel_entry, detail_entry, model_entries, select_entries
from bot.dashboard.scope import PERIODS, may_see, visible

DEFAULT_PERIOD = "24h"


def period_of(request: web.Request) -> tuple[str, timedelta]:
    """``?since=24h|7d|30d`` (default 24h); anything else is a 400."""
    since = request.query.get("since", DEFAULT_PERIOD)
    if since not in PERIODS:
        raise web.HTTPBadRequest(text=f"since must be one of {', '.join(PERIODS)}")
    return since, PERIODS[since]


async def load_overview(request: web.Request) -> list[dict[str, Any]]:
    """The channels the viewer may see, in name order (``selected`` filters and sorts)."""
    d, who = deps(request), viewer(request)
    _, period = period_of(request)
    now = datetime.now(UTC)

    def work() -> list[dict[str, Any]]:
        summaries = d.reader.overview(period, now)
        return [channel_entry(item, now, d.options.alert_window)
                for item in visible(d.store, who, summaries)]  # fmt: skip

    return await asyncio.to_thread(work)


def selected(request: web.Request, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``entries`` filtered by ``?platform=&server=`` and sorted by ``?sort=&order=``."""
    q = request.query
    return select_entries(entries, q.get("platform", ""), q.get("server", ""),
                          q.get("sort", "name"), q.get("order", "asc") == "desc")  # fmt: skip


async def load_channel(request: web.Request) -> tuple[dict[str, Any], Any]:
    """One channel's figures and its ``ChannelDetail``; 404 when unknown or not the viewer's."""
    d, who = deps(request), viewer(request)
    _, period = period_of(request)
    platform, channel = request.match_info["platform"], request.match_info["channel"]
    examples = 5 if d.options.store_text else 0

    def work() -> tuple[dict[str, Any], Any] | None:
        detail = d.reader.channel(platform, channel, period, datetime.now(UTC), examples=examples)
        if detail is None:
            return None
        name = may_see(d.store, who, platform, detail.workspace, channel)
        if name is None:
            return None
        return detail_entry(detail, name, d.options.default_cron, d.options.timezone), detail

    found = await asyncio.to_thread(work)
    if found is None:  # the same answer for "no such channel" and "not yours"
        raise web.HTTPNotFound(text="No such channel on your dashboard.")
    return found


async def channels(request: web.Request) -> web.Response:
    """``GET /api/channels?since=24h&platform=&server=&sort=&order=``."""
    since, _ = period_of(request)
    entries = selected(request, await load_overview(request))
    return web.json_response({"since": since, "channels": entries})


async def channel(request: web.Request) -> web.Response:
    """``GET /api/channels/{platform}/{channel}?since=24h``."""
    entry, _ = await load_channel(request)
    return web.json_response(entry)


async def model(request: web.Request) -> web.Response:
    """``GET /api/model``: the active version and the history with corrections used."""
    models = await asyncio.to_thread(deps(request).reader.models)
    return web.json_response(model_entries(models))


async def me(request: web.Request) -> web.Response:
    """``GET /api/me``: who this session is (``operator`` true for the operator's link)."""
    who = viewer(request)
    return web.json_response({"platform": who.platform, "server_id": who.workspace,
                              "user_id": who.user_id, "operator": who.operator})  # fmt: skip


def add_routes(app: web.Application) -> None:
    """Register the API routes."""
    app.router.add_get("/api/channels", channels)
    app.router.add_get("/api/channels/{platform}/{channel}", channel)
    app.router.add_get("/api/model", model)
    app.router.add_get("/api/me", me)
