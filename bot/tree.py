"""The command tree: one place that times, counts, logs and answers every error."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.errors import QueryError
from bot.core.model import Grid
from bot.core.text import clip
from bot.logs import CommandLog
from bot.permissions import NotAllowed
from bot.render.cards import Card, card_for, escape
from bot.render.embed import to_embed
from bot.rendered import Rendered, render, rendered_answers
from bot.tenancy import library_of
from bot.views import send_pages

if TYPE_CHECKING:
    from bot.metrics import Metrics

log = CommandLog("gridbot.commands")

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


def command_name(interaction: discord.Interaction) -> str:
    """The command's full name (``grid``), or ``?`` if this bot has no such command."""
    try:
        command = interaction.command
    except app_commands.AppCommandError:
        return "?"
    return command.qualified_name if command is not None else "?"


def elapsed_ms(interaction: discord.Interaction) -> float:
    started: float = interaction.extras.get("started", time.perf_counter())
    return (time.perf_counter() - started) * 1000


class GridTree(app_commands.CommandTree[commands.Bot]):
    """Answers every failure ephemerally, politely, and logs the unexpected ones in full;
    counts the commands being answered (for a clean stop) and, with ``metrics``, each one's
    outcome and latency."""

    def __init__(self, client: commands.Bot, **options: Any) -> None:
        super().__init__(client, **options)
        self.metrics: Metrics | None = None
        self.in_flight = 0
        """Commands and autocompletes being answered now."""
        self._idle: asyncio.Event | None = None
        """Set when the last command in flight is answered, while :meth:`drain` waits."""

    async def _call(self, interaction: discord.Interaction[commands.Bot], /) -> None:
        # Every slash command and autocomplete passes here (CommandTree's own dispatch), and
        # discord.py has no public hook for "finished, whatever the outcome".
        started = interaction.extras["started"] = time.perf_counter()
        self.in_flight += 1
        outcome = "failed"
        try:
            await super()._call(interaction)
            outcome = "answered"
        except (app_commands.CommandNotFound, app_commands.CommandSignatureMismatch):
            outcome = "out_of_date"  # answered by on_error, once this has returned
            raise
        finally:
            self.in_flight -= 1
            if not self.in_flight and self._idle is not None:
                self._idle.set()
            if (
                self.metrics is not None
                and interaction.type is discord.InteractionType.application_command
            ):
                if outcome == "answered":  # or refused, as on_error says
                    outcome = interaction.extras.get("outcome", outcome)
                name = "?" if outcome == "out_of_date" else command_name(interaction)
                self.metrics.command(name, outcome, time.perf_counter() - started)

    async def drain(self, timeout: float) -> int:  # noqa: ASYNC109
        """Wait until no command is being answered, or ``timeout`` seconds; returns how many
        still are."""
        if self.in_flight:
            if self._idle is None or self._idle.is_set():
                self._idle = asyncio.Event()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await self._idle.wait()
        return self.in_flight

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError, /
    ) -> None:
        original = getattr(error, "original", error)
        interaction.extras["outcome"] = "refused"
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
            interaction.extras["outcome"] = "out_of_date"
        else:
            card = UNEXPECTED
            interaction.extras["outcome"] = "failed"
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
    rendered = rendered_answers.kept(grid, key) or await rendered_answers.get(grid, key, build)
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
