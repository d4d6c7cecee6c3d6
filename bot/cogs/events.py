"""``/events``: the grids loaded."""

from __future__ import annotations

import asyncio
import contextlib

import discord
from cachetools import LRUCache
from discord import app_commands
from discord.ext import commands

from bot.app import GridBot
from bot.core.answers import EventsAnswer
from bot.core.catalog import Catalog
from bot.core.lazy import all_parsed
from bot.core.library import LibraryView, Unavailable
from bot.tenancy import library_of
from bot.tree import Rendered, render, rendered_size, send

PAGES_BYTES = 8 * 1024 * 1024
"""What the rendered pages of the catalogs asked about may hold (10,000 grids: about 3 MiB)."""

Key = tuple[int, tuple[Unavailable, ...]]
"""``id(catalog)`` and the asker's files that cannot be served."""


class EventPages:
    """The pages of ``/events``, rendered once per catalog and list of unavailable files.

    A catalog never changes (a reload or an import makes a new one), so its pages stay right
    while it serves; entries hold the catalog, so its id cannot be reused while keyed. Least
    recently used out first, bounded in bytes."""

    def __init__(self, max_bytes: int = PAGES_BYTES) -> None:
        self.rendered = 0
        """Renderings so far (misses)."""
        self._pages: LRUCache[Key, tuple[Catalog, Rendered]] = LRUCache(
            maxsize=max_bytes, getsizeof=lambda entry: rendered_size(entry[1])
        )

    async def of(self, view: LibraryView) -> Rendered:
        """The pages for what ``view`` sees: rendered in a worker thread on a miss (10,000
        grids take a third of a second), unless grids must be parsed first, which happens
        on the event loop as every lookup does."""
        key = (id(view.catalog), view.unavailable)
        hit = self._pages.get(key)
        if hit is not None:
            return hit[1]
        self.rendered += 1
        if all_parsed(view.catalog.grids):
            rendered = await asyncio.to_thread(_render, view)
        else:
            rendered = _render(view)
        with contextlib.suppress(ValueError):  # larger than the whole cache: not kept
            self._pages[key] = (view.catalog, rendered)
        return rendered


def _render(view: LibraryView) -> Rendered:
    catalog = view.catalog
    return render(EventsAnswer(tuple(catalog.ordered), catalog.default, view.unavailable))


class EventsCog(commands.Cog):
    def __init__(self, bot: GridBot) -> None:
        self.bot = bot
        self.pages = EventPages()

    @app_commands.command(
        name="events",
        description="The grids you can ask about: this server's and Gridbot's",
        extras={"example": "/events"},
    )
    async def events(self, interaction: discord.Interaction) -> None:
        view = await library_of(interaction)
        await send(interaction, await self.pages.of(view), private=view.private)


async def setup(bot: GridBot) -> None:
    await bot.add_cog(EventsCog(bot))
