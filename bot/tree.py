"""The command tree: one place that times, logs and answers every error."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.errors import QueryError
from bot.core.model import Grid
from bot.core.text import clip
from bot.permissions import NotAllowed
from bot.render.cards import Card, card_for, escape
from bot.render.embed import to_embed
from bot.rendered import Rendered, render, rendered_answers
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
