"""``/gap car_a car_b [event]``: the gap between two cars."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GridBot
from bot.choices import EVENT_HELP, car_choices, event_choices
from bot.core import queries
from bot.tenancy import library_of
from bot.tree import answer_for


class GapCog(commands.Cog):
    def __init__(self, bot: GridBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="gap",
        description="The gap between two cars, by car number",
        extras={"example": "/gap 8 14"},
    )
    @app_commands.describe(
        car_a="A car number, e.g. 8, or a driver's name",
        car_b="Another car number, e.g. 14, or a driver's name",
        event=EVENT_HELP,
    )
    @app_commands.autocomplete(car_a=car_choices, car_b=car_choices, event=event_choices)
    async def gap(
        self,
        interaction: discord.Interaction,
        car_a: app_commands.Range[str, 1, 100],
        car_b: app_commands.Range[str, 1, 100],
        event: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        view = await library_of(interaction)
        grid = view.catalog.find(event)
        await answer_for(
            interaction,
            grid,
            ("gap", car_a, car_b),
            lambda: queries.car_gap(grid, car_a, car_b),
            private=view.private,
        )


async def setup(bot: GridBot) -> None:
    await bot.add_cog(GapCog(bot))
