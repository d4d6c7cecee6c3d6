"""Whose library an interaction asks about: its server's, when the bot is installed there;
else (a DM, a user-installed context) the operator's alone, where nothing can be changed."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import discord

from bot.core.library import LibraryView

if TYPE_CHECKING:
    from bot.app import GridBot


def server_of(interaction: discord.Interaction) -> int | None:
    """The server whose library answers: set only where the server installed the bot."""
    if interaction.guild_id is not None and interaction.is_guild_integration():
        return interaction.guild_id
    return None


async def library_of(interaction: discord.Interaction) -> LibraryView:
    """What this interaction's server sees; read once per interaction."""
    found = interaction.extras.get("library")
    if isinstance(found, LibraryView):
        return found
    libraries = cast("GridBot", interaction.client).libraries
    server = server_of(interaction)
    view = libraries.view_in_memory(server) or await libraries.view(server)
    interaction.extras["library"] = view
    return view
