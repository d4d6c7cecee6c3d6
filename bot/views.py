"""Previous/Next pages that only the person who asked can turn, for a few minutes."""

from __future__ import annotations

import contextlib

import discord

from bot.render.cards import Card
from bot.render.embed import to_embed

PAGE_TIMEOUT = 180.0
"""Seconds after the last use before the buttons stop working."""


class Pager(discord.ui.View):
    """Buttons that flip through a list of cards."""

    def __init__(
        self, cards: list[Card], origin: discord.Interaction, *, timeout: float = PAGE_TIMEOUT
    ) -> None:
        super().__init__(timeout=timeout)
        self.cards = cards
        self.origin = origin
        self.owner_id = origin.user.id
        self.page = 0
        self._sync_buttons()

    def _sync_buttons(self) -> None:
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page >= len(self.cards) - 1

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(
            "Only the person who asked can turn these pages; use `/grid` for your own copy.",
            ephemeral=True,
        )
        return False

    async def _show(self, interaction: discord.Interaction, page: int) -> None:
        self.page = max(0, min(page, len(self.cards) - 1))
        self._sync_buttons()
        await interaction.response.edit_message(embed=to_embed(self.cards[self.page]), view=self)

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, _: discord.ui.Button[Pager]) -> None:
        await self._show(interaction, self.page - 1)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, _: discord.ui.Button[Pager]) -> None:
        await self._show(interaction, self.page + 1)

    async def on_timeout(self) -> None:
        self.previous.disabled = self.next.disabled = True
        # If the message was deleted or the token expired, there is nothing left to disable.
        with contextlib.suppress(discord.HTTPException):
            await self.origin.edit_original_response(view=self)


async def send_pages(
    interaction: discord.Interaction,
    cards: list[Card],
    first: discord.Embed | None = None,
    *,
    ephemeral: bool = False,
) -> None:
    """Send the first card (``first``, if already made an embed), with a pager for the rest."""
    embed = first if first is not None else to_embed(cards[0])
    if len(cards) == 1:
        await interaction.response.send_message(embed=embed, ephemeral=ephemeral)
        return
    view = Pager(cards, interaction)
    await interaction.response.send_message(embed=embed, view=view, ephemeral=ephemeral)
