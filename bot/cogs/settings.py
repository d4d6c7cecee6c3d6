"""``/settings``: show or change this server's default event, answer visibility and
announcements channel."""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GridBot
from bot.choices import default_event_choices
from bot.permissions import requires_manager
from bot.tenancy import server_of
from bot.tree import answer


class SettingsCog(commands.Cog):
    def __init__(self, bot: GridBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="settings",
        description="Show or change this server's settings",
        extras={"example": "/settings default_event:le mans 2003 answers:public"},
    )
    @app_commands.describe(
        default_event="The event answered when a command names none (or: newest)",
        answers="Whether answers are public or seen only by whoever asked",
        announcements="A channel for new results as they arrive",
        announcements_off="Stop announcing new results",
    )
    @app_commands.autocomplete(default_event=default_event_choices)
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    @requires_manager
    async def settings(
        self,
        interaction: discord.Interaction,
        default_event: app_commands.Range[str, 1, 100] | None = None,
        answers: Literal["public", "private"] | None = None,
        announcements: discord.TextChannel | None = None,
        announcements_off: bool = False,
    ) -> None:
        guild_id = server_of(interaction)
        assert guild_id is not None  # requires_manager
        result = await self.bot.libraries.change_settings(
            guild_id,
            interaction.user.id,
            default_event=default_event,
            public_answers=None if answers is None else answers == "public",
            announce_channel_id=announcements.id if announcements else None,
            stop_announcing=announcements_off,
        )
        await answer(interaction, result, private=True)


async def setup(bot: GridBot) -> None:
    await bot.add_cog(SettingsCog(bot))
