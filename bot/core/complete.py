"""Autocomplete: ranked suggestions for every option that names something."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice

from bot.core.model import Entry, Grid
from bot.core.parser import MAX_NUMBER
from bot.core.search import NameIndex
from bot.core.text import clip
from bot.core.times import format_time

MAX_CHOICES = 25
MAX_NAME = 100
"""Discord's limits: 25 choices, names and string values of at most 100 characters."""


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One autocomplete choice: what the list shows and what the option receives.

    Discord refuses a whole list when one choice breaks its limits, so every suggestion keeps
    within them: the name is clipped, and a string value is cut to ``MAX_NAME`` (callers offer
    nothing whose value would not survive that, such as a car number; see :func:`complete_car`).
    """

    name: str
    value: str | int

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", _label(self.name))
        if isinstance(self.value, str):
            object.__setattr__(self, "value", self.value[:MAX_NAME])


def _label(text: str) -> str:
    return clip(text, MAX_NAME)


def car_label(entry: Entry, *, by_driver: bool = False) -> str:
    """``#8 · Dome S101 Judd · Racing For Holland``; with ``by_driver`` (a car its number does
    not find) its first driver too: ``#01 · Jo Bonnier · Ferrari 250``."""
    number = f"#{entry.number}" if entry.number else ""
    first = entry.drivers[0].name if by_driver and entry.drivers else ""
    return _label(" · ".join(part for part in (number, first, entry.car, entry.team) if part))


MAX_TYPED = 100
"""The longest car number or driver's name ``/car`` and ``/gap`` accept."""


def car_value(grid: Grid, entry: Entry) -> str:
    """What ``/car`` and ``/gap`` are given for a car: its number when that finds it, else
    its first driver's name; ``""`` when neither can be asked for (too long to type)."""
    if grid.numbered(entry) and len(entry.number) <= MAX_NUMBER:
        return entry.number
    name = entry.drivers[0].name if entry.drivers else ""
    return name if len(name) <= MAX_TYPED else ""


PREPARE_CHARS = 16_000
"""Name characters from which a grid's indexes are built off the event loop. Indexing costs
about 0.5 µs a character (a 1,000-car grid with 900-character team names: about a second);
below this, the first keystroke builds them in under 10 ms, and grids never autocompleted
(most of a 1,000-grid archive) take no memory for them."""

INDEXES = "indexes"
"""The grid memo holding its indexes (a future: done, or being built in a worker thread)."""

_builder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="index")
"""Builds a large grid's indexes when it was parsed on the event loop (a server's grid, on
its first lookup); one thread, so at most one such build competes with the loop."""


@dataclass(frozen=True, slots=True)
class Indexes:
    """What autocomplete searches in one grid."""

    teams: NameIndex[str]
    cars: NameIndex[Entry]
    drivers: NameIndex[str]

    @classmethod
    def of(cls, grid: Grid) -> Indexes:
        named: list[tuple[str, Entry]] = [(e.number, e) for e in grid.entries if e.number]
        named += [(_searched(grid, e), e) for e in grid.entries]
        return cls(
            NameIndex((team, team) for team in grid.teams),
            NameIndex(named),
            NameIndex((driver, driver) for driver in grid.drivers),
        )


def _searched(grid: Grid, entry: Entry) -> str:
    """What a car is found by as one types: number, car and team, and the drivers of a car
    that its number does not find."""
    text = f"{entry.number} {entry.car} {entry.team}"
    if not grid.numbered(entry):
        text += " " + " ".join(driver.name for driver in entry.drivers)
    return text


def index_chars(grid: Grid) -> int:
    """The characters the indexes fold: teams twice (alone and with each car)."""
    named = sum(len(e.number) * 2 + len(e.car) + len(e.team) for e in grid.entries)
    return named + sum(map(len, grid.teams)) + sum(map(len, grid.drivers))


def is_large(grid: Grid) -> bool:
    """Whether the grid's names are long enough (:data:`PREPARE_CHARS`) for its indexes and
    lookups to be worked out off the event loop."""
    return grid.memo("large", lambda: index_chars(grid) >= PREPARE_CHARS)


