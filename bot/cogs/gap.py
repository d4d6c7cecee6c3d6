"""``/gap car_a car_b``: the gap between two cars."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GridBot
from bot.choices import choices
from bot.core import queries
from bot.core.complete import complete_car
from bot.tree import answer


class GapCog(commands.Cog):
    def __init__(self, bot: GridBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="gap",
        description="The gap between two cars, by car number",
        extras={"example": "/gap 8 14"},
    )
    @app_commands.describe(car_a="A car number, e.g. 8", car_b="Another car number, e.g. 14")
    async def gap(
        self,
        interaction: discord.Interaction,
        car_a: app_commands.Range[str, 1, 20],
        car_b: app_commands.Range[str, 1, 20],
    ) -> None:
        await answer(interaction, queries.car_gap(self.bot.grid, car_a, car_b))

    @gap.autocomplete("car_a")
    @gap.autocomplete("car_b")
    async def _car(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return choices(complete_car, self.bot.grid, current)


async def setup(bot: GridBot) -> None:
    await bot.add_cog(GapCog(bot))
