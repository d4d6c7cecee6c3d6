"""Whose library an interaction asks about: its server's, when the bot is installed there;
else (a DM, a user-installed context) the operator's alone, where nothing can be changed."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable
from typing import TYPE_CHECKING, cast

import discord

from bot.core.library import LibraryView

if TYPE_CHECKING:
    from bot.app import GridBot

log = logging.getLogger("gridbot.commands")

DISCORD_DEADLINE = 3.0
"""Seconds Discord waits for an answer to begin; an id older than that by this clock says
more about the clocks than about the command, and is not believed."""
DEFER_AFTER = 1.5
"""Seconds since the command was made (its id's time, or its arrival here if that is later).
Discord drops an answer not begun within 3 s; a server's library still being read from the
database by then (a server nobody asked since the start, in a burst of such servers, on a busy
database) means the answer is deferred ("Gridbot is thinking…") and sent when it is ready, up
to 15 minutes later; the deferral itself has the other 1.5 s to reach Discord. A deferred
answer is shown to everyone, as answers are unless a server sets them private: that setting is
in the library being read."""


def server_of(interaction: discord.Interaction) -> int | None:
    """The server whose library answers: set only where the server installed the bot."""
    if interaction.guild_id is not None and interaction.is_guild_integration():
        return interaction.guild_id
    return None


async def library_of(interaction: discord.Interaction) -> LibraryView:
    """What this interaction's server sees; read once per interaction."""
    found = interaction.extras.get("library")
    if isinstance(found, LibraryView):
        return found
    libraries = cast("GridBot", interaction.client).libraries
    server = server_of(interaction)
    view = libraries.view_in_memory(server) or await in_time(interaction, libraries.view(server))
    interaction.extras["library"] = view
    return view


async def in_time(interaction: discord.Interaction, reading: Awaitable[LibraryView]) -> LibraryView:
    """``reading``'s view; if it is not there :data:`DEFER_AFTER` seconds after the command
    was made, the command's answer is deferred first (autocompletes cannot be: they answer
    late or not at all, as Discord allows)."""
    task = asyncio.ensure_future(reading)
    if interaction.type is not discord.InteractionType.application_command:
        return await task
    started: float = interaction.extras.get("started", time.perf_counter())
    waited = time.perf_counter() - started
    age = (discord.utils.utcnow() - interaction.created_at).total_seconds()
    if waited < age <= DISCORD_DEADLINE:  # older, by a clock that agrees with Discord's
        waited = age
    done, _ = await asyncio.wait((task,), timeout=max(DEFER_AFTER - waited, 0.0))
    if not done and not interaction.response.is_done():
        log.info(
            "server %s: its library is still being read; the answer is deferred",
            interaction.guild_id,
        )
        await interaction.response.defer(thinking=True)
    return await task
