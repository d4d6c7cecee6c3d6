"""``/remove event``: take one of this server's grids out of service (it stays restorable)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GridBot
from bot.choices import own_file_choices
from bot.permissions import requires_manager
from bot.tenancy import server_of
from bot.tree import answer


class RemoveCog(commands.Cog):
    def __init__(self, bot: GridBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="remove",
        description="Take one of this server's grids out of service; /restore brings it back",
        extras={"example": "/remove event:le-mans-2004"},
    )
    @app_commands.describe(event="One of this server's grids (its file name or event)")
    @app_commands.autocomplete(event=own_file_choices)
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    @requires_manager
    async def remove(
        self, interaction: discord.Interaction, event: app_commands.Range[str, 1, 100]
    ) -> None:
        guild_id = server_of(interaction)
        assert guild_id is not None  # requires_manager
        result = await self.bot.libraries.remove(guild_id, interaction.user.id, event)
        await answer(interaction, result, private=True)


async def setup(bot: GridBot) -> None:
    await bot.add_cog(RemoveCog(bot))
