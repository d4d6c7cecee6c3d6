"""``/restore event [version]``: serve a stored version of this server's grid again."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GridBot
from bot.choices import own_file_choices
from bot.permissions import requires_manager
from bot.tenancy import server_of
from bot.tree import answer


class RestoreCog(commands.Cog):
    def __init__(self, bot: GridBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="restore",
        description="Serve an earlier version of this server's grid, or a removed one, again",
        extras={"example": "/restore event:le-mans-2004"},
    )
    @app_commands.describe(
        event="One of this server's grids (its file name or event)",
        version="The version number from /history (default: the one before)",
    )
    @app_commands.autocomplete(event=own_file_choices)
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    @requires_manager
    async def restore(
        self,
        interaction: discord.Interaction,
        event: app_commands.Range[str, 1, 100],
        version: app_commands.Range[int, 1, 1_000_000] | None = None,
    ) -> None:
        guild_id = server_of(interaction)
        assert guild_id is not None  # requires_manager
        result = await self.bot.libraries.restore(guild_id, interaction.user.id, event, version)
        await answer(interaction, result, private=True)


async def setup(bot: GridBot) -> None:
    await bot.add_cog(RestoreCog(bot))
