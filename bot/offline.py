"""The offline mode: ``python -m bot ask "/grid 5"`` answers from the core, as text.

The same query functions and card renderers as the cogs; only the last step, text instead of
an embed, differs. ``/help`` is generated from the real command tree, built without a network.
Every refusal, whether the grid cannot answer or the command line cannot be read, is one line
``Sorry: …`` (see :func:`refusal`), as on Discord both are the same private "Sorry".
"""

from __future__ import annotations

import asyncio
import inspect
import re
import shlex
import typing
from collections.abc import Callable
from typing import Any

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
from bot.core.text import clip
from bot.render.cards import card_for, event_pages, table_pages
from bot.render.text import plain, to_text

COMMANDS: dict[str, Callable[..., object]] = {
    "grid": queries.grid_or_slot,
    "team": queries.team_entries,
    "gap": queries.car_gap,
    "car": queries.car_entry,
    "driver": queries.driver_entries,
}
"""Slash command name → the core query it runs (the cogs call the same functions)."""

CHART_OPTIONS = ("top", "highlight")
"""``/chart``'s options (answered by :mod:`bot.charts.offline`)."""


def complete_highlight(grid: Grid, text: str) -> list[Suggestion]:
    """``/chart highlight``, as the cog offers it: cars while a number is typed, else teams."""
    typed = text.strip()
    if typed.lstrip("#")[:1].isdigit():
        return complete_car(grid, typed)
    return complete_team(grid, typed)


COMPLETERS: dict[tuple[str, str], Callable[[Grid, str], list[Suggestion]]] = {
    ("grid", "position"): complete_position,
    ("team", "name"): complete_team,
    ("gap", "car_a"): complete_car,
    ("gap", "car_b"): complete_car,
    ("car", "number"): complete_car,
    ("driver", "name"): complete_driver,
    ("chart", "highlight"): complete_highlight,
}
"""(command, option) → its autocomplete, as the cogs wire them; ``event`` completes on every
command that has it (see :func:`complete`)."""

WORDS = ("name", "highlight")
"""Options whose value may run over several words without quotes: ``/team noel del bello``."""

BOT_COMMANDS = ("help", "about", "events")
"""Commands answered from the bot itself rather than the grid."""

DISCORD_ONLY = {
    "reload": "it makes the running bot read its grid files again (offline, every command "
    "reads them afresh)",
    "import": "it adds a grid to a server's own library (offline, put the file in the data "
    "folder; python -m bot check checks it)",
    "remove": "it takes a grid out of a server's own library",
    "history": "it lists the versions in a server's own library",
    "restore": "it serves an older version in a server's own library",
    "settings": "it shows or changes a server's settings",
}
"""Commands that act on the running bot or on a server's library, and why they need Discord."""

ECHO = 30
"""Characters of typed input a refusal repeats; the rest is clipped."""

_INTEGER = re.compile(r"[+-]?[0-9]+")


def echo(text: str) -> str:
    """Typed input, clipped and quoted, for a refusal to repeat."""
    return repr(clip(text, ECHO))


def refusal(error: QueryError | UsageError) -> str:
    """A refusal as the terminal shows it: ``Sorry: …`` and any suggestions on the next line,
    from the same card the bot would send."""
    if isinstance(error, QueryError):
        return "Sorry: " + plain(card_for(error).description)
    return f"Sorry: {error}"


def whole_number(option: str, text: str) -> int:
    """An integer option, as Discord would send it: signs allowed, so that ``-1`` is refused
    by the same range check as ``99``. A number too long for any range stands for one out of
    range, with its sign."""
    typed = text.strip()
    if not _INTEGER.fullmatch(typed):
        raise UsageError(f"{option} must be a whole number, not {echo(text)}.")
    if len(typed.lstrip("+-")) > 18:
        return -(10**18) if typed.startswith("-") else 10**18
    return int(typed)


def options_of(name: str) -> list[str]:
    """A command's options, in order, ``event`` last: as ``/help`` lists them."""
    if name == "chart":
        return [*CHART_OPTIONS, "event"]
    return [*list(inspect.signature(COMMANDS[name]).parameters)[1:], "event"]


def usage_of(name: str) -> str:
    """``/gap car_a car_b [event]``."""
    if name == "chart":
        shown = [f"[{option}]" for option in options_of(name)]
    else:
        params = list(inspect.signature(COMMANDS[name]).parameters.values())[1:]
        shown = [p.name if p.default is p.empty else f"[{p.name}]" for p in params]
        shown.append("[event]")
    return " ".join([f"/{name}", *shown])


def command_name(words: list[str]) -> str:
    """The command a line asks for, refused when there is none offline."""
    if not words:
        raise UsageError('No command given; for example: python -m bot ask "/grid 5".')
    name = words[0].lstrip("/").lower()
    if name in DISCORD_ONLY:
        raise UsageError(f"/{name} works only on Discord: {DISCORD_ONLY[name]}.")
    if name not in COMMANDS and name not in BOT_COMMANDS and name != "chart":
        raise UsageError(
            f'There is no /{clip(name, ECHO)} command; python -m bot ask "/help" lists them.'
        )
    return name


