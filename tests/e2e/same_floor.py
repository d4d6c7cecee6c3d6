"""The bot's question answered with a constant: the floor that isolates our own code.

``floor_bot`` answers ``/floor``, no options, with the text ``floor``: what a user would build
first. Gridbot's ``/grid`` has two options that discord.py transforms and checks, is a command
of a cog on an ``AutoShardedBot`` (``discord.ext.commands``, which the brief asks for) and
answers an embed, which discord.py turns into a dictionary to send and reads back from the
callback's response. All of that is discord.py's work, done for any bot of that shape, and it
lands in the speed floor's comparison as if it were ours.

This floor has the bot's shape and none of its code: ``/grid position event`` with the same
ranges, in a cog, on an ``AutoShardedBot`` with the same intents and mentions, on uvloop,
answering a constant embed, the one given as JSON in ``GRIDBOT_E2E_SAME_EMBED`` (the benchmark
passes the bot's own answer to ``/grid 5`` on the seed grid). What the bot costs beyond it is
what Gridbot's code adds: finding the server's library, the grid and the kept answer, the
command tree's bookkeeping and the log line.
"""

from __future__ import annotations

import json
import os

import discord
from discord import app_commands
from discord.ext import commands

from tests.e2e.floor_bot import uvloop_if_installed

EMBED_ENV = "GRIDBOT_E2E_SAME_EMBED"
MAX_CARS = 1000
"""``bot.core.parser.MAX_CARS``, as a constant: this module imports nothing of the bot."""


class SameCog(commands.Cog):
    def __init__(self, embed: discord.Embed) -> None:
        self.embed = embed

    @app_commands.command(name="grid", description="Answer a constant embed.")
    async def grid(
        self,
        interaction: discord.Interaction,
        position: app_commands.Range[int, 1, MAX_CARS] | None = None,
        event: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        await interaction.response.send_message(embed=self.embed)


class SameBot(commands.AutoShardedBot):
    def __init__(self, embed: discord.Embed) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=discord.Intents(guilds=True),
            allowed_mentions=discord.AllowedMentions.none(),
        )
        self.embed = embed

    async def setup_hook(self) -> None:
        await self.add_cog(SameCog(self.embed))
        guild = discord.Object(int(os.environ["GRIDBOT_DEV_GUILD_ID"]))
        self.tree.copy_global_to(guild=guild)
        await self.tree.sync(guild=guild)


def main() -> None:
    uvloop_if_installed()
    embed = discord.Embed.from_dict(json.loads(os.environ[EMBED_ENV]))
    SameBot(embed).run(os.environ["DISCORD_TOKEN"])


if __name__ == "__main__":
    main()
