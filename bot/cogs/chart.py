"""``/chart [top] [highlight]``: the grid's gaps to pole as a picture."""

from __future__ import annotations

import io
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GridBot
from bot.charts.cache import ChartCache
from bot.charts.data import MAX_BARS, chart_data
from bot.charts.summary import alt_text, chart_card
from bot.choices import EVENT_HELP, event_choices, highlight_choices
from bot.core.lookup import MAX_NAME_LENGTH
from bot.render.embed import to_embed
from bot.tenancy import library_of
from bot.tree import describe, elapsed_ms

log = logging.getLogger("gridbot.commands")

FILENAME = "chart.png"


class ChartCog(commands.Cog):
    def __init__(self, bot: GridBot) -> None:
        self.bot = bot
        self.cache = ChartCache()

    async def cog_unload(self) -> None:
        self.cache.close()

    @app_commands.command(
        name="chart",
        description="The gaps to pole as a bar chart",
        extras={"example": "/chart top:10 highlight:Lister"},
    )
    @app_commands.describe(
        top="Chart only the first cars, e.g. 10 (default: the whole grid)",
        highlight="A team name or car number to pick out, e.g. Lister or 14",
        event=EVENT_HELP,
    )
    @app_commands.autocomplete(highlight=highlight_choices, event=event_choices)
    async def chart(
        self,
        interaction: discord.Interaction,
        top: app_commands.Range[int, 2, MAX_BARS] | None = None,
        highlight: app_commands.Range[str, 1, MAX_NAME_LENGTH] | None = None,
        event: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        view = await library_of(interaction)
        grid = view.catalog.find(event)
        data = chart_data(grid, top=top, highlight=highlight)
        if not interaction.response.is_done():  # else deferred already (bot.tenancy)
            await interaction.response.defer(thinking=True, ephemeral=view.private)
        png = await self.cache.png(grid, data, interaction.guild_id)
        embed = to_embed(chart_card(data)).set_image(url=f"attachment://{FILENAME}")
        file = discord.File(io.BytesIO(png), filename=FILENAME, description=alt_text(data))
        await interaction.followup.send(embed=embed, file=file, ephemeral=view.private)
        log.info("%s (%.1f ms)", describe(interaction), elapsed_ms(interaction))


async def setup(bot: GridBot) -> None:
    await bot.add_cog(ChartCog(bot))
