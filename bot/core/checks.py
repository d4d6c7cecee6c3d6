"""Things worth a second look in a grid that loads: warnings, never errors.

A grid with warnings is served as published; ``python -m bot check`` lists them with their lines.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.model import RACE, Entry, Grid
from bot.core.text import fold
from bot.core.times import format_time


@dataclass(frozen=True, slots=True)
class GridWarning:
    """One finding: the source line it is about and what looks wrong."""

    line: int
    problem: str


def grid_warnings(grid: Grid) -> list[GridWarning]:
    """Every warning for ``grid``, in line order. A race is classified by the finish, not by
    lap times, so lap times out of order are no fault there."""
    by_time = grid.kind != RACE
    found = [
        *(_times_out_of_order(grid) if by_time else []),
        *(_no_time_before_a_time(grid) if by_time else []),
        *_drivers_listed_twice(grid),
        *_teams_spelled_two_ways(grid),
    ]
    return sorted(found, key=lambda warning: warning.line)


def _car(entry: Entry) -> str:
    time = format_time(entry.time) if entry.time is not None else "no time"
    name = f"#{entry.number}" if entry.number else (entry.drivers[0].name if entry.drivers else "")
    return f"{name} (P{entry.position}, {time})"


def _times_out_of_order(grid: Grid) -> list[GridWarning]:
    """A car faster than the timed car just ahead of it (each misplaced car is named once)."""
    found = []
    ahead: Entry | None = None
    for entry in grid.entries:
        if entry.time is None:
            continue
        if ahead is not None and entry.part != ahead.part:
            ahead = entry  # times from different parts of qualifying (Q3, Q2) do not compare
            continue
        if ahead is not None and ahead.time is not None and entry.time < ahead.time:
            found.append(
                GridWarning(
                    entry.line,
                    f"{_car(entry)} is faster than {_car(ahead)}, which is placed ahead of it",
                )
            )
        ahead = entry
    return found


def _no_time_before_a_time(grid: Grid) -> list[GridWarning]:
    """Cars without a time belong at the back: each one placed ahead of a timed car."""
    found = []
    timed_behind: Entry | None = None
    for entry in reversed(grid.entries):
        if entry.time is not None:
            timed_behind = entry
        elif timed_behind is not None:
            found.append(
                GridWarning(
                    entry.line,
                    f"#{entry.number} (P{entry.position}) has no time but is placed ahead of "
                    f"{_car(timed_behind)}",
                )
            )
    return found


def _drivers_listed_twice(grid: Grid) -> list[GridWarning]:
    found = []
    for entry in grid.entries:
        seen: set[str] = set()
        for driver in entry.drivers:
            key = fold(driver.name)
            if key in seen:
                found.append(
                    GridWarning(entry.line, f"{driver.name} is listed twice for #{entry.number}")
                )
            seen.add(key)
    return found


def _teams_spelled_two_ways(grid: Grid) -> list[GridWarning]:
    """Team names that differ only in case, accents or punctuation: one team, or a typo?"""
    first_spelling: dict[str, Entry] = {}
    reported: set[str] = set()
    found = []
    for entry in sorted(grid.entries, key=lambda e: e.line):
        first = first_spelling.setdefault(fold(entry.team), entry)
        if first.team != entry.team and entry.team not in reported:
            reported.add(entry.team)
            found.append(
                GridWarning(
                    entry.line,
                    f"team {entry.team!r} (#{entry.number}) is also spelled {first.team!r} "
                    f"(#{first.number}, line {first.line}): one team or two?",
                )
            )
    return found
