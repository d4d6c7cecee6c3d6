"""The three questions, asked of the seed grid: /grid, /team and /gap."""

from __future__ import annotations

from fractions import Fraction

import pytest

from bot.core import queries
from bot.core.errors import QueryError
from bot.core.lookup import entry_at, find_car, find_teams
from bot.core.model import Entry
from bot.core.times import format_gap
from tests.core_fixtures import SEED_CARS, seed_grid, small_grid


def numbers(entries: tuple[Entry, ...]) -> list[str]:
    return [e.number for e in entries]


# /grid


def test_grid_5() -> None:
    answer = queries.grid_slot(seed_grid(), 5)
    entry = answer.entry
    assert (entry.position, entry.number, entry.car, entry.team) == (
        5,
        "14",
        "MG Lola EX257",
        "RML",
    )
    assert entry.time == 895_330
    assert answer.to_pole is not None
    assert answer.to_pole.ticks == 16_350
    assert format_gap(answer.to_pole.ticks) == "1.635 s"
    assert answer.to_pole.faster.number == "5"
    assert answer.to_ahead is not None
    assert (answer.to_ahead.faster.number, answer.to_ahead.slower.number) == ("9", "14")
    assert format_gap(answer.to_ahead.ticks) == "0.431 s"
    assert answer.to_behind is not None
    assert (answer.to_behind.faster.number, answer.to_behind.slower.number) == ("14", "2")
    assert format_gap(answer.to_behind.ticks) == "0.399 s"
    assert answer.level_with == ()


def test_grid_1_has_no_gap_to_pole_and_no_car_ahead() -> None:
    answer = queries.grid_slot(seed_grid(), 1)
    assert answer.entry.number == "5"
    assert answer.to_pole is None
    assert answer.to_ahead is None
    assert answer.to_behind is not None
    assert answer.to_behind.ticks == 4_820


def test_grid_12_and_13_are_level() -> None:
    grid = seed_grid()
    twelfth = queries.grid_slot(grid, 12)
    thirteenth = queries.grid_slot(grid, 13)
    assert numbers(twelfth.level_with) == ["15"]
    assert numbers(thirteenth.level_with) == ["66"]
    assert twelfth.to_behind is not None and twelfth.to_behind.level
    assert twelfth.to_behind.ticks == 0
    assert thirteenth.to_ahead is not None and thirteenth.to_ahead.level
    assert thirteenth.to_ahead.faster.number == "66"  # published order breaks the tie
    assert twelfth.to_pole is not None and thirteenth.to_pole is not None
    assert twelfth.to_pole.ticks == thirteenth.to_pole.ticks == 89_340
    assert twelfth.to_ahead is not None and not twelfth.to_ahead.level


def test_grid_34_has_no_car_behind() -> None:
    answer = queries.grid_slot(seed_grid(), SEED_CARS)
    assert answer.entry.number == "48"
    assert answer.to_behind is None
    assert answer.to_ahead is not None
    assert answer.to_ahead.ticks == 2_000


@pytest.mark.parametrize("position", [0, 35, -1, 2**53, -(2**63)])
def test_grid_out_of_range(position: int) -> None:
    with pytest.raises(QueryError) as caught:
        queries.grid_slot(seed_grid(), position)
    assert caught.value.message == "The grid has 34 cars; pick 1–34."
    assert str(caught.value) == caught.value.message


@pytest.mark.parametrize("position", ["5", True, False, 5.0, None])
def test_grid_position_that_is_not_a_whole_number(position: object) -> None:
    with pytest.raises(QueryError) as caught:
        entry_at(seed_grid(), position)
    assert caught.value.message == "The position must be a whole number from 1 to 34."


# /team


def test_team_lister() -> None:
    answer = queries.team_entries(seed_grid(), "Lister")
    assert [t.team for t in answer.teams] == ["Lister Racing"]
    assert numbers(answer.teams[0].entries) == ["4"]
    assert answer.guessed is False
    assert answer.query == "Lister"


def test_team_exact_name_wins_over_containing() -> None:
    answer = queries.team_entries(seed_grid(), "Intersport Racing")
    assert [t.team for t in answer.teams] == ["Intersport Racing"]
    assert numbers(answer.teams[0].entries) == ["6"]


def test_team_part_of_a_name_matches_every_team_containing_it() -> None:
    answer = queries.team_entries(seed_grid(), "intersport")
    assert [t.team for t in answer.teams] == ["Intersport Racing Field", "Intersport Racing"]
    assert [numbers(t.entries) for t in answer.teams] == [["18"], ["6"]]
    assert answer.guessed is False


def test_team_welter() -> None:
    answer = queries.team_entries(seed_grid(), "welter")
    assert [t.team for t in answer.teams] == ["Rachel Welter", "Gérard Welter"]


@pytest.mark.parametrize("query", ["noel del bello", "Noël del Bello", "NOEL DEL-BELLO"])
def test_team_accents_case_and_punctuation_are_ignored(query: str) -> None:
    answer = queries.team_entries(seed_grid(), query)
    assert [t.team for t in answer.teams] == ["Noël del Bello"]
    assert numbers(answer.teams[0].entries) == ["34"]
    assert answer.guessed is False


def test_team_with_several_entries() -> None:
    answer = queries.team_entries(seed_grid(), "dewalt")
    assert [t.team for t in answer.teams] == ["Dewalt-Racesports Salesbury"]
    assert numbers(answer.teams[0].entries) == ["46", "45"]


