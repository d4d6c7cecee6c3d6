"""``/grid position``: who qualified in a grid slot."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GridBot
from bot.core import queries
from bot.core.parser import MAX_CARS
from bot.tree import answer


class GridCog(commands.Cog):
    def __init__(self, bot: GridBot) -> None:
        self.bot = bot

    @app_commands.command(name="grid", description="Who qualified in a grid position")
    @app_commands.describe(position="Grid position: 1 is pole")
    async def grid(
        self, interaction: discord.Interaction, position: app_commands.Range[int, 1, MAX_CARS]
    ) -> None:
        await answer(interaction, queries.grid_slot(self.bot.grid, position))


async def setup(bot: GridBot) -> None:
    await bot.add_cog(GridCog(bot))
