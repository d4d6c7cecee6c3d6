"""Who may change what: Manage Server in a server changes that server's library and settings;
the bot's owner alone reloads the operator's files. A DM changes nothing."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.tenancy import server_of


class NotAllowed(app_commands.CheckFailure):
    """A member without the permission a command needs."""


async def server_manager(interaction: discord.Interaction) -> bool:
    """Checked in code as well as declared with ``default_member_permissions``, since server
    admins can change who sees a command."""
    if server_of(interaction) is None:
        raise NotAllowed(
            "That changes a server's library, so it works only in a server that added "
            "Gridbot, not in DMs. Here you can ask about Gridbot's own grids."
        )
    if interaction.permissions.manage_guild:
        return True
    raise NotAllowed("Only members with the Manage Server permission can do that.")


async def bot_owner(interaction: discord.Interaction) -> bool:
    client = interaction.client
    if isinstance(client, commands.bot.BotBase) and await client.is_owner(interaction.user):
        return True
    raise NotAllowed(
        "Only the bot's owner can reload Gridbot's own grid files. To change this server's "
        "grids, use /import, /remove or /restore."
    )


requires_manager = app_commands.check(server_manager)
requires_owner = app_commands.check(bot_owner)
