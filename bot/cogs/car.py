"""``/car number``: the entry for a car number."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GridBot
from bot.choices import choices
from bot.core import queries
from bot.core.complete import complete_car
from bot.tree import answer


class CarCog(commands.Cog):
    def __init__(self, bot: GridBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="car", description="The entry for a car number", extras={"example": "/car 14"}
    )
    @app_commands.describe(number="Car number, e.g. 14 (type a car or team to search)")
    async def car(
        self, interaction: discord.Interaction, number: app_commands.Range[str, 1, 20]
    ) -> None:
        await answer(interaction, queries.car_entry(self.bot.grid, number))

    @car.autocomplete("number")
    async def _number(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return choices(complete_car, self.bot.grid, current)


async def setup(bot: GridBot) -> None:
    await bot.add_cog(CarCog(bot))
