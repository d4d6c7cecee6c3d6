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
from bot.sync import sync_commands
from bot.tree import GridTree

log = logging.getLogger("gridbot")


def extensions() -> list[str]:
    """Every module in ``bot.cogs`` not starting with ``_``."""
    return [
        f"{bot.cogs.__name__}.{info.name}"
        for info in pkgutil.iter_modules(bot.cogs.__path__)
        if not info.name.startswith("_")
    ]


class GridBot(commands.Bot):
    """Gridbot: no privileged intents, no mentions, slash commands only."""

    def __init__(self, settings: Settings, store: GridStore, *, sync: bool = True) -> None:
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False  # no voice here
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=discord.Intents(guilds=True),
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=GridTree,
        )
        self.settings = settings
        self.store = store
        self.sync_on_start = sync
        self.started = time.monotonic()
        self.frozen = False
        """Whether start-up objects were moved out of the collector's sight (on_connect)."""
        self.data_lock = asyncio.Lock()
        """Held while /reload or /import changes what is served."""

    async def setup_hook(self) -> None:
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
