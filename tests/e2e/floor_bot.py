"""The smallest slash-command bot: one command answering a constant.

It proves the stand-in against plain discord.py and is the benchmark's floor.
"""

from __future__ import annotations

import os

import discord
from discord import app_commands

FLOOR_ANSWER = "floor"


class FloorBot(discord.Client):
    def __init__(self) -> None:
        super().__init__(intents=discord.Intents.none())
        self.tree = app_commands.CommandTree(self)

    async def setup_hook(self) -> None:
        self.tree.add_command(floor)
        guild = discord.Object(int(os.environ["GRIDBOT_DEV_GUILD_ID"]))
        self.tree.copy_global_to(guild=guild)
        await self.tree.sync(guild=guild)


@app_commands.command(description="Answer a constant.")
async def floor(interaction: discord.Interaction) -> None:
    await interaction.response.send_message(FLOOR_ANSWER)


def main() -> None:
    FloorBot().run(os.environ["DISCORD_TOKEN"])


if __name__ == "__main__":
    main()
