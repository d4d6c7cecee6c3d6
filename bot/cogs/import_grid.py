"""``/import file [replace]``: add an uploaded grid file to this server's library."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GridBot
from bot.core.answers import ReloadAnswer
from bot.core.errors import GridFileError, QueryError
from bot.core.imports import safe_name
from bot.download import read_capped
from bot.permissions import requires_manager
from bot.tenancy import server_of
from bot.tree import answer


class ImportCog(commands.Cog):
    def __init__(self, bot: GridBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="import",
        description="Add a grid or results file (.md .csv .tsv .txt .json .xml) to this server",
        extras={"example": "/import file:le-mans-2004.md"},
    )
    @app_commands.describe(
        file="The grid file: a Markdown table or a CSV with a header row",
        replace="Make this the new version of this server's grid of the same name (default: no)",
    )
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    @requires_manager
    async def import_grid(
        self, interaction: discord.Interaction, file: discord.Attachment, replace: bool = False
    ) -> None:
        libraries = self.bot.libraries
        if not isinstance(file, discord.Attachment):  # an out-of-date command sent text
            raise QueryError(
                "Attach the grid file itself (.md, .csv, .tsv, .txt, .json or .xml) to /import."
            )
        safe_name(file.filename)
        libraries.check_size(file.size)
        await interaction.response.defer(ephemeral=True, thinking=True)
        # The declared size is the uploader's word: the body is capped as it arrives.
        data = await read_capped(interaction.client.http, file.url, libraries.limits.file_bytes)
        guild_id = server_of(interaction)
        assert guild_id is not None  # requires_manager
        try:
            result: object = await libraries.import_file(
                guild_id, interaction.user.id, file.filename, data, replace=replace
            )
        except GridFileError as error:
            where = error.path.name + (f", line {error.line}" if error.line else "")
            result = ReloadAnswer(
                error=f"{where}: {error.problem}",
                title="Import",
                kept="Nothing was stored; this server's grids are as they were.",
            )
        await answer(interaction, result)


async def setup(bot: GridBot) -> None:
    await bot.add_cog(ImportCog(bot))
