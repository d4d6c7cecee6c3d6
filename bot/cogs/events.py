"""``/events``: the grids loaded."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GridBot
from bot.core.answers import EventsAnswer
from bot.tenancy import library_of
from bot.tree import answer


class EventsCog(commands.Cog):
    def __init__(self, bot: GridBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="events",
        description="The grids you can ask about: this server's and Gridbot's",
        extras={"example": "/events"},
    )
    async def events(self, interaction: discord.Interaction) -> None:
        view = await library_of(interaction)
        catalog = view.catalog
        await answer(
            interaction,
            EventsAnswer(tuple(catalog.ordered), catalog.default, view.unavailable),
            private=view.private,
        )


async def setup(bot: GridBot) -> None:
    await bot.add_cog(EventsCog(bot))