def split_words(command: str) -> list[str]:
    """A command line's words, as a shell would split them."""
    try:
        return shlex.split(command)
    except ValueError as error:
        raise UsageError(f"Cannot read that command line: {error}.") from None


def _is_int(hint: object) -> bool:
    return hint is int or int in typing.get_args(hint)


def parse(command: str) -> tuple[str, dict[str, Any]]:
    """``"/gap 8 car_b:14"`` → ("gap", {"car_a": "8", "car_b": "14"}), numbers as ``int``."""
    words = split_words(command)
    name = command_name(words)
    function = COMMANDS[name]
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
        raise UsageError(f"Too many values for /{name}; it takes {usage_of(name)}.")
    values.update(zip(free, positional, strict=False))
    for key, value in values.items():
        if _is_int(hints.get(key)):
            values[key] = whole_number(key, value)
    missing = [p.name for p in signature if p.default is p.empty and p.name not in values]
    if missing:
        raise UsageError(f"/{name} needs {', '.join(missing)}; it takes {usage_of(name)}.")
    return name, values


def ask(store: GridStore, command: str) -> tuple[str, bool]:
    """Answer one command line as text; the flag says whether it was refused."""
    try:
        return _answer(store, command), False
    except (QueryError, UsageError) as error:
        return refusal(error), True


def _answer(store: GridStore, command: str) -> str:
    command, event = split_event(command)
    name = command_name(split_words(command))
    grid = store.catalog.find(event)
    if name == "chart":
        from bot.charts.offline import ask_chart  # imports nothing heavy until drawing

        return ask_chart(grid, command)
    if name == "events":
        catalog = store.catalog
        pages = event_pages(EventsAnswer(tuple(catalog.ordered), catalog.default))
        return "\n\n".join(to_text(card) for card in pages)
    if name in BOT_COMMANDS:
        return to_text(card_for(asyncio.run(_from_bot(store, name))))
    name, values = parse(command)
    result = COMMANDS[name](grid, **values)
    if isinstance(result, TableAnswer):
        return "\n\n".join(to_text(card) for card in table_pages(result))
    return to_text(card_for(result))


def split_event(command: str) -> tuple[str, str | None]:
    """Take the ``event:`` option out of a command line: ``/grid 5 event:"le mans 2003"``."""
    event = None
    kept = []
    for word in split_words(command):
        if word.startswith("event:"):
            event = word.removeprefix("event:")
        else:
            kept.append(word)
    return shlex.join(kept), event


def complete(store: GridStore, command: str) -> list[Suggestion]:
    """What autocomplete offers for the last option of a partly typed command line.

    ``"/team lis"`` completes ``name`` from ``lis``, ``"/grid event:le"`` the event; a
    trailing space starts the next option. An unclosed quote is closed, as it is being typed.
    """
    words = _partial_words(command)
    name = command_name(words)
    if name in BOT_COMMANDS:
        raise UsageError(f"/{name} has no options to complete.")
    typed = words[1:] + ([""] if command.endswith(" ") or len(words) == 1 else [])
    option, current, event = _focused(name, typed)
    if option == "event":
        return store.catalog.complete(current)
    completer = COMPLETERS.get((name, option))
    if completer is None:
        raise UsageError(f"/{name} {option} has no autocomplete.")
    try:  # as on Discord: the event already chosen, else the default
        grid = store.catalog.find(event)
    except QueryError:
        grid = store.catalog.default
    return completer(grid, current)


def _partial_words(command: str) -> list[str]:
    for closing in ("", '"', "'"):
        try:
            return shlex.split(command + closing)
        except ValueError:
            continue
    return split_words(command)  # raises, saying why


def _focused(name: str, typed: list[str]) -> tuple[str, str, str | None]:
    """The option the last word is for, its text so far, and the ``event`` chosen before it.

    ``key:value`` names an option; a bare word fills the next free one (``top`` only takes a
    number), or runs on the option before it when that takes several words (``WORDS``)."""
    params = options_of(name)
    values: dict[str, str] = {}
    option = ""
    for word in typed:
        key, colon, value = word.partition(":")
        free = [p for p in params if p not in values and p != "event"]
        if name == "chart" and free[:1] == ["top"] and not _INTEGER.fullmatch(word):
            free = free[1:]
        if colon and key in params:
            option, values[key] = key, value
        elif option in WORDS and not free:
            values[option] += " " + word
        elif free:
            option, values[free[0]] = free[0], word
        elif not word and "event" in params and "event" not in values:
            option, values["event"] = "event", ""  # a space after the last value: event next
        else:
            raise UsageError(f"Too many values for /{name}; it takes {usage_of(name)}.")
    event = values.get("event") if option != "event" else None
    return option, values[option].strip() if option in WORDS else values[option], event


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
