"""CSV grids: a header row, columns by name, the csv module's quoting, and every way to fail."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from bot.core.csvgrid import parse_csv_text
from bot.core.errors import GridFileError
from bot.core.loader import load_catalog, load_grid
from bot.core.model import Driver, Entry, Grid
from bot.core.parser import parse_grid_text
from tests.core_fixtures import THREE, row, table

PATH = Path("grids/test.csv")
HEADER = "Pos,No,Driver,Car,Team,Time"


def csv(*lines: str, end: str = "\n") -> str:
    return end.join(lines) + end


def plain(*rows: Sequence[str]) -> list[str]:
    """Rows of cells without anything to quote, as CSV lines."""
    return [",".join(cells) for cells in rows]


def parse(text: str) -> Grid:
    return parse_csv_text(text, PATH)


def failure(text: str) -> GridFileError:
    with pytest.raises(GridFileError) as caught:
        parse(text)
    assert caught.value.path == PATH
    assert str(caught.value).startswith(f"{PATH}:")
    return caught.value


def published(entry: Entry) -> tuple[object, ...]:
    """What a row says, without where it was."""
    return (entry.position, entry.number, entry.drivers, entry.car, entry.team, entry.time)


def test_a_header_then_one_row_per_car() -> None:
    grid = parse(csv(HEADER, *plain(*THREE)))
    assert [e.number for e in grid.entries] == ["8", "14", "4"]
    first = grid.entries[0]
    assert first.drivers == (Driver("Jan Lammers"), Driver("Andy Wallace"))
    assert (first.car, first.team, first.time) == ("Dome S101 Judd", "Racing For Holland", 883_800)
    assert [e.line for e in grid.entries] == [2, 3, 4]
    assert dict(first.extra) == {}
    assert grid.meta.event == "test"


@pytest.mark.parametrize(
    ("header", "order"),
    [
        ("Position,Car No,Drivers,Chassis,Entrant,Best lap", (0, 1, 2, 3, 4, 5)),
        ("Lap time,Entrant,#,Pos,Chassis,Driver", (5, 4, 1, 0, 3, 2)),
        ("No.,Team,Driver(s),Vehicle,P,Best time", (1, 4, 2, 3, 0, 5)),
        ("TIME,CAR,TEAM,DRIVER,CAR #,POS", (5, 3, 4, 2, 1, 0)),
    ],
)
def test_columns_in_any_order_with_synonyms_in_csv_and_markdown(
    header: str, order: tuple[int, ...]
) -> None:
    rows = [[cells[i] for i in order] for cells in THREE]
    from_csv = parse(csv(header, *plain(*rows)))
    from_md = parse_grid_text(table(row(*header.split(",")), *rows), "grids/test.md")
    expected = [published(e) for e in parse_grid_text(table(*THREE), "plain.md").entries]
    assert [published(e) for e in from_csv.entries] == expected
    assert [published(e) for e in from_md.entries] == expected


def test_quoting_commas_quotes_and_a_line_break_inside_a_cell() -> None:
    text = csv(
        "Pos,No,Driver,Car,Team,Time",
        '1,8,"Jan Lammers / Andy Wallace",Dome S101 Judd,"Racing For Holland, B.V.",1:28.380',
        '2,14,"Thomas Erdos /',
        ' Mike Newton",MG Lola EX257,"RML ""Works""",1:29.533',
        "3,4,Jamie Campbell-Walter,Lister Storm LMP,Lister Racing,1:29.900",
    )
    grid = parse(text)
    first, second, third = grid.entries
    assert first.team == "Racing For Holland, B.V."
    assert second.drivers == (Driver("Thomas Erdos"), Driver("Mike Newton"))
    assert second.team == 'RML "Works"'
    assert [e.line for e in grid.entries] == [2, 3, 5]
    assert third.time == 899_000


def test_line_numbers_after_a_quoted_line_break_point_at_the_bad_row() -> None:
    text = csv(
        HEADER,
        '1,8,"Jan Lammers',
        '/ Andy Wallace",Dome,Racing For Holland,1:28.380',
        "",
        "2,14,Thomas Erdos,MG Lola EX257,RML,1:29,533",
    )
    error = failure(text)
    assert error.line == 5
    assert "expected 6 cells" in error.problem and "found 7" in error.problem
    assert "header on line 1" in error.problem


def test_crlf_blank_lines_empty_rows_and_stray_spaces() -> None:
    text = csv(
        "",
        " Pos , No , Driver , Car , Team , Time ",
        ",,,,,",
        *plain(*THREE[:2]),
        "",
        " 3rd , 4 , Jamie Campbell-Walter , Lister  Storm LMP , Lister Racing , 1:29.900 ",
        end="\r\n",
    )
    grid = parse(text)
    assert [(e.number, e.line) for e in grid.entries] == [("8", 4), ("14", 5), ("4", 7)]
    assert grid.entries[2].car == "Lister Storm LMP"


