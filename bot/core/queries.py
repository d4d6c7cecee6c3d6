"""The questions the bot answers, one function each: grid in, answer object out.

Cogs and the offline mode both call these; neither does any lookup of its own.
"""

from __future__ import annotations

from bot.core.answers import GapAnswer, GridAnswer, TeamAnswer, TeamMatch
from bot.core.errors import QueryError
from bot.core.gaps import gap_between
from bot.core.lookup import entry_at, find_car, find_teams
from bot.core.model import Grid


def grid_slot(grid: Grid, position: int) -> GridAnswer:
    """Who qualified at ``position``, with gaps to pole and the cars either side."""
    entry = entry_at(grid, position)
    ahead = grid.at(entry.position - 1)
    behind = grid.at(entry.position + 1)
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
    """The exact gap between two cars, by number."""
    first = find_car(grid, car_a)
    second = find_car(grid, car_b)
    if first is second:
        other = grid.pole if first is not grid.pole else grid.at(2) or first
        raise QueryError(
            f"That is car #{first.number} twice; give two different car numbers, "
            f"such as /gap {first.number} {other.number}."
        )
    low, high = sorted((first.position, second.position))
    return GapAnswer(
        grid=grid,
        first=first,
        second=second,
        gap=gap_between(first, second),
        between=grid.entries[low : high - 1],
    )
