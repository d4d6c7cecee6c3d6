"""A bot exercising the response paths the stand-in must handle beyond a plain reply.

Deferral then followup, a file upload (multipart), and autocomplete: each is answered the way
discord.py sends it, so ``test_standin.py`` can check the stand-in parses and answers them.
"""

from __future__ import annotations

import asyncio
import io
import os

import discord
from discord import app_commands

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
TRACKS = ["Le Mans", "Sebring", "Spa", "Silverstone"]


class ProbeBot(discord.Client):
    def __init__(self) -> None:
        super().__init__(intents=discord.Intents.none())
        self.tree = app_commands.CommandTree(self)

    async def setup_hook(self) -> None:
        self.tree.add_command(slow)
        self.tree.add_command(upload)
        self.tree.add_command(track)
        guild = discord.Object(int(os.environ["GRIDBOT_DEV_GUILD_ID"]))
        self.tree.copy_global_to(guild=guild)
        await self.tree.sync(guild=guild)


@app_commands.command(description="Defer, then answer in a followup.")
async def slow(interaction: discord.Interaction) -> None:
    await interaction.response.defer(thinking=True, ephemeral=True)
    await asyncio.sleep(0.2)
    await interaction.followup.send("done slowly", ephemeral=True)


@app_commands.command(description="Answer with an image file.")
async def upload(interaction: discord.Interaction) -> None:
    embed = discord.Embed(title="chart").set_image(url="attachment://chart.png")
    await interaction.response.send_message(
        embed=embed, file=discord.File(io.BytesIO(PNG), filename="chart.png")
    )


@app_commands.command(description="Pick a track.")
@app_commands.describe(name="Track name")
async def track(interaction: discord.Interaction, name: str) -> None:
    await interaction.response.send_message(f"track {name}")


@track.autocomplete("name")
async def track_names(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=t, value=t) for t in TRACKS if current.lower() in t.lower()]


def main() -> None:
    ProbeBot().run(os.environ["DISCORD_TOKEN"])


if __name__ == "__main__":
    main()
