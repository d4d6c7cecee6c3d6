"""Adapters from the core's autocomplete suggestions to Discord choices."""

from __future__ import annotations

from collections.abc import Callable

from discord import app_commands

from bot.core.complete import Suggestion
from bot.core.model import Grid


def choices(
    complete: Callable[[Grid, str], list[Suggestion]], grid: Grid, current: str
) -> list[app_commands.Choice[str]]:
    """String choices from a core completer."""
    return [app_commands.Choice(name=s.name, value=str(s.value)) for s in complete(grid, current)]


def int_choices(
    complete: Callable[[Grid, str], list[Suggestion]], grid: Grid, current: str
) -> list[app_commands.Choice[int]]:
    """Integer choices from a core completer."""
    return [app_commands.Choice(name=s.name, value=int(s.value)) for s in complete(grid, current)]