def test_a_bom_and_a_sidecar_through_load_grid(tmp_path: Path) -> None:
    path = tmp_path / "2003-spa-qualifying.csv"
    path.write_bytes(b"\xef\xbb\xbf" + csv(HEADER, *plain(*THREE), end="\r\n").encode())
    (tmp_path / "2003-spa-qualifying.toml").write_text('event = "Spa 1000 km"\n', "utf-8")
    grid = load_grid(path)
    assert [e.number for e in grid.entries] == ["8", "14", "4"]
    assert grid.entries[0].line == 2
    assert grid.meta.title == "2003 Spa 1000 km · Qualifying"
    assert grid.meta.source == path


@pytest.mark.parametrize("cell", ["", "-", "—", "NT", "no time"])
def test_no_time_rows(cell: str) -> None:
    rows = plain(*THREE[:2], (*THREE[2][:5], cell))
    grid = parse(csv(HEADER, *rows))
    assert grid.entries[2].time is None
    assert grid.entries[1].time == 895_330


def test_extra_columns_are_kept_by_folded_name() -> None:
    text = csv(
        "Pos,No,Class,Driver,Car,Team,Time,Tyres,Laps,Notes,Notes",
        "1,8,LMP900,Jan Lammers,Dome S101 Judd,Racing For Holland,1:28.380,Michelin,12,a,b",
        "2,14,LMP675,Thomas Erdos,MG Lola EX257,RML,1:29.533,Dunlop,9,,",
    )
    first, second = parse(text).entries
    assert dict(first.extra) == {
        "class": "LMP900",
        "tyres": "Michelin",
        "laps": "12",
        "notes": "a",
        "notes 2": "b",
    }
    assert second.extra["class"] == "LMP675"
    assert first.team == "Racing For Holland"


def test_a_csv_grid_needs_a_header() -> None:
    error = failure(csv(*plain(*THREE)))
    assert error.line == 1
    assert "header" in error.problem


def test_a_header_missing_a_column() -> None:
    error = failure(csv("Pos,No,Driver,Car,Team", *plain(*(cells[:5] for cells in THREE))))
    assert error.line == 1
    assert "no column for: time" in error.problem


@pytest.mark.parametrize("text", ["", "\r\n\r\n", ",,,\n"])
def test_an_empty_file(text: str) -> None:
    error = failure(text)
    assert error.line is None
    assert "empty" in error.problem


def test_a_header_and_no_rows() -> None:
    assert "no rows" in failure(csv(HEADER)).problem


def test_bad_values_name_the_line() -> None:
    rows = plain(THREE[0], THREE[1], ("3rd", "4", "J", "Lister", "Lister Racing", "1:29"))
    error = failure(csv(HEADER, *rows))
    assert error.line == 4
    assert "cannot read the lap time '1:29'" in error.problem
    duplicate = failure(csv(HEADER, *plain(THREE[0], ("2nd", "#8", *THREE[1][2:]))))
    assert duplicate.line == 3
    assert "duplicate car number #8 (already on line 2)" in duplicate.problem


def test_an_unclosed_quote_is_reported_where_its_row_starts() -> None:
    text = csv(HEADER, *plain(THREE[0]), '2,14,"Thomas Erdos,MG Lola EX257,RML,1:29.533', "x", "y")
    error = failure(text)
    assert error.line == 3
    assert "never closed" in error.problem
    swallowed = csv(HEADER, *plain(THREE[0]), '2,14,"Thomas Erdos', *["x" * 1000] * 200)
    error = failure(swallowed)
    assert error.line == 3
    assert "quote left open" in error.problem


def test_text_after_a_closing_quote_is_reported_on_its_line() -> None:
    text = csv(HEADER, '1,8,"Jan Lammers', 'and"Andy,Dome,Team,1:28.380', *plain(THREE[1]))
    error = failure(text)
    assert error.line == 3
    assert '""' in error.problem


def test_load_catalog_mixes_markdown_and_csv_and_never_reads_toml(tmp_path: Path) -> None:
    (tmp_path / "a-qualifying.md").write_text(table(*THREE), "utf-8")
    (tmp_path / "b-race.csv").write_text(csv(HEADER, *plain(*THREE)), "utf-8")
    (tmp_path / "b-race.toml").write_text('event = "B"\n', "utf-8")
    (tmp_path / "c.toml").write_text('event = "not a grid"\n', "utf-8")
    catalog = load_catalog(tmp_path)
    assert sorted(catalog.grids) == ["a-qualifying", "b-race"]
    assert catalog.grids["b-race"].meta.event == "B"
    with pytest.raises(GridFileError) as caught:
        load_grid(tmp_path / "c.toml")
    assert "not a grid" in caught.value.problem


def test_a_markdown_and_a_csv_grid_of_the_same_name_are_refused(tmp_path: Path) -> None:
    (tmp_path / "le-mans.md").write_text(table(*THREE), "utf-8")
    (tmp_path / "le-mans.csv").write_text(csv(HEADER, *plain(*THREE)), "utf-8")
    with pytest.raises(GridFileError) as caught:
        load_catalog(tmp_path)
    assert caught.value.path == tmp_path / "le-mans.md"
    assert "le-mans.csv" in caught.value.problem
    assert "rename" in caught.value.problem
