"""Autocomplete: ranked suggestions for every option that names something."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.model import Entry, Grid
from bot.core.search import NameIndex
from bot.core.text import clip
from bot.core.times import format_time

MAX_CHOICES = 25
MAX_NAME = 100
"""Discord's limits: 25 choices, names and string values of at most 100 characters."""


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One autocomplete choice: what the list shows and what the option receives."""

    name: str
    value: str | int


def _label(text: str) -> str:
    return clip(text, MAX_NAME)


def car_label(entry: Entry) -> str:
    """``#8 · Dome S101 Judd · Racing For Holland``."""
    return _label(f"#{entry.number} · {entry.car} · {entry.team}")


def _team_index(grid: Grid) -> NameIndex[str]:
    return grid.memo("team-index", lambda: NameIndex((team, team) for team in grid.teams))


def _car_index(grid: Grid) -> NameIndex[Entry]:
    def build() -> NameIndex[Entry]:
        named: list[tuple[str, Entry]] = []
        for entry in grid.entries:
            named.append((entry.number, entry))
        for entry in grid.entries:
            named.append((f"{entry.number} {entry.car} {entry.team}", entry))
        return NameIndex(named)

    return grid.memo("car-index", build)


def _driver_index(grid: Grid) -> NameIndex[str]:
    return grid.memo("driver-index", lambda: NameIndex((d, d) for d in grid.drivers))


def complete_team(grid: Grid, text: str) -> list[Suggestion]:
    """Teams: ``Lister Racing · 1 entry``; with nothing typed, by best position."""
    suggestions = []
    for hit in _team_index(grid).search(text, MAX_CHOICES):
        count = len(grid.teams[hit.item])
        label = f"{hit.item} · {count} {'entry' if count == 1 else 'entries'}"
        suggestions.append(Suggestion(_label(label), hit.item[:MAX_NAME]))
    return suggestions


def complete_car(grid: Grid, text: str) -> list[Suggestion]:
    """Cars by number, car or team: ``#8 · Dome S101 Judd · Racing For Holland``."""
    hits = _car_index(grid).search(text.lstrip().lstrip("#"), MAX_CHOICES)
    return [Suggestion(car_label(hit.item), hit.item.number) for hit in hits]


def complete_driver(grid: Grid, text: str) -> list[Suggestion]:
    """Drivers: ``Tom Kristensen · #5 Audi R8``."""
    suggestions = []
    for hit in _driver_index(grid).search(text, MAX_CHOICES):
        entries = grid.drivers[hit.item]
        cars = ", ".join(f"#{e.number} {e.car}" for e in entries)
        suggestions.append(Suggestion(_label(f"{hit.item} · {cars}"), hit.item[:MAX_NAME]))
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
