"""``/reload``: parse the operator's grid files again; all or nothing. The bot's owner only."""

from __future__ import annotations

import asyncio

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GridBot
from bot.core.answers import ReloadAnswer
from bot.core.errors import GridFileError
from bot.permissions import requires_owner
from bot.tree import answer


def failure(bot: GridBot, error: GridFileError) -> ReloadAnswer:
    """A failed reload: the file (relative to the data directory), line, problem."""
    where = bot.store.relative(error.path) + (f", line {error.line}" if error.line else "")
    return ReloadAnswer(
        error=f"{where}: {error.problem}", serving=len(bot.store.catalog.grids), title="Reload"
    )


class ReloadCog(commands.Cog):
    def __init__(self, bot: GridBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="reload",
        description="Bot owner: reload Gridbot's grid files; if any is broken, nothing changes",
        extras={"example": "/reload"},
    )
    @requires_owner
    async def reload(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        async with self.bot.data_lock:
            try:
                diff = await asyncio.to_thread(self.bot.store.reload)
            except GridFileError as error:
                result = failure(self.bot, error)
            else:
                result = ReloadAnswer(
                    added=diff.added,
                    removed=diff.removed,
                    changed=diff.changed,
                    serving=len(self.bot.store.catalog.grids),
                )
        await answer(interaction, result)


async def setup(bot: GridBot) -> None:
    await bot.add_cog(ReloadCog(bot))
