"""The HTML pages: overview, channel, model. Server-rendered (Jinja2, autoescaped) with SVG
charts; the overview refreshes its rows from the JSON API (``static/overview.js``)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from aiohttp import web

from bot.dashboard import svg
from bot.dashboard.api import load_channel, load_overview, period_of, selected
from bot.dashboard.context import deps, render, viewer
from bot.dashboard.present import SORTABLE, model_entries
from bot.dashboard.scope import PERIODS
from bot.reports.charts import DAILY_AFTER, to_points

COLUMNS = (
    ("name", "Channel"), ("platform", "Platform"), ("server_id", "Server"),
    ("messages", "Messages"), ("mean", "Mean"), ("change", "Change"),
    ("negative", "Neg"), ("neutral", "Neu"), ("positive", "Pos"),
    ("spark", "Trend"), ("alert", "Alert"), ("last_report", "Last report"),
)  # fmt: skip


async def overview(request: web.Request) -> web.Response:
    """``GET /``: every channel the viewer may see."""
    since, _ = period_of(request)
    q = request.query
    unfiltered = await load_overview(request)
    entries = selected(request, unfiltered)
    for entry in entries:
        entry["spark_svg"] = svg.sparkline(entry["spark"])
    return render(
        request,
        "overview.html",
        who=viewer(request),
        entries=entries,
        since=since,
        periods=list(PERIODS),
        columns=COLUMNS,
        sortable=SORTABLE,
        sort=q.get("sort", "name"),
        order=q.get("order", "asc"),
        platform=q.get("platform", ""),
        server=q.get("server", ""),
        platforms=sorted({e["platform"] for e in unfiltered}),
        servers=sorted({e["server_id"] for e in unfiltered}),
        poll_seconds=deps(request).options.poll_seconds,
    )


async def channel(request: web.Request) -> web.Response:
    """``GET /channel/{platform}/{channel}``: one channel in depth."""
    since, period = period_of(request)
    entry, detail = await load_channel(request)
    options = deps(request).options
    stats = detail.stats
    daily = period > DAILY_AFTER
    points = to_points(stats.hourly, stats.hourly_labels, daily=daily)
    width = timedelta(days=1) if daily else timedelta(hours=1)
    span = (stats.start, stats.end)
    charts: dict[str, Any] = {
        "trend": svg.trend_chart(points, span, width, options.neutral, options.min_messages)
        if points
        else None,
        "shares": svg.shares_chart(points, span, width) if points else None,
        "heatmap": svg.heatmap(detail.heatmap),
    }
    return render(
        request,
        "channel.html",
        who=viewer(request),
        c=entry,
        since=since,
        periods=list(PERIODS),
        charts=charts,
        store_text=options.store_text,
        path=request.path,
    )


async def model(request: web.Request) -> web.Response:
    """``GET /model``: the active model version and its history (read-only)."""
    models = await asyncio.to_thread(deps(request).reader.models)
    return render(request, "model.html", who=viewer(request), m=model_entries(models))


def add_routes(app: web.Application) -> None:
    """Register the page routes."""
    app.router.add_get("/", overview)
    app.router.add_get("/channel/{platform}/{channel}", channel)
    app.router.add_get("/model", model)
