"""``/car number [event]``: the entry for a car number."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GridBot
from bot.choices import EVENT_HELP, car_choices, event_choices
from bot.core import queries
from bot.tenancy import library_of
from bot.tree import answer_for


class CarCog(commands.Cog):
    def __init__(self, bot: GridBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="car", description="The entry for a car number", extras={"example": "/car 14"}
    )
    @app_commands.describe(
        number="Car number, e.g. 14, or a driver's name (type a car, team or driver to search)",
        event=EVENT_HELP,
    )
    @app_commands.autocomplete(number=car_choices, event=event_choices)
    async def car(
        self,
        interaction: discord.Interaction,
        number: app_commands.Range[str, 1, 100],
        event: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        view = await library_of(interaction)
        grid = view.catalog.find(event)
        await answer_for(
            interaction,
            grid,
            ("car", number),
            lambda: queries.car_entry(grid, number),
            private=view.private,
        )


async def setup(bot: GridBot) -> None:
    await bot.add_cog(CarCog(bot))
