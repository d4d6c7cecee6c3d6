"""``/driver name``: every entry a driver appears in."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GridBot
from bot.choices import choices
from bot.core import queries
from bot.core.complete import complete_driver
from bot.core.lookup import MAX_NAME_LENGTH
from bot.tree import answer


class DriverCog(commands.Cog):
    def __init__(self, bot: GridBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="driver",
        description="Every entry a driver appears in",
        extras={"example": "/driver Kristensen"},
    )
    @app_commands.describe(name="Driver name or part of it, e.g. Kristensen or noel")
    async def driver(
        self,
        interaction: discord.Interaction,
        name: app_commands.Range[str, 1, MAX_NAME_LENGTH],
    ) -> None:
        await answer(interaction, queries.driver_entries(self.bot.grid, name))

    @driver.autocomplete("name")
    async def _name(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return choices(complete_driver, self.bot.grid, current)


async def setup(bot: GridBot) -> None:
    await bot.add_cog(DriverCog(bot))
