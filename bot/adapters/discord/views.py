"""The bot's buttons on Discord: ``discord.ui`` views whose custom ids carry everything a press
needs, so a press works after a restart.

Every button is a ``CorrectionButton``, a ``discord.ui.DynamicItem`` matched by its custom id
(``sb:...``, the core's ``Button.action``); the adapter registers the class once
(``bot.add_dynamic_items``), so Discord's press of any such button, on a message sent before
the restart too, reaches the ``Presser`` cog. A view made only of dynamic items is not kept in
discord.py's view store, so replies with buttons cost no memory.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Protocol, runtime_checkable

import discord

from bot.core.messages import Reply

logger = logging.getLogger(__name__)

PRESS_COG = "Buttons"
STYLES = {"primary": discord.ButtonStyle.primary, "danger": discord.ButtonStyle.danger}
MAX_BUTTONS = 25  # five rows of five


@runtime_checkable
class Presser(Protocol):
    """The cog that hands presses to the core (``bot.adapters.discord.cogs.buttons``)."""

    async def press(self, interaction: discord.Interaction, action: str) -> None: ...


class CorrectionButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=re.compile(r"sb:\S{1,97}")
):
    """One of the bot's buttons; ``action`` is its custom id."""

    def __init__(self, action: str, label: str = "", style: str = "") -> None:
        button: discord.ui.Button[Any] = discord.ui.Button(
            label=label or "…",
            custom_id=action,
            style=STYLES.get(style, discord.ButtonStyle.secondary),
        )
        super().__init__(button)
        self.action = action

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> CorrectionButton:
        return cls(match.group(0))

    async def callback(self, interaction: discord.Interaction) -> None:
        get_cog = getattr(interaction.client, "get_cog", None)
        cog = get_cog(PRESS_COG) if get_cog is not None else None
        if not isinstance(cog, Presser):
            await interaction.response.send_message("I'm not ready yet; try again.", ephemeral=True)
            return
        await cog.press(interaction, self.action)


def button_view(reply: Reply) -> discord.ui.View | None:
    """A view of ``reply``'s buttons (``None`` without buttons)."""
    if not reply.buttons:
        return None
    view = discord.ui.View(timeout=None)
    for button in reply.buttons[:MAX_BUTTONS]:
        view.add_item(CorrectionButton(button.action, button.label, button.style))
    return view
