"""``/help``: every command with an example, generated from the command tree."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GridBot
from bot.core.answers import CommandHelp, HelpAnswer
from bot.tree import answer


def help_from_tree(tree: app_commands.CommandTree[GridBot]) -> HelpAnswer:
    """One entry per slash command the tree holds, in name order, examples from ``extras``."""
    found = []
    for command in sorted(tree.get_commands(), key=lambda c: c.name):
        if not isinstance(command, app_commands.Command):
            continue
        options = tuple((p.name, p.description, p.required) for p in command.parameters)
        example = str(command.extras.get("example", f"/{command.name}"))
        found.append(CommandHelp(command.name, command.description, options, example))
    return HelpAnswer(tuple(found))


class HelpCog(commands.Cog):
    def __init__(self, bot: GridBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="help", description="Every command, with an example", extras={"example": "/help"}
    )
    async def help(self, interaction: discord.Interaction) -> None:
        await answer(interaction, help_from_tree(self.bot.tree))


async def setup(bot: GridBot) -> None:
    await bot.add_cog(HelpCog(bot))
