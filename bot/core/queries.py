"""The questions the bot answers, one function each: grid in, answer object out.

Cogs and the offline mode both call these; neither does any lookup of its own.
"""

from __future__ import annotations

from bot.core.answers import (
    AnnouncementAnswer,
    ClassRank,
    DriverAnswer,
    DriverMatch,
    GapAnswer,
    GridAnswer,
    Placing,
    TableAnswer,
    TeamAnswer,
    TeamMatch,
)
from bot.core.errors import QueryError
from bot.core.gaps import finish_between, gap_between
from bot.core.lookup import entry_at, find_car, find_drivers, find_teams
from bot.core.model import RACE, Entry, Grid


def grid_slot(grid: Grid, position: int) -> GridAnswer:
    """Who qualified at ``position``, with gaps to pole and the cars either side."""
    return _slot(grid, entry_at(grid, position))


def grid_or_slot(grid: Grid, position: int | None = None) -> GridAnswer | TableAnswer:
    """``/grid``: one slot, or with no position the whole grid."""
    return TableAnswer(grid) if position is None else grid_slot(grid, position)


def car_entry(grid: Grid, number: str) -> GridAnswer:
    """The entry for a car number, with the same detail as its grid slot."""
    return _slot(grid, find_car(grid, number))


def driver_entries(grid: Grid, name: str) -> DriverAnswer:
    """Every entry the driver(s) that ``name`` matches are listed in."""
    drivers, guessed = find_drivers(grid, name)
    return DriverAnswer(
        grid=grid,
        query=name,
        drivers=tuple(DriverMatch(d, grid.drivers[d]) for d in drivers),
        guessed=guessed,
    )


def _slot(grid: Grid, entry: Entry) -> GridAnswer:
    ahead = grid.at(entry.position - 1)
    behind = grid.at(entry.position + 1)
    race = grid.kind == RACE
    return GridAnswer(
        grid=grid,
        entry=entry,
        to_pole=gap_between(grid.pole, entry) if entry.position > 1 else None,
        to_ahead=gap_between(ahead, entry) if ahead else None,
        to_behind=gap_between(entry, behind) if behind else None,
        level_with=tuple(
            other
            for other in grid.entries
            if other is not entry and entry.time is not None and other.time == entry.time
        ),
        class_rank=class_rank(grid, entry),
        to_winner=finish_between(grid.pole, entry) if race and entry.position > 1 else None,
        finish_ahead=finish_between(ahead, entry) if race and ahead else None,
        finish_behind=finish_between(entry, behind) if race and behind else None,
    )


def class_rank(grid: Grid, entry: Entry) -> ClassRank | None:
    """The entry's place in its class, if the grid has a ``class`` column."""
    name = entry.extra.get("class", "").strip()
    if not name:
        return None
    same = grid.classes.get(name, (entry,))
    pole = same[0]
    return ClassRank(
        name=name,
        position=same.index(entry) + 1,
        size=len(same),
        pole=pole,
        to_pole=gap_between(pole, entry) if pole is not entry else None,
        finish=finish_between(pole, entry) if grid.kind == RACE and pole is not entry else None,
    )


def team_entries(grid: Grid, name: str) -> TeamAnswer:
    """Every entry of the team(s) that ``name`` matches."""
    teams, guessed = find_teams(grid, name)
    return TeamAnswer(
        grid=grid,
        query=name,
        teams=tuple(TeamMatch(team, grid.teams[team]) for team in teams),
        guessed=guessed,
    )


def car_gap(grid: Grid, car_a: str, car_b: str) -> GapAnswer:
    """The exact gap between two cars, by number (or driver); in a race, at the finish too."""
    first = find_car(grid, car_a)
    second = find_car(grid, car_b)
    if first is second:
        other = grid.pole if first is not grid.pole else grid.at(2) or first
        if grid.numbered(first) and grid.numbered(other):
            raise QueryError(
                f"That is car #{first.number} twice; give two different car numbers, "
                f"such as /gap {first.number} {other.number}."
            )
        raise QueryError("That is the same car twice; give two different cars.")
    low, high = sorted((first.position, second.position))
    return GapAnswer(
        grid=grid,
        first=first,
        second=second,
        gap=gap_between(first, second),
        between=grid.entries[low : high - 1],
        finish=finish_between(first, second) if grid.kind == RACE else None,
    )


ANNOUNCED = 5
"""How many cars an announcement lists."""


def announcement(grid: Grid, top: int = ANNOUNCED) -> AnnouncementAnswer:
    """A new session as it is announced: the first ``top`` cars, each with its exact gap to
    the first (in a race: how it finished against the winner)."""
    first = grid.pole
    placings = [Placing(first)]
    for entry in grid.entries[1:top]:
        if grid.kind == RACE:
            placings.append(Placing(entry, finish=finish_between(first, entry)))
        else:
            placings.append(Placing(entry, gap=gap_between(first, entry)))
    return AnnouncementAnswer(grid, tuple(placings))
