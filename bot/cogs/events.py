"""``/events``: the grids loaded."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GridBot
from bot.rendered import rendered_events
from bot.tenancy import library_of
from bot.tree import send


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
        await send(interaction, await rendered_events.of(view), private=view.private)


async def setup(bot: GridBot) -> None:
    await bot.add_cog(EventsCog(bot))
