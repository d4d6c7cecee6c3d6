"""Autocomplete callbacks shared by the cogs: core suggestions → Discord choices.

Each reads the grid of the ``event`` already chosen in the same command, if any.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import discord
from discord import app_commands

from bot.core.complete import (
    MAX_CHOICES,
    Suggestion,
    complete_car,
    complete_driver,
    complete_position,
    complete_team,
)
from bot.core.errors import QueryError
from bot.core.library import NEWEST, complete_own
from bot.core.model import Grid
from bot.tenancy import library_of


async def grid_of(interaction: discord.Interaction) -> Grid:
    """The grid the command being typed is about; the default while the event is unclear."""
    catalog = (await library_of(interaction)).catalog
    try:
        return catalog.find(getattr(interaction.namespace, "event", None))
    except QueryError:
        return catalog.default


def _strings(found: list[Suggestion]) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=s.name, value=str(s.value)) for s in found]


Completer = Callable[
    [discord.Interaction, str], Coroutine[Any, Any, list[app_commands.Choice[str]]]
]

EVENT_HELP = "Event or session, e.g. 2003 Le Mans (default: the most recent)"


def _completer(complete: Callable[[Grid, str], list[Suggestion]]) -> Completer:
    async def callback(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return _strings(complete(await grid_of(interaction), str(current)))

    return callback


team_choices = _completer(complete_team)
car_choices = _completer(complete_car)
driver_choices = _completer(complete_driver)


async def highlight_choices(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """Cars when a number is being typed, else teams."""
    grid = await grid_of(interaction)
    typed = str(current).strip()
    if typed.lstrip("#")[:1].isdigit():
        return _strings(complete_car(grid, typed))
    return _strings(complete_team(grid, typed))


async def position_choices(
    interaction: discord.Interaction, current: int | str
) -> list[app_commands.Choice[int]]:
    return [
        app_commands.Choice(name=s.name, value=int(s.value))
        for s in complete_position(await grid_of(interaction), str(current))
    ]


async def event_choices(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    return _strings((await library_of(interaction)).catalog.complete(str(current)))


async def own_file_choices(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """This server's own files, removed ones too: for /remove, /history and /restore."""
    return _strings(complete_own((await library_of(interaction)).files, str(current)))


async def default_event_choices(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """Every event the server can see, and the choice to follow the newest grid."""
    found = (await library_of(interaction)).catalog.complete(str(current))
    newest = Suggestion("No fixed default: the newest grid", NEWEST)
    return _strings([newest, *found][:MAX_CHOICES])
