"""Rendered answers, kept: one rendering per grid and question, and per catalog for
``/events``, shared by the commands and by the page buttons of any message."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

import discord
from cachetools import LRUCache

from bot.core.answers import EventsAnswer, TableAnswer
from bot.core.catalog import Catalog
from bot.core.complete import is_large
from bot.core.lazy import all_parsed
from bot.core.library import LibraryView, Unavailable
from bot.core.model import Grid
from bot.kept import KeptEmbed
from bot.render.cards import Card, card_for, event_pages, table_pages
from bot.render.embed import to_embed

Rendered = tuple[list[Card], discord.Embed]
"""An answer's cards (one, or the pages) and the first card as an embed."""

RENDER_CACHE_BYTES = 8 * 1024 * 1024


def render(result: object) -> Rendered:
    """An answer object as cards, with its first embed."""
    if isinstance(result, TableAnswer):
        cards = table_pages(result)
    elif isinstance(result, EventsAnswer):
        cards = event_pages(result)
    else:
        cards = [card_for(result)]
    return cards, KeptEmbed.keep(to_embed(cards[0]))


def rendered_size(rendered: Rendered) -> int:
    """About the bytes a rendered answer holds: its text twice over (cards and embed), with
    a fixed cost per object."""
    cards, _embed = rendered
    text = sum(
        len(c.title)
        + len(c.description)
        + len(c.footer)
        + sum(len(f.name) + len(f.value) for f in c.fields)
        for c in cards
    )
    return 2 * text + 2048 * len(cards) + 1024


class RenderCache:
    """Rendered answers by (grid, command, options), least recently used out first, bounded
    in bytes.

    A grid never changes once parsed, and its digest names its source and library, so an
    answer rendered once for a digest is right for as long as that source is served, in
    every server that sees it. Entries hold no grid.
    """

    def __init__(self, max_bytes: int = RENDER_CACHE_BYTES) -> None:
        self._entries: LRUCache[tuple[object, ...], Rendered] = LRUCache(
            maxsize=max_bytes, getsizeof=rendered_size
        )

    def kept(self, grid: Grid, key: tuple[object, ...]) -> Rendered | None:
        """The rendering kept for this grid and question, if there is one (no waiting)."""
        try:
            return self._entries[(grid.digest or id(grid), *key)]  # get() takes two more calls
        except KeyError:
            return None

    async def get(
        self, grid: Grid, key: tuple[object, ...], build: Callable[[], object]
    ) -> Rendered:
        """The rendering of ``build()``'s answer, worked out once per grid and question; on a
        large grid in a worker thread, so that no lookup stalls the event loop (a name that
        matches nothing is scored against every name)."""
        full = (grid.digest or id(grid), *key)
        hit = self._entries.get(full)
        if hit is not None:
            return hit

        def work() -> Rendered:
            return render(build())  # a QueryError propagates and is not cached

        rendered = await asyncio.to_thread(work) if is_large(grid) else work()
        if grid.digest:
            self._entries[full] = rendered
        return rendered

    def clear(self) -> None:
        self._entries.clear()


rendered_answers = RenderCache()


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


rendered_events = EventPages()
