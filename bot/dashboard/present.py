"""The dashboard's figures as plain dicts: what the JSON API answers and the pages show."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from bot.dashboard.scope import Visible
from bot.reports.format import message_link
from storage.dashboard_types import ChannelDetail, Claimed, ModelEntry, Totals
from storage.types import ExampleMessage

SORTABLE = (
    "name", "platform", "server_id", "messages", "mean", "change",
    "negative", "neutral", "positive", "alert", "last_report",
)  # fmt: skip
LABELS = ("negative", "neutral", "positive")


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def shares(totals: Totals) -> dict[str, float | None]:
    """Each label's share of the scored messages (``None`` when none was scored)."""
    return {k: _round(getattr(totals, k) / totals.scored) if totals.scored else None
            for k in LABELS}  # fmt: skip


def channel_url(platform: str, channel: str) -> str:
    """The channel page's path."""
    return f"/channel/{quote(platform, safe='')}/{quote(channel, safe='')}"


def channel_entry(item: Visible, now: datetime, alert_window: timedelta) -> dict[str, Any]:
    """One channel of ``GET /api/channels``."""
    s = item.summary
    mean, before = s.totals.mean, s.previous.mean
    alerting = s.last_alert is not None and s.last_alert >= now - alert_window
    return {
        "platform": s.platform,
        "server_id": s.workspace,
        "channel_id": s.channel,
        "name": item.name,
        "messages": s.totals.messages,
        "unscored": s.totals.messages - s.totals.scored,
        "mean": _round(mean),
        "previous_mean": _round(before),
        "change": _round(mean - before) if mean is not None and before is not None else None,
        **shares(s.totals),
        "spark": [_round(mean) for mean in s.spark],
        "alert": "alert" if alerting else "ok",
        "last_alert": _iso(s.last_alert),
        "last_report": _iso(s.last_report),
        "url": channel_url(s.platform, s.channel),
    }


def select_entries(entries: list[dict[str, Any]], platform: str, server: str, sort: str,
                   descending: bool) -> list[dict[str, Any]]:  # fmt: skip
    """Filter by platform and server (``""``: any) and sort by a column (missing values last)."""
    kept = [e for e in entries
            if (not platform or e["platform"] == platform)
            and (not server or e["server_id"] == server)]  # fmt: skip
    key = sort if sort in SORTABLE else "name"
    present = [e for e in kept if e[key] is not None]
    missing = [e for e in kept if e[key] is None]
    present.sort(key=lambda e: (e[key], e["name"]), reverse=descending)
    return present + missing


def _claim(claim: Claimed) -> dict[str, Any]:
    return {
        "period_start": claim.period_start.isoformat(),
        "period_end": claim.period_end.isoformat(),
        "outcome": claim.outcome or "claimed",
    }


def _example(detail: ChannelDetail, example: ExampleMessage) -> dict[str, Any]:
    link = message_link(detail.platform, example.workspace or detail.workspace, detail.channel,
                        example.message_id)  # fmt: skip
    return {"message_id": example.message_id, "score": _round(example.score),
            "text": example.text, "link": link}  # fmt: skip


def detail_entry(
    detail: ChannelDetail, name: str, default_cron: str, timezone: str = "UTC"
) -> dict[str, Any]:
    """``GET /api/channels/{platform}/{channel}``."""
    st = detail.stats
    scored = st.count - st.unscored
    totals = Totals(st.count, scored, (st.mean or 0.0) * scored, st.negative, st.neutral,
                    st.positive)  # fmt: skip
    labels = {start: (n, u, p) for start, n, u, p in st.hourly_labels}
    return {
        "platform": detail.platform,
        "server_id": detail.workspace,
        "channel_id": detail.channel,
        "name": name,
        "start": st.start.isoformat(),
        "end": st.end.isoformat(),
        "messages": st.count,
        "unscored": st.unscored,
        "mean": _round(st.mean),
        "previous_mean": _round(st.previous_mean),
        **shares(totals),
        "hourly": [
            {
                "hour": hour.isoformat(),
                "messages": n,
                "mean": _round(mean),
                **dict(zip(LABELS, labels.get(hour, (0, 0, 0)), strict=True)),
            }
            for hour, n, mean in st.hourly
        ],  # fmt: skip
        "heatmap": [
            [{"messages": t.messages, "mean": _round(t.mean)} for t in row]
            for row in detail.heatmap
        ],  # fmt: skip
        "heatmap_days": detail.heatmap_days,
        "unscored_by_reason": detail.unscored,
        "alerts": [_claim(c) for c in detail.alerts],
        "reports": [_claim(c) for c in detail.reports],
        "report_schedule": detail.report_cron or default_cron,
        "report_timezone": timezone,
        "most_negative": [_example(detail, e) for e in st.most_negative],
        "most_positive": [_example(detail, e) for e in st.most_positive],
    }


def model_entries(models: list[ModelEntry]) -> dict[str, Any]:
    """``GET /api/model``: the active version and the history, newest first."""
    history = [
        {
            "version": m.version,
            "active": m.active,
            "created_at": m.created_at.isoformat(),
            "created_by": m.created_by,
            "corrections": m.metrics.get("corrections"),
            "metrics": m.metrics,
        }
        for m in models
    ]
    active = next((h for h in history if h["active"]), None)
    return {"active": active, "versions": history}
