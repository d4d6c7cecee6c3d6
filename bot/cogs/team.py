"""``/team name``: every entry of a team."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GridBot
from bot.choices import choices
from bot.core import queries
from bot.core.complete import complete_team
from bot.core.lookup import MAX_NAME_LENGTH
from bot.tree import answer


class TeamCog(commands.Cog):
    def __init__(self, bot: GridBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="team", description="A team's entries on the grid", extras={"example": "/team Lister"}
    )
    @app_commands.describe(name="Team name or part of it, e.g. Lister (case and accents ignored)")
    async def team(
        self,
        interaction: discord.Interaction,
        name: app_commands.Range[str, 1, MAX_NAME_LENGTH],
    ) -> None:
        await answer(interaction, queries.team_entries(self.bot.grid, name))

    @team.autocomplete("name")
    async def _name(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return choices(complete_team, self.bot.grid, current)


async def setup(bot: GridBot) -> None:
    await bot.add_cog(TeamCog(bot))
