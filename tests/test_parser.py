"""The grid parser and loader: every quirk of the published tables, and every way to fail."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.core.errors import GridFileError
from bot.core.loader import load_catalog, load_grid, meta_from_name, read_meta
from bot.core.model import Driver, Entry, Grid
from bot.core.parser import decode, parse_grid_text
from bot.core.text import fold
from tests.core_fixtures import SEED, SEED_CARS, SEED_TITLE, THREE, row, seed_grid, table

PATH = Path("grids/test.md")


def parse(text: str) -> Grid:
    return parse_grid_text(text, PATH)


def failure(text: str) -> GridFileError:
    with pytest.raises(GridFileError) as caught:
        parse(text)
    assert caught.value.path == PATH
    return caught.value


def only(grid: Grid) -> Entry:
    assert len(grid) == 1
    return grid.entries[0]


# The accepted quirks.


def test_a_table_without_a_header_reads_columns_in_the_standard_order() -> None:
    grid = parse(table(*THREE))
    assert len(grid) == 3
    first = grid.entries[0]
    assert first == Entry(
        position=1,
        number="8",
        drivers=(Driver("Jan Lammers"), Driver("Andy Wallace")),
        car="Dome S101 Judd",
        team="Racing For Holland",
        time=883_800,
        line=1,
    )
    assert [e.number for e in grid.entries] == ["8", "14", "4"]
    assert [e.line for e in grid.entries] == [1, 2, 3]
    assert dict(first.extra) == {}


def test_a_header_in_another_order_with_synonyms_and_an_extra_column() -> None:
    text = table(
        "| Best lap | Entrant | No. | Pos | Chassis | Class | Driver |",
        "|---|---|:--:|---|---|---|---|",
        row("1:28.380", "Racing For Holland", "8", "1", "Dome S101 Judd", "LMP900", "Jan Lammers"),
        row("1:29.533", "RML", "14", "2", "MG Lola EX257", "LMP675", "Thomas Erdos / Mike Newton"),
    )
    grid = parse(text)
    assert len(grid) == 2
    first, second = grid.entries
    assert (first.position, first.number, first.car, first.team, first.time) == (
        1,
        "8",
        "Dome S101 Judd",
        "Racing For Holland",
        883_800,
    )
    assert first.drivers == (Driver("Jan Lammers"),)
    assert second.drivers == (Driver("Thomas Erdos"), Driver("Mike Newton"))
    assert (first.line, second.line) == (3, 4)
    assert {fold(k): v for k, v in first.extra.items()} == {"class": "LMP900"}
    assert {fold(k): v for k, v in second.extra.items()} == {"class": "LMP675"}


@pytest.mark.parametrize(
    "header",
    [
        "| Pos | No. | Driver | Chassis | Entrant | Best lap |",
        "| Position | # | Drivers | Car | Team | Time |",
        "| P | Car No | Driver | Vehicle | Team | Lap time |",
        "| POS | NO. | DRIVER | CHASSIS | ENTRANT | BEST LAP |",
    ],
)
def test_header_synonyms_without_a_separator(header: str) -> None:
    grid = parse(table(header, *THREE))
    assert [e.number for e in grid.entries] == ["8", "14", "4"]
    assert grid.entries[1].team == "RML"
    assert grid.entries[0].line == 2


def test_blank_lines_stray_spaces_crlf_and_no_final_newline() -> None:
    text = (
        "\n\n"
        "  |1st|   8 |Jan Lammers  /   Andy Wallace|  Dome  S101 Judd "
        "|Racing For Holland|1:28.380|\r\n"
        "\r\n"
        "\t| 2nd | 14 | Thomas Erdos / Mike Newton | MG Lola EX257 | RML | 1:29.533 |   \n"
        "   \n"
        "| 3rd | 4 | Jamie Campbell-Walter | Lister Storm LMP | Lister Racing | 1:29.900 |"
    )
    grid = parse(text)
    assert [(e.position, e.number, e.line) for e in grid.entries] == [
        (1, "8", 3),
        (2, "14", 5),
        (3, "4", 7),
    ]
    first = grid.entries[0]
    assert first.drivers == (Driver("Jan Lammers"), Driver("Andy Wallace"))
    assert first.car == "Dome S101 Judd"
    assert grid.entries[2].time == 899_000


def test_a_utf8_bom_is_ignored_by_decode_and_load_grid(tmp_path: Path) -> None:
    data = "\ufeff".encode() + table(*THREE).encode()
    assert data.startswith(b"\xef\xbb\xbf")
    text = decode(data, PATH)
    assert text.startswith("|")
    assert [e.number for e in parse(text).entries] == ["8", "14", "4"]
    path = tmp_path / "bom.md"
    path.write_bytes(data)
    grid = load_grid(path)
    assert grid.entries[0].position == 1
    assert grid.entries[0].line == 1


@pytest.mark.parametrize("cells", [("1st", "2nd", "3rd"), ("1", "2", "3"), ("P1", "P2", "P3")])
def test_position_spellings(cells: tuple[str, str, str]) -> None:
    rows = [(pos, *rest) for pos, (_, *rest) in zip(cells, THREE, strict=True)]
    grid = parse(table(*rows))
    assert [e.position for e in grid.entries] == [1, 2, 3]
    assert [e.number for e in grid.entries] == ["8", "14", "4"]


def test_mixed_position_spellings_and_out_of_order_rows() -> None:
    rows = [
        ("P3", *THREE[2][1:]),
        ("1st", *THREE[0][1:]),
        ("2", *THREE[1][1:]),
    ]
    grid = parse(table(*rows))
    assert [(e.position, e.number, e.line) for e in grid.entries] == [
        (1, "8", 2),
        (2, "14", 3),
        (3, "4", 1),
    ]


def test_car_number_spellings_and_08_is_its_own_car() -> None:
    grid = parse(
        table(
            ("1st", "#8", "A", "Car A", "Team A", "1:28.380"),
            ("2nd", "08", "B", "Car B", "Team B", "1:28.390"),
            ("3rd", "14", "C", "Car C", "Team C", "1:29.533"),
        )
    )
    assert [e.number for e in grid.entries] == ["8", "08", "14"]
    eight, zero_eight = grid.car("8"), grid.car("08")
    assert eight is not None and zero_eight is not None
    assert (eight.team, zero_eight.team) == ("Team A", "Team B")
    assert grid.car("#8") is eight
    assert grid.car("#08") is zero_eight


def test_drivers_split_on_slash_with_markers_and_accents_kept() -> None:
    grid = parse(
        table(
            (
                "1st",
                "2",
                "Stéphane Sarrazin / *Noël del Bello /  Jean-René de Fournoux ",
                "Courage C60 Evo Peugeot",
                "Courage Compétition",
                "1:29.932",
            ),
        )
    )
    entry = only(grid)
    assert entry.drivers == (
        Driver("Stéphane Sarrazin"),
        Driver("Noël del Bello", marker="*"),
        Driver("Jean-René de Fournoux"),
    )
    assert entry.team == "Courage Compétition"


def test_two_cars_on_the_same_time_keep_their_published_order() -> None:
    grid = parse(
        table(
            ("1st", "5", "A", "Audi R8", "Audi Japan Team Goh", "1:27.898"),
            ("2nd", "66", "B", "Saleen S7-R", "Konrad Motorsport", "1:36.8320"),
            ("3rd", "15", "C", "Debora LMP200 BMW", "Didier Bonnet", "1:36.832"),
        )
    )
    assert [e.number for e in grid.entries] == ["5", "66", "15"]
    assert grid.entries[1].time == grid.entries[2].time == 968_320


@pytest.mark.parametrize("cell", ["", "-", "—", "–", "NT", "no time", "No Time"])
def test_no_time_rows_have_time_none(cell: str) -> None:
    grid = parse(table(THREE[0], (*THREE[1][:5], cell), THREE[2]))
    assert grid.entries[1].time is None
    assert grid.entries[1].team == "RML"
    assert grid.entries[0].time == 883_800
    assert grid.entries[2].time == 899_000


def test_an_escaped_pipe_is_part_of_the_cell() -> None:
    entry = only(parse(r"| 1 | 8 | A | Car \| B | Team | 1:00.000 |"))
    assert entry.car == "Car | B"
    assert entry.time == 600_000


# The failures: each names the file and line, and says what to fix.


def test_wrong_cell_count() -> None:
    error = failure(table(THREE[0], THREE[1][:5], THREE[2]))
    assert error.line == 2
    assert "expected 6 cells" in error.problem
    assert "found 5" in error.problem


def test_wrong_cell_count_under_a_header_counts_the_header() -> None:
    error = failure(
        table("| Pos | No. | Driver | Chassis | Entrant | Best lap | Class |", THREE[0], THREE[1])
    )
    assert error.line == 2
    assert "expected 7 cells" in error.problem
    assert "found 6" in error.problem


def test_unreadable_time() -> None:
    error = failure(table(THREE[0], (*THREE[1][:5], "1:29"), THREE[2]))
    assert error.line == 2
    assert "cannot read the lap time '1:29'" in error.problem
    assert "decimals" in error.problem


def test_unreadable_position() -> None:
    error = failure(table(THREE[0], THREE[1], ("third", *THREE[2][1:])))
    assert error.line == 3
    assert "cannot read the position 'third'" in error.problem
    assert "5th" in error.problem


def test_unreadable_car_number() -> None:
    error = failure(table(THREE[0], ("2nd", "?", *THREE[1][2:]), THREE[2]))
    assert error.line == 2
    assert "car number" in error.problem


def test_empty_team_cell() -> None:
    error = failure(table(THREE[0], (*THREE[1][:4], " ", THREE[1][5]), THREE[2]))
    assert error.line == 2
    assert "team" in error.problem


def test_duplicate_position() -> None:
    error = failure(table(THREE[0], THREE[1], ("2nd", *THREE[2][1:])))
    assert error.line == 3
    assert "duplicate position 2" in error.problem
    assert "line 2" in error.problem


def test_duplicate_car_number_8_and_hash_8() -> None:
    error = failure(table(THREE[0], THREE[1], ("3rd", "#8", *THREE[2][2:])))
    assert error.line == 3
    assert "duplicate car number #8" in error.problem
    assert "line 1" in error.problem


def test_positions_with_a_gap() -> None:
    error = failure(table(THREE[0], THREE[1], ("4th", *THREE[2][1:])))
    assert error.line == 3
    assert "1..3" in error.problem
    assert "found 4" in error.problem
    assert "3 is missing" in error.problem


def test_positions_starting_at_2() -> None:
    rows = [(f"{n}", *cells[1:]) for n, cells in zip((2, 3, 4), THREE, strict=True)]
    error = failure(table(*rows))
    assert error.line == 3
    assert "1..3" in error.problem
    assert "1 is missing" in error.problem


@pytest.mark.parametrize("text", ["", "\n", "  \n\n\t\n", "\r\n \r\n"])
def test_empty_file(text: str) -> None:
    error = failure(text)
    assert error.line is None
    assert "empty" in error.problem


@pytest.mark.parametrize(
    "text",
    [
        "| Pos | No. | Driver | Chassis | Entrant | Best lap |\n",
        "| Pos | No. | Driver | Chassis | Entrant | Best lap |\n|---|---|---|---|---|---|\n\n",
    ],
)
def test_a_header_with_no_rows(text: str) -> None:
    error = failure(text)
    assert error.line in (None, 1)
    assert "header but no rows" in error.problem


def test_a_header_missing_a_column() -> None:
    error = failure(table("| Pos | No. | Driver | Chassis | Entrant |", THREE[0][:5]))
    assert error.line == 1
    assert "no column for: time" in error.problem


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("# 2003 1000 km of Le Mans\n" + table(*THREE), 1),
        (table(THREE[0], THREE[1]) + "\nSource: the ACO\n" + table(THREE[2]), 4),
        (table(THREE[0]) + "1st | 8 | A | B | C | 1:00.000\n", 2),
    ],
)
def test_a_line_not_starting_with_a_pipe(text: str, line: int) -> None:
    error = failure(text)
    assert error.line == line
    assert "starting with '|'" in error.problem


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"\xff| 1 |", 1),
        (b"| 1st | 8 | Jan Lammers |\n| 2nd | 14 | No\xebl |\n", 2),
        (b"| a |\n| b |\n| c |\n| d \xe9 |\n| e |", 4),
        (b"| a |\n|\xff", 2),
        (b"\xef\xbb\xbf| a |\n| b |\n| c Andr\xe9 |\n", 3),
        (b"\xef\xbb\xbf| a |\n|\xff", 2),  # with a BOM, a bad byte near a line start
        (b"\xef\xbb\xbf| a |\n| b |\n| \xe9 |\n", 3),
        (b"\xef\xbb\xbf\xff", 1),
    ],
)
def test_non_utf8_bytes_name_the_line(data: bytes, line: int) -> None:
    with pytest.raises(GridFileError) as caught:
        decode(data, PATH)
    assert caught.value.path == PATH
    assert caught.value.line == line
    assert "not valid UTF-8" in caught.value.problem


def test_load_grid_reports_non_utf8_with_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.md"
    path.write_bytes(table(*THREE).replace("Jan", "Jän").encode("latin-1"))
    with pytest.raises(GridFileError) as caught:
        load_grid(path)
    assert caught.value.path == path
    assert caught.value.line == 1
    assert "UTF-8" in caught.value.problem
    assert str(path) in str(caught.value)


def test_the_error_message_names_path_and_line() -> None:
    error = failure(table(THREE[0], (*THREE[1][:5], "soon")))
    assert str(error) == f"{PATH}:2: {error.problem}"


# Every row of the seed file, read independently of the parser.


def _expected_ticks(cell: str) -> int:
    minutes, rest = cell.split(":")
    seconds, decimals = rest.split(".")
    return (int(minutes) * 60 + int(seconds)) * 10_000 + int(decimals.ljust(4, "0"))


def test_every_seed_row_round_trips() -> None:
    grid = seed_grid()
    lines = SEED.read_text(encoding="utf-8").splitlines()
    assert len(lines) == SEED_CARS
    assert len(grid) == SEED_CARS
    for number, line in enumerate(lines, start=1):
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        assert len(cells) == 6, line
        position, car_number, drivers, car, team, time = cells
        entry = grid.at(int(re.sub(r"\D", "", position)))
        assert entry is not None, line
        assert entry.line == number
        assert entry.position == number  # the seed file lists the grid in order
        assert entry.number == car_number
        names = drivers.split(" / ")
        assert [d.name for d in entry.drivers] == [n.lstrip("*") for n in names], line
        assert [d.marker for d in entry.drivers] == [
            "*" if n.startswith("*") else "" for n in names
        ]
        assert entry.car == car
        assert entry.team == team
        assert entry.time == _expected_ticks(time), line


def test_seed_spot_checks() -> None:
    grid = seed_grid()
    fifth = grid.at(5)
    assert fifth is not None
    assert (fifth.number, fifth.car, fifth.team, fifth.time) == (
        "14",
        "MG Lola EX257",
        "RML",
        895_330,
    )
    nineteenth = grid.at(19)
    assert nineteenth is not None
    assert nineteenth.drivers[-1] == Driver("Romain Dumas", marker="*")
    assert sum(1 for e in grid.entries for d in e.drivers if d.marker) == 2
    assert grid.pole.number == "5"


# The loader.


def test_sidecar_metadata_is_read() -> None:
    meta = seed_grid().meta
    assert meta.event == "1000 km of Le Mans"
    assert meta.year == 2003
    assert meta.session == "Qualifying"
    assert meta.circuit == "Circuit de la Sarthe"
    assert dict(meta.legend) == {"*": "marked in the source table"}
    assert meta.source == SEED
    assert meta.title == SEED_TITLE


def test_without_a_sidecar_the_name_comes_from_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / SEED.name
    shutil.copyfile(SEED, path)
    grid = load_grid(path)
    assert grid.meta == meta_from_name(path)
    assert grid.meta.year == 2003
    assert grid.meta.session == "Qualifying"
    assert grid.meta.event == "1000km Le Mans"
    assert grid.meta.title == "2003 1000km Le Mans · Qualifying"
    assert dict(grid.meta.legend) == {}
    assert len(grid) == SEED_CARS


@pytest.mark.parametrize(
    ("name", "event", "session", "year"),
    [
        ("2003-1000km-le-mans-qualifying.md", "1000km Le Mans", "Qualifying", 2003),
        ("spa_24h_practice.md", "Spa 24h", "Practice", None),
        ("1999 Petit Le Mans race.md", "Petit Le Mans", "Race", 1999),
        ("2010-ALMS-mosport.md", "ALMS Mosport", "", 2010),
        ("2003-le-mans-pre-qualifying.md", "Le Mans", "Pre Qualifying", 2003),
    ],
)
def test_meta_from_name(name: str, event: str, session: str, year: int | None) -> None:
    meta = meta_from_name(Path(name))
    assert (meta.event, meta.session, meta.year) == (event, session, year)


def test_meta_from_name_matches_session_words_whole() -> None:
    meta = meta_from_name(Path("2003-spa-terrace.md"))
    assert (meta.event, meta.session) == ("Spa Terrace", "")


@pytest.mark.parametrize(
    ("sidecar", "problem"),
    [
        ('event = "1000 km of Le Mans\nyear = 2003\n', "invalid TOML"),
        ("year = 2003\nyear = 2004\n", "invalid TOML"),
        ('year = "2003"\n', "'year' must be a whole number"),
        ("legend = 5\n", "'legend'"),
        ('[legend]\n"*" = 1\n', "'legend'"),
    ],
)
def test_an_invalid_sidecar_names_the_toml(tmp_path: Path, sidecar: str, problem: str) -> None:
    grid_path = tmp_path / "grid.md"
    grid_path.write_text(table(*THREE), encoding="utf-8")
    toml_path = tmp_path / "grid.toml"
    toml_path.write_text(sidecar, encoding="utf-8")
    with pytest.raises(GridFileError) as caught:
        load_grid(grid_path)
    assert caught.value.path == toml_path
    assert problem in caught.value.problem
    with pytest.raises(GridFileError):
        read_meta(grid_path)


def test_load_catalog_of_the_data_directory() -> None:
    catalog = load_catalog(SEED.parent)
    assert list(catalog.grids) == ["2003-1000km-le-mans-qualifying"]
    assert catalog.default.meta.title == SEED_TITLE
    assert len(catalog.default) == SEED_CARS


def test_load_catalog_of_an_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a grid", encoding="utf-8")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "grid.md").write_text(table(*THREE), encoding="utf-8")
    with pytest.raises(GridFileError) as caught:
        load_catalog(tmp_path)
    assert caught.value.path == tmp_path
    assert caught.value.line is None
    assert "no grid files" in caught.value.problem


def test_load_catalog_of_a_missing_directory(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(GridFileError) as caught:
        load_catalog(missing)
    assert caught.value.path == missing
    assert "does not exist" in caught.value.problem


def test_load_catalog_is_all_or_nothing(tmp_path: Path) -> None:
    (tmp_path / "a-good-qualifying.md").write_text(table(*THREE), encoding="utf-8")
    bad = tmp_path / "b-bad-qualifying.md"
    bad.write_text(table(THREE[0], THREE[0]), encoding="utf-8")
    with pytest.raises(GridFileError) as caught:
        load_catalog(tmp_path)
    assert caught.value.path == bad
    assert caught.value.line == 2
