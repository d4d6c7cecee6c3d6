"""The offline mode: ``python -m bot ask "/grid 5"`` answers from the core, as text.

The same query functions and card renderers as the cogs; only the last step, text instead of
an embed, differs. ``/help`` is generated from the real command tree, built without a network.
"""

from __future__ import annotations

import asyncio
import inspect
import shlex
import typing
from collections.abc import Callable
from typing import Any

from bot.charts.offline import ask_chart, is_chart
from bot.core import queries
from bot.core.answers import EventsAnswer, TableAnswer
from bot.core.complete import (
    Suggestion,
    complete_car,
    complete_driver,
    complete_position,
    complete_team,
)
from bot.core.errors import QueryError, UsageError
from bot.core.model import Grid
from bot.core.store import GridStore
from bot.render.cards import card_for, event_pages, table_pages
from bot.render.text import to_text

COMMANDS: dict[str, Callable[..., object]] = {
    "grid": queries.grid_or_slot,
    "team": queries.team_entries,
    "gap": queries.car_gap,
    "car": queries.car_entry,
    "driver": queries.driver_entries,
}
"""Slash command name → the core query it runs (the cogs call the same functions)."""

COMPLETERS: dict[tuple[str, str], Callable[[Grid, str], list[Suggestion]]] = {
    ("grid", "position"): complete_position,
    ("team", "name"): complete_team,
    ("gap", "car_a"): complete_car,
    ("gap", "car_b"): complete_car,
    ("car", "number"): complete_car,
    ("driver", "name"): complete_driver,
}
"""(command, option) → its autocomplete, as the cogs wire them."""

BOT_COMMANDS = ("help", "about", "events")
"""Commands answered from the bot itself rather than the grid."""


def usage() -> str:
    lines = ["Commands:"]
    for name, function in COMMANDS.items():
        params = list(inspect.signature(function).parameters.values())[1:]
        shown = " ".join(p.name if p.default is p.empty else f"[{p.name}]" for p in params)
        lines.append(f"  /{name} {shown}")
    lines.extend(f"  /{name}" for name in BOT_COMMANDS)
    lines.append("  /chart [top] [highlight]  (writes chart-<grid>.png here)")
    lines.append(
        'Example: python -m bot ask "/gap 8 14"  (or name:value, e.g. "/team name:Lister")'
    )
    return "\n".join(lines)


def _is_int(hint: object) -> bool:
    return hint is int or int in typing.get_args(hint)


def parse(command: str) -> tuple[str, dict[str, Any], list[str]]:
    """``"/gap 8 car_b:14"`` → ("gap", {"car_a": "8", "car_b": "14"}, missing params)."""
    try:
        words = shlex.split(command)
    except ValueError as error:
        raise UsageError(f"cannot read that command line: {error}") from None
    if not words:
        raise UsageError("no command given.\n" + usage())
    name = words[0].lstrip("/").lower()
    if name in BOT_COMMANDS:
        return name, {}, []
    function = COMMANDS.get(name)
    if function is None:
        raise UsageError(f"there is no /{name} command.\n" + usage())
    hints = typing.get_type_hints(function)
    signature = list(inspect.signature(function).parameters.values())[1:]
    params = [p.name for p in signature]
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
    for key, value in values.items():
        if _is_int(hints.get(key)):
            try:
                values[key] = int(value)
            except ValueError:
                raise UsageError(f"{key} must be a whole number, not {value!r}.") from None
    required = [p.name for p in signature if p.default is p.empty]
    return name, values, [p for p in required if p not in values]


def ask(store: GridStore, command: str) -> tuple[str, bool]:
    """Answer one command line as text; the flag says whether it was an error."""
    command, event = split_event(command)
    try:
        grid = store.catalog.find(event)
    except QueryError as error:
        return to_text(card_for(error)), True
    if is_chart(command):
        return ask_chart(grid, command)
    name, values, missing = parse(command)
    if missing:
        raise UsageError(f"/{name} needs {', '.join(missing)}.\n" + usage())
    if name == "events":
        catalog = store.catalog
        pages = event_pages(EventsAnswer(tuple(catalog.ordered), catalog.default))
        return "\n\n".join(to_text(card) for card in pages), False
    if name in BOT_COMMANDS:
        return to_text(card_for(asyncio.run(_from_bot(store, name)))), False
    try:
        result = COMMANDS[name](grid, **values)
    except QueryError as error:
        return to_text(card_for(error)), True
    if isinstance(result, TableAnswer):
        return "\n\n".join(to_text(card) for card in table_pages(result)), False
    return to_text(card_for(result)), False


def split_event(command: str) -> tuple[str, str | None]:
    """Take the ``event:`` option out of a command line: ``/grid 5 event:"le mans 2003"``."""
    try:
        words = shlex.split(command)
    except ValueError as error:
        raise UsageError(f"cannot read that command line: {error}") from None
    event = None
    kept = []
    for word in words:
        if word.startswith("event:"):
            event = word.removeprefix("event:")
        else:
            kept.append(word)
    return shlex.join(kept), event


def complete(store: GridStore, command: str) -> list[Suggestion]:
    """What autocomplete offers for the last option of a partly typed command line.

    ``"/team lis"`` completes ``name`` from ``lis``; a trailing space starts the next option.
    """
    try:
        words = shlex.split(command)
    except ValueError as error:
        raise UsageError(f"cannot read that command line: {error}") from None
    if not words:
        raise UsageError('give a partly typed command, e.g. complete "/team lis"')
    name = words[0].lstrip("/").lower()
    function = COMMANDS.get(name)
    if function is None:
        raise UsageError(f"/{name} has no options to complete.\n" + usage())
    params = list(inspect.signature(function).parameters)[1:]
    typed = words[1:] + ([""] if command.endswith(" ") or len(words) == 1 else [])
    key, colon, value = typed[-1].partition(":")
    option, current = (key, value) if colon and key in params else (None, typed[-1])
    if option is None:
        index = min(len(typed), len(params)) - 1
        option = params[index]
        if name in ("team", "driver"):
            current = " ".join(typed)
    completer = COMPLETERS.get((name, option))
    if completer is None:
        raise UsageError(f"/{name} {option} has no autocomplete.")
    return completer(store.catalog.default, current)


async def _from_bot(store: GridStore, name: str) -> object:
    """Build the real bot without connecting, and answer ``/help`` or ``/about`` from it."""
    from bot.app import GridBot
    from bot.cogs.about import about
    from bot.cogs.help import help_from_tree
    from bot.settings import Settings
    from bot.storage import Libraries

    bot = GridBot(Settings.load(), Libraries.offline(store), sync=False)
    async with bot:
        await bot.setup_hook()
        return help_from_tree(bot.tree) if name == "help" else about(bot)
