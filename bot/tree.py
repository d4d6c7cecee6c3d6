"""The command tree: one place that times, logs and answers every error."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

import discord
from cachetools import LRUCache
from discord import app_commands
from discord.ext import commands

from bot.core.answers import EventsAnswer, TableAnswer
from bot.core.complete import is_large
from bot.core.errors import QueryError
from bot.core.model import Grid
from bot.core.text import clip
from bot.permissions import NotAllowed
from bot.render.cards import Card, card_for, escape, event_pages, table_pages
from bot.render.embed import to_embed
from bot.tenancy import library_of
from bot.views import send_pages

log = logging.getLogger("gridbot.commands")

UNEXPECTED = Card(
    title="Sorry, something went wrong on our side",
    description="The error has been logged. Please try again in a moment.",
    colour=0xD9534F,
    ephemeral=True,
)


class describe:
    """``/gap car_a='8' car_b='14'`` for the log, built only when a record is emitted."""

    __slots__ = ("interaction",)

    def __init__(self, interaction: discord.Interaction) -> None:
        self.interaction = interaction

    def __str__(self) -> str:
        command = self.interaction.command
        name = command.qualified_name if command else "?"
        options = " ".join(f"{k}={clip(repr(v), 60)}" for k, v in self.interaction.namespace)
        return f"/{name} {options}".strip()


def elapsed_ms(interaction: discord.Interaction) -> float:
    started: float = interaction.extras.get("started", time.perf_counter())
    return (time.perf_counter() - started) * 1000


class GridTree(app_commands.CommandTree[commands.Bot]):
    """Answers every failure ephemerally, politely, and logs the unexpected ones in full."""

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        interaction.extras["started"] = time.perf_counter()
        return True

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError, /
    ) -> None:
        original = getattr(error, "original", error)
        if isinstance(original, QueryError):
            card = card_for(original)
            log.info("%s -> %s (%.1f ms)", describe(interaction), original, elapsed_ms(interaction))
        elif isinstance(error, NotAllowed):
            card = Card(
                title="Not allowed", description=str(error), colour=0xD9534F, ephemeral=True
            )
            log.info("%s -> refused: %s", describe(interaction), error)
        elif isinstance(error, app_commands.TransformerError):
            card = Card(
                title="Sorry",
                description="I could not read the value given for that option: "
                + escape(str(error)),
                colour=0xD9534F,
                ephemeral=True,
            )
            log.info("%s -> bad option (%s)", describe(interaction), error)
        elif isinstance(
            error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch
        ):
            card = Card(
                title="Sorry, that command is out of date",
                description="Discord has an older version of this command. "
                "It will be refreshed shortly; please try again in a minute.",
                colour=0xD9534F,
                ephemeral=True,
            )
            log.warning("%s: %s", describe(interaction), error)
        else:
            card = UNEXPECTED
            log.error("%s failed", describe(interaction), exc_info=original)
        await reply(interaction, card)


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
    return cards, to_embed(cards[0])


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


async def answer(
    interaction: discord.Interaction, result: object, *, private: bool = False
) -> None:
    """Render an answer object, send it, and log the command with its latency."""
    await send(interaction, render(result), private=private)


async def answer_for(
    interaction: discord.Interaction,
    grid: Grid,
    key: tuple[object, ...],
    build: Callable[[], object],
    *,
    private: bool = False,
) -> None:
    """Like :func:`answer`, reusing the rendering of the same question about the same grid.
    ``private`` answers so that only the asker sees it (a server's setting)."""
    rendered = await rendered_answers.get(grid, key, build)
    await send(interaction, rendered, private=private, grid=grid)


async def send(
    interaction: discord.Interaction,
    rendered: Rendered,
    *,
    private: bool = False,
    grid: Grid | None = None,
) -> None:
    """Send cards: one, or pages with buttons (of ``grid``'s table, else of the events)."""
    cards, embed = rendered
    ephemeral = private or cards[0].ephemeral
    if len(cards) > 1:
        token = ""
        if grid is not None:
            catalog = (await library_of(interaction)).catalog
            token = catalog.token_of(catalog.key_of(grid))
        await send_pages(interaction, cards, embed, ephemeral=ephemeral, grid=token)
    elif interaction.response.is_done():
        await interaction.followup.send(embed=embed, ephemeral=ephemeral)
    else:
        await interaction.response.send_message(embed=embed, ephemeral=ephemeral)
    log.info("%s (%.1f ms)", describe(interaction), elapsed_ms(interaction))


async def reply(interaction: discord.Interaction, card: Card) -> None:
    """Send a card: as the response, or as a followup once the response is done."""
    embed = to_embed(card)
    if interaction.response.is_done():
        await interaction.followup.send(embed=embed, ephemeral=card.ephemeral)
    else:
        await interaction.response.send_message(embed=embed, ephemeral=card.ephemeral)
