"""``DashboardLinks`` for the bot: records what ``/sentiment-dashboard`` decided and signs the
link (``bot.core.commands.dashboard`` decides; this only stores and signs)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from pydantic import SecretStr

from bot.dashboard.links import Signer, new_link, signer_for
from storage.dashboard_queries import DashboardReader
from storage.dashboard_store import OPERATOR, DashboardStore, Grant, Viewer


class LinkMaker:
    """Sign-in links on the bot's database.

    Parameters
    ----------
    store, reader
        The dashboard's state and read side (``storage.dashboard_*``).
    secret
        ``SENTIBOT_DASHBOARD_SECRET`` when set; else the database's generated key is used.
    base_url
        Where people open the dashboard (``bot.dashboard.server.base_url``).
    reachable
        Whether that address works for people elsewhere (``[dashboard] public_url`` set).
    """

    def __init__(self, store: DashboardStore, reader: DashboardReader, secret: SecretStr | None,
                 base_url: str, *, reachable: bool) -> None:  # fmt: skip
        self.store = store
        self.reader = reader
        self._secret = secret
        self.base_url = base_url
        self._reachable = reachable
        self._signer: Signer | None = None

    @property
    def reachable(self) -> bool:
        return self._reachable

    async def _sign(self) -> Signer:
        if self._signer is None:  # the first link reads (or makes) the shared key
            self._signer = await asyncio.to_thread(signer_for, self.store, self._secret)
        return self._signer

    async def channels_of(self, platform: str, workspace: str) -> list[str]:
        channels = await asyncio.to_thread(self.reader.channels)
        return sorted(c for (p, c), w in channels.items() if p == platform and w == workspace)

    async def link(self, platform: str, workspace: str, user_id: str,
                   grants: Sequence[tuple[str, str]]) -> str:  # fmt: skip
        viewer = Viewer(platform, workspace, user_id)
        recorded = [Grant(channel, name) for channel, name in grants]
        await asyncio.to_thread(self.store.replace_grants, viewer, recorded)
        return new_link(await self._sign(), viewer, self.base_url)[0]

    async def operator_link(self) -> str:
        return new_link(await self._sign(), OPERATOR, self.base_url)[0]
