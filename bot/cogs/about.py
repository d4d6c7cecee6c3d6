"""``/about``: version, the grids loaded, latency and uptime."""

from __future__ import annotations

import math
import time

import discord
from discord import app_commands
from discord.ext import commands

from bot import __version__
from bot.app import GridBot
from bot.core.answers import AboutAnswer
from bot.tree import answer


def about(bot: GridBot) -> AboutAnswer:
    """What is running, from the bot's own state."""
    catalog = bot.store.catalog
    default = catalog.default
    grids = sorted(catalog.grids.items(), key=lambda kv: kv[1] is not default)
    latency = bot.latency if bot.is_ready() and math.isfinite(bot.latency) else None
    return AboutAnswer(
        version=__version__,
        grids=tuple(grids),
        loaded_at=bot.store.loaded_at,
        uptime=time.monotonic() - bot.started,
        latency=latency,
    )


class AboutCog(commands.Cog):
    def __init__(self, bot: GridBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="about",
        description="Version, grids loaded, latency and uptime",
        extras={"example": "/about"},
    )
    async def about(self, interaction: discord.Interaction) -> None:
        await answer(interaction, about(self.bot))


async def setup(bot: GridBot) -> None:
    await bot.add_cog(AboutCog(bot))
