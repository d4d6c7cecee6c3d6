"""Grids that are valid but unusual: times out of order, twin spellings, no-time class cars."""

from __future__ import annotations

from bot.core import queries
from bot.core.answers import TableAnswer
from bot.core.parser import parse_grid_text
from bot.render.cards import card_for, table_pages
from bot.render.text import to_text

OUT_OF_ORDER = """\
| 1 | 1 | A | Car A | Alpha | 1:00.000 | LMP |
| 2 | 2 | B | Car B | Beta | 1:00.0005 | LMP |
| 3 | 3 | C | Car C | Gamma | 59.999 | GT |
| 4 | 4 | D | Car D | Delta | - | GT |
"""
HEADER = "| Pos | No | Drivers | Car | Team | Time | Class |\n|---|---|---|---|---|---|---|\n"


def grid_text(command: str, text: str = HEADER + OUT_OF_ORDER) -> str:
    grid = parse_grid_text(text, "odd.md")
    name, _, arg = command.partition(" ")
    if name == "grid" and not arg:
        whole = queries.grid_or_slot(grid)
        assert isinstance(whole, TableAnswer), "no position: the whole grid"
        return "\n".join(to_text(c) for c in table_pages(whole))
    if name == "grid":
        return to_text(card_for(queries.grid_slot(grid, int(arg))))
    return to_text(card_for(queries.team_entries(grid, arg)))


def test_a_car_faster_than_pole_is_shown_as_faster() -> None:
    third = grid_text("grid 3")
    assert "Gap to pole: -0.001 s (-0.002 %)" in third
    assert "To the car ahead: 0.002 s (0.003 %) ahead of #2, P2" in third


def test_pole_is_not_called_fastest_when_it_was_not() -> None:
    assert "Pole position: first on the grid; #3 was faster" in grid_text("grid 1")


def test_table_gap_keeps_its_sign() -> None:
    assert "3 #3  Gamma   59.999 -0.001" in grid_text("grid")


def test_a_no_time_car_is_not_class_pole() -> None:
    fourth = grid_text("grid 4")
    assert "Class GT: P2 of 2 · no gap to #3, P3: this car set no time" in fourth
    assert "Gap to pole: no time" in fourth


def test_twin_spellings_are_both_found() -> None:
    text = (
        "| 1 | 1 | A | Car | Courage Compétition | 1:00.000 |\n"
        "| 2 | 2 | B | Car | Courage Competition | 1:01.000 |\n"
    )
    grid = parse_grid_text(text, "twins.md")
    exact = queries.team_entries(grid, "Courage Compétition")
    assert [t.team for t in exact.teams] == ["Courage Compétition"]
    folded = queries.team_entries(grid, "courage competition")
    assert [t.team for t in folded.teams] == ["Courage Compétition", "Courage Competition"]


def test_unicode_line_separators_inside_a_cell_do_not_split_rows() -> None:
    text = "| 1 | 1 | A | Car\u2028X | Team | 1:00.000 |\n| 2 | 2 | B | Car | Team2 | 1:01.000 |\n"
    grid = parse_grid_text(text, "ls.md")
    assert len(grid) == 2 and grid.entries[1].line == 2


def test_pole_without_a_time_is_said_so() -> None:
    text = "| 1 | 1 | A | Car | Alpha | NT |\n| 2 | 2 | B | Car | Beta | 1:28.380 |\n"
    second = grid_text("grid 2", text)
    assert "Best lap: 1:28.380" in second
    assert "Gap to pole: the pole car set no time" in second
