"""``/team name [event]``: every entry of a team."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GridBot
from bot.choices import EVENT_HELP, event_choices, team_choices
from bot.core import queries
from bot.core.lookup import MAX_NAME_LENGTH
from bot.tenancy import library_of
from bot.tree import answer_for


class TeamCog(commands.Cog):
    def __init__(self, bot: GridBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="team", description="A team's entries on the grid", extras={"example": "/team Lister"}
    )
    @app_commands.describe(
        name="Team name or part of it, e.g. Lister (case and accents ignored)", event=EVENT_HELP
    )
    @app_commands.autocomplete(name=team_choices, event=event_choices)
    async def team(
        self,
        interaction: discord.Interaction,
        name: app_commands.Range[str, 1, MAX_NAME_LENGTH],
        event: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        view = await library_of(interaction)
        grid = view.catalog.find(event)
        await answer_for(
            interaction,
            grid,
            ("team", name),
            lambda: queries.team_entries(grid, name),
            private=view.private,
        )


async def setup(bot: GridBot) -> None:
    await bot.add_cog(TeamCog(bot))
