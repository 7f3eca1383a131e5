"""Which channels a dashboard viewer sees, decided again on every request.

The grants come from ``bot.core.access`` (the one rule), applied by the bot with the platform's
own answers when the person ran ``/sentiment-dashboard``. Each request then reads them afresh
and keeps only channels that are still monitored (not opted out), of the viewer's platform and
still in the viewer's server or workspace: a dashboard session never crosses servers. The
operator sees every monitored channel.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from storage.dashboard_store import DashboardStore, Viewer
from storage.dashboard_types import ChannelSummary

PERIODS = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}


@dataclass(frozen=True, slots=True)
class Visible:
    """A channel the viewer may see, and the name to show for it."""

    summary: ChannelSummary
    name: str


def visible(
    store: DashboardStore, viewer: Viewer, summaries: Iterable[ChannelSummary]
) -> list[Visible]:
    """The summaries ``viewer`` may see (in the given order), with display names."""
    if viewer.operator:
        names = store.channel_names()
        return [Visible(s, names.get((s.platform, s.channel), s.channel)) for s in summaries]
    granted = {grant.channel: grant.name for grant in store.grants(viewer)}
    return [
        Visible(s, granted[s.channel] or s.channel)
        for s in summaries
        if s.platform == viewer.platform
        and s.workspace == viewer.workspace
        and s.channel in granted
    ]


def may_see(store: DashboardStore, viewer: Viewer, platform: str, workspace: str,
            channel: str) -> str | None:  # fmt: skip
    """The channel's display name when ``viewer`` may see it, else ``None``."""
    if viewer.operator:
        return store.channel_names().get((platform, channel), channel)
    if platform != viewer.platform or workspace != viewer.workspace:
        return None
    for grant in store.grants(viewer):
        if grant.channel == channel:
            return grant.name or channel
    return None
