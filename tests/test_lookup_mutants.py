"""What a person sees when looking up cars, teams and drivers: exact wordings, which names
match and whether the match is a guess, what a miss suggests, and the limits of car numbers.

Written to pin behaviour that the mutation run (``make mutate``, TESTING.md) showed no fast
test asserting. Each test parses its own copy of the seed grid, so answers the grid remembers
from one test never leak into another.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.core import lookup
from bot.core.errors import QueryError
from bot.core.loader import load_grid
from bot.core.lookup import find_car, find_drivers, find_teams, name_score, nearest_numbers
from bot.core.model import Grid
from bot.core.search import FUZZY_CUTOFF
from bot.core.text import clip
from bot.core.times import TimeFormatError, parse_time
from tests.core_fixtures import SEED, small_grid


@pytest.fixture
def grid() -> Grid:
    """A fresh parse of the seed grid: nothing remembered yet."""
    return load_grid(SEED)


def query_error(call: Callable[[Grid, str], object], grid: Grid, text: str) -> QueryError:
    with pytest.raises(QueryError) as caught:
        call(grid, text)
    return caught.value


# times.py and text.py


def test_unreadable_lap_time_says_what_is_expected() -> None:
    with pytest.raises(TimeFormatError) as caught:
        parse_time(" 1:2.3 ")
    assert str(caught.value) == (
        "cannot read the lap time '1:2.3': "
        "expected m:ss.fff, ss.fff or h:mm:ss.fff with 1-4 decimals"
    )


def test_clip_keeps_a_text_of_exactly_the_limit() -> None:
    assert clip("abcde", 5) == "abcde"
    assert clip("abcdef", 5) == "abcd…"


# Car numbers


@pytest.mark.parametrize("number", ["", "   ", "#", " # "])
def test_no_car_number_asks_for_one(grid: Grid, number: str) -> None:
    error = query_error(find_car, grid, number)
    assert error.message == "Give a car number, such as 8 or #8."
    assert error.suggestions == ()


@pytest.mark.parametrize("number", ["8", "#8", " # 8 ", "08", "#008"])
def test_8_and_its_leading_zero_forms_find_car_8_when_no_car_is_08(grid: Grid, number: str) -> None:
    assert find_car(grid, number).team == "Racing For Holland"


def test_a_20_digit_number_is_read_as_a_number(grid: Grid) -> None:
    twenty = "0" * 19 + "8"
    assert len(twenty) == 20
    assert find_car(grid, twenty).number == "8"
    missing = "0" * 18 + "99"
    error = query_error(find_car, grid, missing)
    assert error.message == "No car #00000000000000000099 on this grid."
    assert error.suggestions == ("#86", "#80", "#66", "#49", "#48")
    assert nearest_numbers(grid, missing) == ["#86", "#80", "#66", "#49", "#48"]


def test_a_21_digit_number_is_not_a_number_and_is_clipped_in_the_answer(grid: Grid) -> None:
    twenty_one = "0" * 20 + "8"
    error = query_error(find_car, grid, twenty_one)
    # Shown clipped to 20 characters; not read as car 8, and no numeric neighbours offered.
    assert error.message == "No car #0000000000000000000… on this grid."
    assert error.suggestions == ()
    assert nearest_numbers(grid, twenty_one) == []


def test_nearest_numbers_skip_car_numbers_that_are_not_numbers() -> None:
    grid = small_grid(
        ("1", "8", "A Driver", "Car A", "Team A", "1:00.000"),
        ("2", "14", "B Driver", "Car B", "Team B", "1:00.500"),
        ("3", "12B", "C Driver", "Car C", "Team C", "1:01.000"),
    )
    error = query_error(find_car, grid, "9")
    assert error.message == "No car #9 on this grid."
    assert error.suggestions == ("#8", "#14")


def test_a_car_asked_for_by_name_suggests_what_autocomplete_offers(grid: Grid) -> None:
    error = query_error(find_car, grid, "Lister")
    assert error.message == "No car #lister on this grid."
    assert error.suggestions == ("#4",)


# Team and driver names: wordings


@pytest.mark.parametrize("text", ["", "  ", "!!!"])
def test_an_empty_name_gives_an_example(grid: Grid, text: str) -> None:
    team = query_error(find_teams, grid, text)
    assert team.message == "Type at least part of a team name, such as Lister."
    driver = query_error(find_drivers, grid, text)
    assert driver.message == "Type at least part of a driver name, such as Kristensen."


def test_a_name_longer_than_100_characters_is_refused(grid: Grid) -> None:
    text = "a" * 101
    team = query_error(find_teams, grid, text)
    assert team.message == "That is longer than any team name (100 characters at most)."
    driver = query_error(find_drivers, grid, text)
    assert driver.message == "That is longer than any driver name (100 characters at most)."


def test_a_miss_shows_the_text_clipped_to_40_characters(grid: Grid) -> None:
    forty = "q" * 40
    assert query_error(find_teams, grid, forty).message == f"No team matches “{forty}”."
    error = query_error(find_teams, grid, forty + "q")
    assert error.message == f"No team matches “{'q' * 39}…”."
    assert error.suggestions == ()


def test_a_team_miss_suggests_what_autocomplete_offers(grid: Grid) -> None:
    error = query_error(find_teams, grid, "Taurus Lister")
    assert error.message == "No team matches “Taurus Lister”."
    assert error.suggestions == ("Lister Racing",)


def test_a_driver_miss_suggests_what_autocomplete_offers(grid: Grid) -> None:
    error = query_error(find_drivers, grid, "Lammers Wallace")
    assert error.message == "No driver matches “Lammers Wallace”."
    assert error.suggestions == ("Andy Wallace",)


def test_nonsense_suggests_nothing(grid: Grid) -> None:
    team = query_error(find_teams, grid, "zzzz")
    assert (team.message, team.suggestions) == ("No team matches “zzzz”.", ())
    driver = query_error(find_drivers, grid, "zzzz")
    assert (driver.message, driver.suggestions) == ("No driver matches “zzzz”.", ())


# Team and driver names: which names match, and whether it is a guess


@pytest.mark.parametrize(
    ("text", "teams"),
    [
        ("RML", ["RML"]),
        ("rml", ["RML"]),
        ("Courage Competition", ["Courage Compétition"]),
        ("Welter", ["Rachel Welter", "Gérard Welter"]),
        (
            "racing",
            [
                "Racing For Holland",
                "Lister Racing",
                "Taurus Racing",
                "Intersport Racing Field",
                "Intersport Racing",
                "Care Racing",
                "XL Racing",
            ],
        ),
    ],
)
def test_exact_and_containing_matches_are_not_guesses(
    grid: Grid, text: str, teams: list[str]
) -> None:
    assert find_teams(grid, text) == (teams, False)


@pytest.mark.parametrize(
    ("text", "drivers"),
    [("Kristensen", ["Tom Kristensen"]), ("field", ["Jon Field", "Clint Field"])],
)
def test_driver_exact_and_containing_matches_are_not_guesses(
    grid: Grid, text: str, drivers: list[str]
) -> None:
    assert find_drivers(grid, text) == (drivers, False)


def test_typos_are_guessed(grid: Grid) -> None:
    assert find_teams(grid, "Audi Japon") == (["Audi Japan Team Goh"], True)
    assert find_drivers(grid, "Bourdias") == (["Sébastien Bourdais"], True)
    assert find_drivers(grid, "Sebastian") == (["Sébastien Bourdais", "Sébastien Dumez"], True)


def test_words_in_another_order_are_guessed(grid: Grid) -> None:
    assert find_drivers(grid, "Kristensen Tom") == (["Tom Kristensen"], True)
    assert find_drivers(grid, "Lammers Jan") == (["Jan Lammers"], True)


def test_the_fuzzy_cut_off_is_inclusive() -> None:
    grid = small_grid(
        ("1", "8", "A Driver", "Car A", "Audi", "1:00.000"),
        ("2", "14", "B Driver", "Car B", "Peugeot Sport", "1:00.500"),
    )
    # One wrong letter in four scores exactly the cut-off: still found, as a guess.
    assert name_score("audo", "audi") == FUZZY_CUTOFF == 75.0
    assert find_teams(grid, "Audo") == (["Audi"], True)
    error = query_error(find_teams, grid, "Aydo")
    assert (error.message, error.suggestions) == ("No team matches “Aydo”.", ())


def test_an_extra_word_is_not_dropped_to_reach_the_cut_off(grid: Grid) -> None:
    # The two words typed are compared with two words of the name, not with "Munsterhuis"
    # alone: below the cut-off, so the name is only suggested, not guessed.
    error = query_error(find_drivers, grid, "K Umnsterhuis")
    assert error.message == "No driver matches “K Umnsterhuis”."
    assert error.suggestions == ("Frans Munsterhuis",)
    assert find_drivers(grid, "Frans Umnsterhuis") == (["Frans Munsterhuis"], True)


def test_name_score_forgives_a_typo_in_any_word() -> None:
    # One swap of two letters costs one edit in the run of words compared.
    assert name_score("bourdias", "sebastien bourdais") == 100 * (1 - 1 / 8)
    assert name_score("tom kristensne", "seiji ara tom kristensen") == pytest.approx(
        100 * (1 - 1 / 14)
    )
    # The last word alone, exactly: full marks.
    assert name_score("vosse", "vincent vosse") == 100.0
    # Words in another order: WRatio's token sort (95 %).
    assert name_score("kristensen tom", "tom kristensen") == 95.0


# Remembered answers


def test_remembered_answers_are_copies(grid: Grid) -> None:
    names, guessed = find_teams(grid, "Welter")
    names.clear()
    assert find_teams(grid, "Welter") == (["Rachel Welter", "Gérard Welter"], False)
    assert guessed is False


def test_each_name_gets_its_own_answer(grid: Grid) -> None:
    assert find_drivers(grid, "Kristensen") == (["Tom Kristensen"], False)
    assert find_drivers(grid, "Lammers") == (["Jan Lammers"], False)
    assert find_drivers(grid, "Kristensen") == (["Tom Kristensen"], False)


def test_teams_and_drivers_are_answered_apart(grid: Grid) -> None:
    assert find_teams(grid, "Field") == (["Intersport Racing Field"], False)
    assert find_drivers(grid, "Field") == (["Jon Field", "Clint Field"], False)
    assert find_teams(grid, "Field") == (["Intersport Racing Field"], False)


def test_a_miss_is_scored_once(grid: Grid, monkeypatch: pytest.MonkeyPatch) -> None:
    # A miss is the costly lookup (scored against every name): the grid remembers it.
    scored: list[str] = []
    score = lookup.name_score

    def counting(query: str, key: str) -> float:
        scored.append(key)
        return score(query, key)

    monkeypatch.setattr(lookup, "name_score", counting)
    first = query_error(find_teams, grid, "zzzz")
    assert len(scored) == len(grid.teams)
    again = query_error(find_teams, grid, "zzzz")
    assert (again.message, again.suggestions) == (first.message, first.suggestions)
    assert len(scored) == len(grid.teams)