@pytest.mark.parametrize("query", ["lsiter", "Lister Racnig"])
def test_team_typo_is_a_guess(query: str) -> None:
    answer = queries.team_entries(seed_grid(), query)
    assert [t.team for t in answer.teams] == ["Lister Racing"]
    assert answer.guessed is True


def test_team_nonsense_suggests_nothing() -> None:
    with pytest.raises(QueryError) as caught:
        queries.team_entries(seed_grid(), "zzzz")
    assert "zzzz" in caught.value.message
    assert caught.value.suggestions == (), "as autocomplete offers nothing for zzzz"


@pytest.mark.parametrize("query", ["", "   ", "\t\n", "!!!", "-- / --", "…"])
def test_team_empty_or_punctuation_only(query: str) -> None:
    with pytest.raises(QueryError) as caught:
        queries.team_entries(seed_grid(), query)
    assert "team name" in caught.value.message


@pytest.mark.parametrize("query", ["Lister Racing " + "x" * 87, "a" * 101])
def test_team_too_long(query: str) -> None:
    assert len(query) > 100
    with pytest.raises(QueryError) as caught:
        find_teams(seed_grid(), query)
    assert "100 characters" in caught.value.message


def test_team_length_limit_is_exactly_100() -> None:
    at_limit = "l" * 100
    with pytest.raises(QueryError) as caught:
        find_teams(seed_grid(), at_limit)
    assert "No team matches" in caught.value.message
    with pytest.raises(QueryError) as caught:
        find_teams(seed_grid(), at_limit + "l")
    assert "100 characters" in caught.value.message


# /gap


@pytest.mark.parametrize(("a", "b"), [("8", "14"), ("14", "8"), ("#8", "#14"), ("08", "14")])
def test_gap_8_14(a: str, b: str) -> None:
    answer = queries.car_gap(seed_grid(), a, b)
    assert answer.gap is not None
    assert answer.gap.ticks == 11_530
    assert answer.gap.faster.number == "8"
    assert answer.gap.slower.number == "14"
    assert answer.gap.percent == Fraction(11_530 * 100, 883_800)
    assert [e.position for e in answer.between] == [3, 4]
    assert {answer.first.number, answer.second.number} == {"8", "14"}


def test_gap_keeps_the_order_asked() -> None:
    answer = queries.car_gap(seed_grid(), "14", "8")
    assert (answer.first.number, answer.second.number) == ("14", "8")


def test_gap_level_cars() -> None:
    answer = queries.car_gap(seed_grid(), "66", "15")
    assert answer.gap is not None
    assert answer.gap.level
    assert answer.gap.ticks == 0
    assert answer.gap.percent == 0
    assert answer.gap.faster.number == "66"
    assert answer.between == ()


@pytest.mark.parametrize(("a", "b"), [("8", "8"), ("8", "#8"), ("#8", " 8 "), ("8", "08")])
def test_gap_same_car(a: str, b: str) -> None:
    with pytest.raises(QueryError) as caught:
        queries.car_gap(seed_grid(), a, b)
    assert "#8 twice" in caught.value.message


def test_gap_unknown_car_suggests_the_nearest_numbers() -> None:
    with pytest.raises(QueryError) as caught:
        queries.car_gap(seed_grid(), "99", "8")
    assert caught.value.message == "No car #99 on this grid."
    assert caught.value.suggestions == ("#86", "#80", "#66", "#49", "#48")


def test_gap_empty_car_number() -> None:
    with pytest.raises(QueryError) as caught:
        find_car(seed_grid(), " # ")
    assert "car number" in caught.value.message


def test_08_is_its_own_car_when_there_is_one() -> None:
    grid = small_grid(
        ("1", "8", "A", "Car A", "Team A", "1:00.000"),
        ("2", "08", "B", "Car B", "Team B", "1:00.500"),
    )
    assert find_car(grid, "08").team == "Team B"
    assert find_car(grid, "8").team == "Team A"
    assert find_car(grid, "#08").team == "Team B"
    with pytest.raises(QueryError):
        find_car(grid, "008")  # two cars have the value 8: no guessing


@pytest.mark.parametrize("number", ["²", "8²", "9" * 5000])
def test_gap_odd_digits_are_a_query_error(number: str) -> None:
    # str.isdigit() is true for all three, but int() cannot read them.
    with pytest.raises(QueryError) as caught:
        queries.car_gap(seed_grid(), number, "8")
    assert caught.value.message.startswith("No car #")


def test_gap_with_a_no_time_car() -> None:
    grid = small_grid(
        ("1", "8", "A", "Car A", "Team A", "1:00.000"),
        ("2", "14", "B", "Car B", "Team B", "1:00.500"),
        ("3", "4", "C", "Car C", "Team C", "NT"),
    )
    answer = queries.car_gap(grid, "8", "4")
    assert answer.gap is None
    assert numbers(answer.between) == ["14"]
    assert queries.car_gap(grid, "4", "14").gap is None
    slot = queries.grid_slot(grid, 3)
    assert slot.to_pole is None
    assert slot.to_ahead is None
    assert slot.level_with == ()
    timed = queries.car_gap(grid, "14", "8").gap
    assert timed is not None and timed.ticks == 5_000
