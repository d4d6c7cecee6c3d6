"""``/reload``: parse the operator's grid files again; all or nothing. The bot's owner only.

Once it succeeds here, every other process on the same PostgreSQL database reloads too
(``bot.storage.notify``); where a file fails there, that process keeps serving what it had."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GridBot
from bot.core.answers import ReloadAnswer
from bot.core.errors import GridFileError
from bot.permissions import requires_owner
from bot.reloading import reload_operator
from bot.tree import answer

log = logging.getLogger("gridbot")


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
        try:
            diff = await reload_operator(self.bot.store, self.bot.data_lock)
        except GridFileError as error:
            result = failure(self.bot, error)
        else:
            result = ReloadAnswer(
                added=diff.added,
                removed=diff.removed,
                changed=diff.changed,
                serving=len(self.bot.store.catalog.grids),
            )
            try:
                await self.bot.libraries.operator_reloaded()
            except Exception as error:  # reloaded here all the same: say so in the log
                log.warning("/reload: could not tell the other processes to reload: %s", error)
        await answer(interaction, result)


async def setup(bot: GridBot) -> None:
    await bot.add_cog(ReloadCog(bot))
