"""``/grid [position] [event]``: who qualified in a grid slot, or the whole grid."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GridBot
from bot.choices import EVENT_HELP, event_choices, position_choices
from bot.core import queries
from bot.core.parser import MAX_CARS
from bot.tenancy import library_of
from bot.tree import answer_for


class GridCog(commands.Cog):
    def __init__(self, bot: GridBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="grid",
        description="Who qualified in a grid position, or the whole grid",
        extras={"example": "/grid 5"},
    )
    @app_commands.describe(
        position="Grid position: 1 is pole. Leave empty for the whole grid", event=EVENT_HELP
    )
    @app_commands.autocomplete(position=position_choices, event=event_choices)  # type: ignore[misc]  # discord.py cannot infer ChoiceT from two callbacks
    async def grid(
        self,
        interaction: discord.Interaction,
        position: app_commands.Range[int, 1, MAX_CARS] | None = None,
        event: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        view = await library_of(interaction)
        grid = view.catalog.find(event)
        await answer_for(
            interaction,
            grid,
            ("grid", position),
            lambda: queries.grid_or_slot(grid, position),
            private=view.private,
        )


async def setup(bot: GridBot) -> None:
    await bot.add_cog(GridCog(bot))
