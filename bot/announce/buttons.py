"""The buttons under an announcement: the whole grid, and the chart.

Their custom ids follow :mod:`bot.views`' scheme, ``gb:<kind><way>:<grid>``: ``go`` opens the
whole grid, ``co`` the chart, of the grid as served (a key token and the source's digest,
:meth:`Catalog.token_of`). Anyone may click; the answer is seen only by whoever clicked, so
that a channel is not filled with copies. A click rebuilds everything from the custom id, so
the buttons work for as long as the message exists, across restarts.
"""

from __future__ import annotations

import io
import re
from typing import Any

import discord

from bot.charts.cache import ChartCache
from bot.charts.data import chart_data
from bot.charts.summary import alt_text, chart_card
from bot.core.errors import QueryError
from bot.render.cards import card_for
from bot.render.embed import to_embed
from bot.tenancy import library_of
from bot.views import explain_stale, send_pages, whole_grid

GRID, CHART = "g", "c"
LABELS = {GRID: "Whole grid", CHART: "Chart"}
CUSTOM_ID = re.compile(r"gb:(?P<kind>[gc])o:(?P<grid>[0-9a-f]{20})")
CHART_FILE = "chart.png"
GONE = "That session is not served here any more; /events lists the grids you can ask about."

_fallback: ChartCache | None = None


def chart_cache(client: discord.Client) -> ChartCache:
    """The charts ``/chart`` draws and keeps (the chart cog's), shared with announcements."""
    global _fallback
    cache = getattr(getattr(client, "get_cog", lambda _: None)("ChartCog"), "cache", None)
    if isinstance(cache, ChartCache):
        return cache
    if _fallback is None:
        _fallback = ChartCache()
    return _fallback


class OpenButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=CUSTOM_ID):
    """The whole grid or the chart of an announced session, rebuilt from its custom id."""

    def __init__(self, kind: str, grid: str) -> None:
        self.kind, self.grid = kind, grid
        super().__init__(
            discord.ui.Button(
                label=LABELS[kind],
                style=discord.ButtonStyle.secondary,
                custom_id=f"gb:{kind}o:{grid}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> OpenButton:
        return cls(match["kind"], match["grid"])

    async def callback(self, interaction: discord.Interaction) -> None:
        library = await library_of(interaction)
        key, grid = library.catalog.by_token(self.grid)
        if grid is None:
            if key is None:
                await interaction.response.send_message(GONE, ephemeral=True)
            else:
                await explain_stale(interaction, library, key, interaction.user.id)
            return
        if self.kind == GRID:
            await send_pages(interaction, await whole_grid(grid), ephemeral=True, grid=self.grid)
            return
        data = chart_data(grid)
        await interaction.response.defer(thinking=True, ephemeral=True)
        try:
            png = await chart_cache(interaction.client).png(grid, data, interaction.guild_id)
        except QueryError as error:  # too many charts at once, or too slow: say so
            await interaction.followup.send(embed=to_embed(card_for(error)), ephemeral=True)
            return
        embed = to_embed(chart_card(data)).set_image(url=f"attachment://{CHART_FILE}")
        file = discord.File(io.BytesIO(png), filename=CHART_FILE, description=alt_text(data))
        await interaction.followup.send(embed=embed, file=file, ephemeral=True)


def open_buttons(token: str) -> discord.ui.View:
    """Whole grid and Chart for the grid ``token`` names."""
    view = discord.ui.View(timeout=None)
    view.add_item(OpenButton(GRID, token))
    view.add_item(OpenButton(CHART, token))
    view.stop()  # the bot listens through the dynamic item, not through this view
    return view
