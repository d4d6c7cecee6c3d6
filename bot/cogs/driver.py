"""``/driver name [event]``: every entry a driver appears in."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GridBot
from bot.choices import EVENT_HELP, driver_choices, event_choices
from bot.core import queries
from bot.core.lookup import MAX_NAME_LENGTH
from bot.tenancy import library_of
from bot.tree import answer_for


class DriverCog(commands.Cog):
    def __init__(self, bot: GridBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="driver",
        description="Every entry a driver appears in",
        extras={"example": "/driver Kristensen"},
    )
    @app_commands.describe(
        name="Driver name or part of it, e.g. Kristensen or noel", event=EVENT_HELP
    )
    @app_commands.autocomplete(name=driver_choices, event=event_choices)
    async def driver(
        self,
        interaction: discord.Interaction,
        name: app_commands.Range[str, 1, MAX_NAME_LENGTH],
        event: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        view = await library_of(interaction)
        grid = view.catalog.find(event)
        await answer_for(
            interaction,
            grid,
            ("driver", name),
            lambda: queries.driver_entries(grid, name),
            private=view.private,
        )


async def setup(bot: GridBot) -> None:
    await bot.add_cog(DriverCog(bot))
