"""The Discord client: a ``commands.Bot`` that loads the cogs and serves the grid store."""

from __future__ import annotations

import asyncio
import gc
import logging
import pkgutil
import time

import discord
from discord.ext import commands

import bot.cogs
from bot.core.store import GridStore
from bot.settings import Settings
from bot.storage import Libraries
from bot.sync import sync_commands
from bot.tree import GridTree
from bot.views import PageButton

log = logging.getLogger("gridbot")

PURGE_EVERY = 24 * 3600.0
"""Seconds between purges of the servers the bot left longer ago than the retention."""


def extensions() -> list[str]:
    """Every module in ``bot.cogs`` not starting with ``_``."""
    return [
        f"{bot.cogs.__name__}.{info.name}"
        for info in pkgutil.iter_modules(bot.cogs.__path__)
        if not info.name.startswith("_")
    ]


class GridBot(commands.Bot):
    """Gridbot: no privileged intents, no mentions, slash commands only."""

    def __init__(self, settings: Settings, libraries: Libraries, *, sync: bool = True) -> None:
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False  # no voice here
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=discord.Intents(guilds=True),
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=GridTree,
        )
        self.settings = settings
        self.libraries = libraries
        self.store: GridStore = libraries.operator
        """The operator's library (the data folder), served in every server."""
        self.sync_on_start = sync
        self.started = time.monotonic()
        self.frozen = False
        """Whether start-up objects were moved out of the collector's sight (on_connect)."""
        self.data_lock = asyncio.Lock()
        """Held while /reload parses the data folder again."""
        self._purging: asyncio.Task[None] | None = None

    async def setup_hook(self) -> None:
        self.add_dynamic_items(PageButton)  # page buttons of any message, however old
        for name in extensions():
            await self.load_extension(name)
        if self.sync_on_start:
            try:
                log.info(await sync_commands(self))
            except discord.HTTPException as error:
                # Serving with the commands Discord already has beats not serving at all.
                log.error("command sync failed (%s %s); serving anyway", error.status, error.text)

    async def on_connect(self) -> None:
        # Start-up made a few hundred thousand long-lived objects (discord.py, the grids);
        # moving them out of the collector's sight spares every later full collection a walk
        # over them (a 20 ms pause on the first command, measured by bench/e2e_bench).
        # Once: a reconnect would only pay the collection again.
        if not self.frozen:
            gc.collect()
            gc.freeze()
            self.frozen = True

    async def on_ready(self) -> None:
        log.info("ready as %s; serving %s", self.user, self.store.catalog.default)
        await self.libraries.present([guild.id for guild in self.guilds])
        if self._purging is None:
            self._purging = asyncio.create_task(self._purge_daily())

    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self.libraries.present([guild.id])

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """Removed from a server: its library and settings are kept for the retention period
        (``GRIDBOT_RETENTION_DAYS``), then purged; added back in time, they are back."""
        log.info("removed from server %s; keeping its library for now", guild.id)
        await self.libraries.left(guild.id)

    async def _purge_daily(self) -> None:
        while True:
            try:
                await self.libraries.purge_departed()
            except Exception:
                log.exception("purging departed servers failed; trying again tomorrow")
            await asyncio.sleep(PURGE_EVERY)

    async def close(self) -> None:
        if self._purging is not None:
            self._purging.cancel()
        await super().close()
