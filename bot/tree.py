"""The command tree: one place that times, logs and answers every error."""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.answers import EventsAnswer, TableAnswer
from bot.core.errors import QueryError
from bot.core.model import Grid
from bot.core.text import clip
from bot.permissions import NotAllowed
from bot.render.cards import Card, card_for, escape, event_pages, table_pages
from bot.render.embed import to_embed
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

RENDER_CACHE_SIZE = 1024


def render(result: object) -> Rendered:
    """An answer object as cards, with its first embed."""
    if isinstance(result, TableAnswer):
        cards = table_pages(result)
    elif isinstance(result, EventsAnswer):
        cards = event_pages(result)
    else:
        cards = [card_for(result)]
    return cards, to_embed(cards[0])


class RenderCache:
    """Rendered answers by (grid, command, options), least recently used out first.

    Grids never change once loaded (a reload makes new ones), so an answer rendered once for
    a grid is right for as long as that grid is served. Each entry keeps its grid alive, so an
    ``id`` is never reused while its entry exists.
    """

    def __init__(self, size: int = RENDER_CACHE_SIZE) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[object, ...], tuple[Grid, Rendered]] = OrderedDict()

    def get(self, grid: Grid, key: tuple[object, ...], build: Callable[[], object]) -> Rendered:
        full = (id(grid), *key)
        hit = self._entries.get(full)
        if hit is not None:
            self._entries.move_to_end(full)
            return hit[1]
        rendered = render(build())  # a QueryError propagates and is not cached
        self._entries[full] = (grid, rendered)
        if len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return rendered


rendered_answers = RenderCache()


async def answer(interaction: discord.Interaction, result: object) -> None:
    """Render an answer object, send it, and log the command with its latency."""
    await send(interaction, render(result))


async def answer_for(
    interaction: discord.Interaction,
    grid: Grid,
    key: tuple[object, ...],
    build: Callable[[], object],
) -> None:
    """Like :func:`answer`, reusing the rendering of the same question about the same grid."""
    await send(interaction, rendered_answers.get(grid, key, build))


async def send(interaction: discord.Interaction, rendered: Rendered) -> None:
    cards, embed = rendered
    if len(cards) > 1:
        await send_pages(interaction, cards, embed)
    elif interaction.response.is_done():
        await interaction.followup.send(embed=embed, ephemeral=cards[0].ephemeral)
    else:
        await interaction.response.send_message(embed=embed, ephemeral=cards[0].ephemeral)
    log.info("%s (%.1f ms)", describe(interaction), elapsed_ms(interaction))


async def reply(interaction: discord.Interaction, card: Card) -> None:
    """Send a card: as the response, or as a followup once the response is done."""
    embed = to_embed(card)
    if interaction.response.is_done():
        await interaction.followup.send(embed=embed, ephemeral=card.ephemeral)
    else:
        await interaction.response.send_message(embed=embed, ephemeral=card.ephemeral)
