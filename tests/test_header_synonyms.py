"""Every header synonym the parser knows names its column, in Markdown and in CSV."""

from __future__ import annotations

import pytest

from bot.core.csvgrid import parse_csv_text
from bot.core.model import Grid
from bot.core.parser import SYNONYMS, parse_grid_text
from tests.core_fixtures import THREE, row, table

COLUMNS = ("position", "number", "drivers", "car", "team", "time")
ORDER = (5, 4, 3, 2, 1, 0)
"""Columns laid out backwards, so that no column is found by where it stands."""
# Header cells the parser folds to a column without SYNONYMS: see parser.column_of.
HASH_NAMES = {"#": "number", "Car #": "number"}
CASES = sorted({**SYNONYMS, **HASH_NAMES}.items())


def header_with(name: str, column: str) -> list[str]:
    """The six headers in ORDER, the one for ``column`` written ``name``, others canonical."""
    return [name if COLUMNS[i] == column else COLUMNS[i] for i in ORDER]


def parse(fmt: str, header: list[str]) -> Grid:
    rows = [[cells[i] for i in ORDER] for cells in THREE]
    if fmt == "csv":
        text = "\n".join(",".join(cells) for cells in [header, *rows]) + "\n"
        return parse_csv_text(text, "grids/synonyms.csv")
    return parse_grid_text(table(row(*header), *rows), "grids/synonyms.md")


def test_every_column_has_a_synonym_and_every_synonym_a_column() -> None:
    assert set(SYNONYMS.values()) == set(COLUMNS)
    assert all(SYNONYMS[column] == column for column in COLUMNS)


@pytest.mark.parametrize("fmt", ["md", "csv"])
@pytest.mark.parametrize(("name", "column"), CASES, ids=[name for name, _ in CASES])
def test_a_header_synonym_names_its_column(fmt: str, name: str, column: str) -> None:
    grid = parse(fmt, header_with(name, column))

    expected = parse_grid_text(table(*THREE), "grids/plain.md")
    assert len(grid.entries) == len(THREE)
    for got, want in zip(grid.entries, expected.entries, strict=True):
        assert (got.position, got.number, got.drivers, got.car, got.team, got.time) == (
            want.position,
            want.number,
            want.drivers,
            want.car,
            want.team,
            want.time,
        ), f"{name!r} should name the {column} column"


@pytest.mark.parametrize("fmt", ["md", "csv"])
@pytest.mark.parametrize(("name", "column"), CASES, ids=[name for name, _ in CASES])
def test_a_header_synonym_is_read_in_any_case(fmt: str, name: str, column: str) -> None:
    grid = parse(fmt, header_with(name.upper(), column))

    assert [e.number for e in grid.entries] == [cells[1] for cells in THREE]
    assert [e.team for e in grid.entries] == [cells[4] for cells in THREE]
