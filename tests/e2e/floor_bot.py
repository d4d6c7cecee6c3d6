"""The smallest slash-command bot: one command answering a constant.

It proves the stand-in against plain discord.py and is the benchmark's floor. It runs on
uvloop when uvloop can be imported, as a bot built on ``discord.py[speed]`` and uvloop would:
the benchmark's speed floor. Launched with ``GRIDBOT_E2E_PLAIN=1`` (``launch.py``) neither
uvloop nor the speed packages can be, and it is the plain floor: discord.py as
``pip install discord.py`` gives it, on asyncio's own loop.
"""

from __future__ import annotations

import asyncio
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


def uvloop_if_installed() -> None:
    """uvloop as the event loop, as a bot on the speed set-up runs, when it can be imported."""
    try:
        import uvloop
    except ModuleNotFoundError:
        pass
    else:
        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


def main() -> None:
    uvloop_if_installed()
    FloorBot().run(os.environ["DISCORD_TOKEN"])


if __name__ == "__main__":
    main()