def prepare_grid(grid: Grid) -> Grid:
    """Build a large grid's indexes as it is parsed: at once in a worker thread (the loaders
    run there), or, on the event loop's own thread, in a worker without waiting for it."""
    if not is_large(grid):
        return grid
    if _on_event_loop():
        start_indexing(grid)
    else:
        built: Future[Indexes] = Future()
        built.set_result(Indexes.of(grid))
        grid.memo(INDEXES, lambda: built)
    return grid


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def start_indexing(grid: Grid) -> None:
    """Have a large grid indexed in a worker thread, without waiting (for a grid parsed on
    the event loop); a small one is indexed on its first keystroke."""
    if is_large(grid):
        grid.memo(INDEXES, lambda: _job(grid))


def indexes(grid: Grid) -> Indexes | None:
    """The grid's indexes; ``None`` while a worker thread is still building a large grid's."""
    job = grid.memo(INDEXES, lambda: _job(grid))
    return job.result() if job.done() else None


def _job(grid: Grid) -> Future[Indexes]:
    if is_large(grid):
        return _builder.submit(Indexes.of, grid)
    built: Future[Indexes] = Future()
    built.set_result(Indexes.of(grid))
    return built


def _scan(names: Iterable[str], text: str) -> list[str]:
    """While the index is being built: names containing the text as typed, ignoring case."""
    typed = text.strip().casefold()
    return list(islice((name for name in names if typed in name.casefold()), MAX_CHOICES))


def complete_team(grid: Grid, text: str) -> list[Suggestion]:
    """Teams: ``Lister Racing · 1 entry``; with nothing typed, by best position."""
    suggestions = []
    for team in _teams(grid, text):
        count = len(grid.teams[team])
        label = f"{team} · {count} {'entry' if count == 1 else 'entries'}"
        suggestions.append(Suggestion(label, team))
    return suggestions


def _teams(grid: Grid, text: str) -> list[str]:
    built = indexes(grid)
    if built is None:
        return _scan(grid.teams, text)
    return [hit.item for hit in built.teams.search(text, MAX_CHOICES)]


def complete_car(grid: Grid, text: str) -> list[Suggestion]:
    """Cars by number, car or team: ``#8 · Dome S101 Judd · Racing For Holland``."""
    cars = _cars(grid, text.lstrip().lstrip("#"))
    # A number longer than /car and /gap accept cannot be asked for (the parser refuses them).
    suggestions = [
        Suggestion(car_label(e, by_driver=not grid.numbered(e)), car_value(grid, e)) for e in cars
    ]
    return [suggestion for suggestion in suggestions if suggestion.value]


def _cars(grid: Grid, text: str) -> list[Entry]:
    built = indexes(grid)
    if built is None:
        labels = {_searched(grid, e): e for e in grid.entries}
        return [labels[label] for label in _scan(labels, text)]
    return [hit.item for hit in built.cars.search(text, MAX_CHOICES)]


def complete_driver(grid: Grid, text: str) -> list[Suggestion]:
    """Drivers: ``Tom Kristensen · #5 Audi R8``."""
    suggestions = []
    built = indexes(grid)
    if built is None:
        drivers = _scan(grid.drivers, text)
    else:
        drivers = [hit.item for hit in built.drivers.search(text, MAX_CHOICES)]
    for driver in drivers:
        entries = grid.drivers[driver]
        cars = ", ".join(f"#{e.number} {e.car}" for e in entries)
        suggestions.append(Suggestion(f"{driver} · {cars}", driver))
    return suggestions


def complete_position(grid: Grid, text: str) -> list[Suggestion]:
    """Grid slots whose number starts with what was typed: ``P5 · #14 MG Lola EX257 · RML``."""
    typed = text.strip().upper().lstrip("P")
    found = [e for e in grid.entries if str(e.position).startswith(typed)]
    return [
        Suggestion(
            _label(
                f"P{e.position} · #{e.number} {e.car} · {e.team} · "
                f"{format_time(e.time) if e.time is not None else 'no time'}"
            ),
            e.position,
        )
        for e in found[:MAX_CHOICES]
    ]
