"""The offline mode: ``python -m bot ask "/grid 5"`` answers from the core, as text."""

from __future__ import annotations

import inspect
import shlex
import typing
from collections.abc import Callable
from typing import Any

from bot.core import queries
from bot.core.errors import QueryError
from bot.core.model import Grid
from bot.render.cards import card_for
from bot.render.text import to_text

COMMANDS: dict[str, Callable[..., object]] = {
    "grid": queries.grid_slot,
    "team": queries.team_entries,
    "gap": queries.car_gap,
}
"""Slash command name → the core query it runs (the cogs call the same functions)."""


class UsageError(Exception):
    """The offline command line could not be understood."""


def usage() -> str:
    lines = ["Commands:"]
    for name, function in COMMANDS.items():
        params = " ".join(p for p in list(inspect.signature(function).parameters)[1:])
        lines.append(f"  /{name} {params}")
    lines.append(
        'Example: python -m bot ask "/gap 8 14"  (or name:value, e.g. "/team name:Lister")'
    )
    return "\n".join(lines)


def parse(command: str) -> tuple[Callable[..., object], dict[str, Any]]:
    """``"/gap 8 car_b:14"`` → (queries.car_gap, {"car_a": "8", "car_b": "14"})."""
    try:
        words = shlex.split(command)
    except ValueError as error:
        raise UsageError(f"cannot read that command line: {error}") from None
    if not words:
        raise UsageError("no command given.\n" + usage())
    name = words[0].lstrip("/").lower()
    function = COMMANDS.get(name)
    if function is None:
        raise UsageError(f"there is no /{name} command.\n" + usage())
    hints = typing.get_type_hints(function)
    params = list(inspect.signature(function).parameters)[1:]
    values: dict[str, Any] = {}
    positional: list[str] = []
    current = ""
    for word in words[1:]:
        key, colon, value = word.partition(":")
        if colon and key in params:
            current = key
            values[key] = value
        elif current and hints.get(current) is str and all(p in values for p in params):
            values[current] += " " + word
        else:
            positional.append(word)
    free = [p for p in params if p not in values]
    if free and len(positional) > len(free) and hints.get(free[-1]) is str:
        keep = len(free) - 1
        positional = [*positional[:keep], " ".join(positional[keep:])]
    if len(positional) > len(free):
        raise UsageError(f"too many values for /{name}.\n" + usage())
    values.update(zip(free, positional, strict=False))
    missing = [p for p in params if p not in values]
    if missing:
        raise UsageError(f"/{name} needs {', '.join(missing)}.\n" + usage())
    for key, value in values.items():
        if hints.get(key) is int:
            try:
                values[key] = int(value)
            except ValueError:
                raise UsageError(f"{key} must be a whole number, not {value!r}.") from None
    return function, values


def ask(grid: Grid, command: str) -> tuple[str, bool]:
    """Answer one command line as text; the flag says whether it was an error."""
    function, values = parse(command)
    try:
        result = function(grid, **values)
    except QueryError as error:
        return to_text(card_for(error)), True
    return to_text(card_for(result)), False
