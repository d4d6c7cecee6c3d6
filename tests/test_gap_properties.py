"""Gaps, both ways round: ``gap(a, b)`` mirrors ``gap(b, a)``, ties keep the published order,
and cars without a time are never level."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import given
from hypothesis import strategies as st

from bot.core.answers import Gap
from bot.core.gaps import gap_between
from bot.core.model import Entry, Grid
from bot.core.queries import car_gap
from bot.core.times import format_time
from tests.core_fixtures import small_grid

BASE = 88 * 10_000  # 1:28.000 in ticks
# Few distinct times, so that ties (and cars with no time) come up often.
times = st.one_of(st.none(), st.integers(min_value=BASE, max_value=BASE + 3))
grids = st.lists(times, min_size=2, max_size=8)
pairs = st.tuples(st.integers(min_value=0), st.integers(min_value=0))


def grid_of(laps: Sequence[int | None]) -> Grid:
    """A grid in published order: position ``i + 1`` is car ``10 + i`` with ``laps[i]``."""
    rows = [
        (
            str(i + 1),
            str(10 + i),
            f"Driver {i}",
            "Car",
            f"Team {i}",
            "-" if lap is None else format_time(lap),
        )
        for i, lap in enumerate(laps)
    ]
    return small_grid(*rows)


def two_cars(grid: Grid, pair: tuple[int, int]) -> tuple[Entry, Entry]:
    count = len(grid.entries)
    i, j = pair[0] % count, pair[1] % count
    if i == j:
        j = (j + 1) % count
    return grid.entries[i], grid.entries[j]


def same(one: Gap | None, other: Gap | None) -> bool:
    if one is None or other is None:
        return one is other
    return (one.faster, one.slower, one.ticks) == (other.faster, other.slower, other.ticks)


@given(grids, pairs)
def test_the_gap_is_the_same_both_ways_round(laps: list[int | None], pair: tuple[int, int]) -> None:
    grid = grid_of(laps)
    a, b = two_cars(grid, pair)

    assert same(gap_between(a, b), gap_between(b, a))
    forward = car_gap(grid, a.number, b.number).gap
    backward = car_gap(grid, b.number, a.number).gap
    assert same(forward, backward)
    assert same(forward, gap_between(a, b))


@given(grids, pairs)
def test_the_faster_car_is_named_first_and_on_a_tie_the_higher_placed(
    laps: list[int | None], pair: tuple[int, int]
) -> None:
    grid = grid_of(laps)
    a, b = two_cars(grid, pair)
    gap = car_gap(grid, a.number, b.number).gap
    if a.time is None or b.time is None:
        return
    assert gap is not None
    assert gap.faster.time is not None and gap.slower.time is not None
    assert gap.ticks == gap.slower.time - gap.faster.time >= 0
    assert (gap.faster, gap.slower) in ((a, b), (b, a))
    if a.time == b.time:
        assert gap.level
        assert gap.faster.position < gap.slower.position, "the published order breaks a tie"
    else:
        assert not gap.level
        assert gap.faster.time < gap.slower.time


@given(st.integers(min_value=0, max_value=3), st.integers(min_value=BASE, max_value=BASE + 3))
def test_a_tie_names_the_higher_placed_car_first_whichever_is_asked_first(
    before: int, lap: int
) -> None:
    grid = grid_of([BASE] * before + [lap, lap])
    higher, lower = grid.entries[before], grid.entries[before + 1]

    for first, second in ((higher, lower), (lower, higher)):
        gap = car_gap(grid, first.number, second.number).gap
        assert gap is not None and gap.level
        assert (gap.faster, gap.slower) == (higher, lower)


@given(grids, pairs)
def test_cars_without_a_time_are_never_level(laps: list[int | None], pair: tuple[int, int]) -> None:
    laps = [None, None, *laps]
    grid = grid_of(laps)
    a, b = two_cars(grid, pair)
    answer = car_gap(grid, a.number, b.number)
    if a.time is None or b.time is None:
        assert answer.gap is None, "no time is not the same time"
    untimed = grid.entries[0], grid.entries[1]
    assert gap_between(*untimed) is None
    assert car_gap(grid, untimed[0].number, untimed[1].number).gap is None
