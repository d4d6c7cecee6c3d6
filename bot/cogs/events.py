"""``/events``: the grids loaded."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GridBot
from bot.core.answers import EventsAnswer
from bot.tree import answer


class EventsCog(commands.Cog):
    def __init__(self, bot: GridBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="events",
        description="The grids loaded: event, session, cars and pole time",
        extras={"example": "/events"},
    )
    async def events(self, interaction: discord.Interaction) -> None:
        catalog = self.bot.store.catalog
        await answer(interaction, EventsAnswer(tuple(catalog.ordered), catalog.default))


async def setup(bot: GridBot) -> None:
    await bot.add_cog(EventsCog(bot))
