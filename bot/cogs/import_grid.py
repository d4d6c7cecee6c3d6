"""``/import file [replace]``: add an uploaded grid file to the data directory."""

from __future__ import annotations

import asyncio
from pathlib import Path

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GridBot
from bot.cogs.reload import failure
from bot.core.answers import ReloadAnswer
from bot.core.errors import GridFileError, QueryError
from bot.core.imports import check_size, import_file, safe_name
from bot.permissions import requires_manager
from bot.tree import answer


class ImportCog(commands.Cog):
    def __init__(self, bot: GridBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="import",
        description="Add a grid file (.md or .csv, UTF-8, at most 1 MiB)",
        extras={"example": "/import file:le-mans-2004.md"},
    )
    @app_commands.describe(
        file="The grid file: a Markdown table or a CSV with a header row",
        replace="Overwrite a grid that has the same file name (default: no)",
    )
    @app_commands.default_permissions(manage_guild=True)
    @requires_manager
    async def import_grid(
        self, interaction: discord.Interaction, file: discord.Attachment, replace: bool = False
    ) -> None:
        name = safe_name(file.filename)
        check_size(file.size)
        root = self.bot.store.root
        if not root.is_dir():
            raise QueryError("The data directory is a single file, so nothing can be added.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await file.read()
        check_size(len(data))
        async with self.bot.data_lock:
            result = await asyncio.to_thread(self._import, root, name, data, replace)
        await answer(interaction, result)

    def _import(self, root: Path, name: str, data: bytes, replace: bool) -> ReloadAnswer:
        try:
            key, replaced = import_file(self.bot.store, name, data, replace=replace)
        except GridFileError as error:
            return failure(self.bot, error, "Import")
        return ReloadAnswer(
            title="Imported",
            added=() if replaced else (key,),
            changed=(key,) if replaced else (),
            serving=len(self.bot.store.catalog.grids),
        )


async def setup(bot: GridBot) -> None:
    await bot.add_cog(ImportCog(bot))
