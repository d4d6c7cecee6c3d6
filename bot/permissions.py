"""Who may change the data: members with Manage Server, and the bot's owner."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands


class NotAllowed(app_commands.CheckFailure):
    """A member without the permission a command needs."""


async def manager_or_owner(interaction: discord.Interaction) -> bool:
    """Checked in code as well as declared with ``default_member_permissions``, since server
    admins can change who sees a command."""
    if interaction.guild is not None and interaction.permissions.manage_guild:
        return True
    client = interaction.client
    if isinstance(client, commands.Bot) and await client.is_owner(interaction.user):
        return True
    raise NotAllowed(
        "Only members with the Manage Server permission, or the bot's owner, can do that."
    )


requires_manager = app_commands.check(manager_or_owner)
