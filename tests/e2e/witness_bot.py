"""A bot that says what discord.py made of each interaction: where, who, and what was attached.

``/witness [file]`` answers (ephemerally) with a JSON object: the guild (``None`` in a DM), the
channel type, the context, the invoker and whether discord.py sees them as a member, with
Manage Server, or as the application's owner (``commands.Bot.is_owner``), the guilds the bot
is in and the guild join/remove events it saw, and for ``file`` the size and SHA-256 of the
bytes ``Attachment.read()`` downloaded. It proves the stand-in's second guild, invokers, DMs,
attachments and guild events against plain discord.py, as ``probe_bot.py`` does its responses.

Syncs to ``GRIDBOT_DEV_GUILD_ID`` when set, else globally.
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands


class WitnessBot(commands.Bot):
    def __init__(self) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=discord.Intents(guilds=True),
            guild_ready_timeout=0.1,  # ready (so later GUILD_CREATEs are joins) without a 2 s wait
        )
        self.events: list[str] = []

    async def setup_hook(self) -> None:
        self.tree.add_command(witness)
        dev_guild = os.environ.get("GRIDBOT_DEV_GUILD_ID")
        if dev_guild:
            guild = discord.Object(int(dev_guild))
            self.tree.copy_global_to(guild=guild)
            await self.tree.sync(guild=guild)
        else:
            await self.tree.sync()

    async def on_guild_join(self, guild: discord.Guild) -> None:
        self.events.append(f"join {guild.id}")

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        self.events.append(f"remove {guild.id}")


def context_name(context: app_commands.AppCommandContext) -> str:
    if context.guild:
        return "guild"
    return "bot_dm" if context.dm_channel else "private_channel"


@app_commands.command(description="Say what discord.py saw of this interaction.")
@app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
@app_commands.describe(file="Any file: its size and SHA-256 are reported once downloaded")
async def witness(interaction: discord.Interaction, file: discord.Attachment | None = None) -> None:
    client = interaction.client
    assert isinstance(client, WitnessBot)
    # Answer once discord.py is ready (at most guild_ready_timeout after the last GUILD_CREATE),
    # so a test can wait for readiness on this event instead of polling.
    await client.wait_until_ready()
    channel = interaction.channel
    facts: dict[str, Any] = {
        "guild": None if interaction.guild is None else str(interaction.guild.id),
        "guild_id": None if interaction.guild_id is None else str(interaction.guild_id),
        "channel": None if channel is None else str(channel.id),
        "channel_type": None if channel is None else channel.type.value,
        "dm": isinstance(channel, discord.DMChannel),
        "context": context_name(interaction.context),
        "user": str(interaction.user.id),
        "member": isinstance(interaction.user, discord.Member),
        "manage_guild": interaction.permissions.manage_guild,
        "owner": await client.is_owner(interaction.user),
        "ready": client.is_ready(),
        "guilds": sorted(str(g.id) for g in client.guilds),
        "events": client.events,
    }
    if file is not None:
        data = await file.read()
        facts["file"] = {
            "name": file.filename,
            "declared_size": file.size,
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "content_type": file.content_type,
        }
    await interaction.response.send_message(json.dumps(facts), ephemeral=True)


def main() -> None:
    WitnessBot().run(os.environ["DISCORD_TOKEN"])


if __name__ == "__main__":
    main()
