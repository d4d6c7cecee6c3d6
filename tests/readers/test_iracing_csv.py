"""iRacing results CSV export: metadata blocks before the header, CRLF and LF, quoted cells,
intervals and laps down, team events, and errors that name the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.errors import GridFileError
from bot.core.model import RACE
from bot.core.readers import iracing_csv
from bot.core.readers.common import Session, Source, decode_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "results"
REAL = Path(__file__).resolve().parents[2].parent / "shared" / "real-results"
PATH = Path("results/test.csv")

META = '"Start Time","Track","Series","Hosted Session Name"\r\n' + (
    '"2021.07.04 08:00 PM GMT","Road America","Hosted iRacing",""\r\n\r\n'
)
HEADER = (
    '"Fin Pos","Car ID","Car","Car Class ID","Car Class","Team ID","Cust ID","Name",'
    '"Start Pos","Car #","Out ID","Out","Interval","Laps Led","Qualify Time",'
    '"Average Lap Time","Fastest Lap Time","Fast Lap#","Laps Comp","Inc"'
)


def fixture(name: str) -> Source:
    path = FIXTURES / name
    return Source(path, decode_text(path.read_bytes(), path))


def row(
    fin: str = "1",
    name: str = "Ann Lee",
    number: str = "5",
    out: str = "Running",
    interval: str = "-00.000",
    best: str = "2:10.500",
    laps: str = "20",
) -> str:
    cells = [fin, "1", "Mazda MX-5", "7", "MX-5 Cup", "11", "11", name, "1", number, "0", out]
    cells += [interval, "0", "", "2:11.000", best, "3", laps, "0"]
    return ",".join(f'"{cell}"' for cell in cells)


def csv_text(*rows: str, meta: str = META, header: str = HEADER) -> str:
    return meta + header + "\r\n" + "".join(f"{line}\r\n" for line in rows)


def read_text(text: str) -> list[Session]:
    return iracing_csv.read(Source(PATH, text))


def failure(text: str) -> GridFileError:
    with pytest.raises(GridFileError) as caught:
        read_text(text)
    assert caught.value.path == PATH
    return caught.value


def test_race_export_reads_every_field() -> None:
    source = fixture("iracing-race.csv")
    assert iracing_csv.accepts(source)
    [race] = iracing_csv.read(source)
    assert (race.kind, race.name, race.format) == (RACE, "Race", "iRacing results CSV")
    assert race.event == "Gridbot Endurance Cup Rd 2"  # Hosted Session Name
    assert race.circuit == "Watkins Glen International"
    assert (race.date, race.year) == ("2020-03-08", 2020)
    assert race.unique_numbers is False
    first = race.entries[0]
    assert (first.position, first.number, first.line) == (1, "07", 10)  # header on line 9
    assert [d.name for d in first.drivers] == ["Ana Lima"]
    assert (first.car, first.team, first.extra["class"]) == ("Dallara P217", "", "LMP2 Class")
    assert (first.time, first.laps, first.behind, first.total, first.status) == (
        1041230,
        40,
        0,
        None,
        "",
    )


def test_race_export_gaps_laps_down_and_statuses() -> None:
    [race] = iracing_csv.read(fixture("iracing-race.csv"))
    assert [e.number for e in race.entries] == ["07", "7", "17", "24", "88", "99", "3"]
    assert [e.drivers[0].name for e in race.entries] == [
        "Ana Lima",
        "Ben O'Hara",
        "Smith, Carl",
        "Dörte Müller",
        "Eli Cohen",
        "Fay Wong",
        "Gus Grant",
    ]
    # -00.000, -01.500, -1:02.345, then laps down: no time gap.
    assert [e.behind for e in race.entries] == [0, 15000, 623450, None, None, None, None]
    assert [e.laps for e in race.entries] == [40, 40, 40, 39, 28, 20, 0]
    assert [e.time for e in race.entries] == [
        1041230,
        1039980,
        1045000,
        1120100,
        1134000,
        1150000,
        None,
    ]
    assert [e.status for e in race.entries] == [
        "",
        "",
        "",
        "",
        "Disconnected",
        "DSQ",
        "Disconnected",
    ]
    assert [e.extra["class"] for e in race.entries[2:5]] == [
        "LMP2 Class",
        "GTE Class",
        "GTE Class",
    ]
    assert [e.position for e in race.entries] == [1, 2, 3, 4, 5, 6, 7]


def test_team_event_rows_become_one_entry_per_team() -> None:
    source = fixture("iracing-team-race.csv")
    assert iracing_csv.accepts(source)  # first header line unquoted
    [race] = iracing_csv.read(source)
    assert race.kind == RACE
    assert race.event == "Gridbot 6 Hours"
    assert race.circuit == "Autódromo José Carlos Pace - Grand Prix"
    assert race.date == "2025-11-02"  # ISO start time
    assert [e.number for e in race.entries] == ["266", "363"]
    assert [e.team for e in race.entries] == ["Vortex Racing", "Solo Cars"]
    assert [[d.name for d in e.drivers] for e in race.entries] == [
        ["Hana Ito", "Ivo Petrov"],
        ["Jon Snowe"],
    ]
    assert [e.time for e in race.entries] == [887440, 932940]
    assert [e.laps for e in race.entries] == [79, 75]
    assert [e.behind for e in race.entries] == [0, None]
    assert [e.line for e in race.entries] == [5, 8]


def test_rows_are_ordered_by_fin_pos() -> None:
    text = csv_text(
        row(fin="2", name="Bo", number="2", interval="-00.250"),
        row(fin="1", name="Al", number="1"),
    )
    [race] = read_text(text)
    assert [(e.position, e.drivers[0].name, e.behind) for e in race.entries] == [
        (1, "Al", 0),
        (2, "Bo", 2500),
    ]
    assert race.event == ""  # "Hosted iRacing" says nothing about the event
    assert race.circuit == "Road America"


def test_header_alone_as_first_line_and_the_older_driver_column() -> None:
    header = HEADER.replace('"Name"', '"Driver"').replace('"Cust ID"', '"Custid"')
    text = csv_text(row(), meta="", header=header)
    assert iracing_csv.accepts(Source(PATH, text))
    [race] = read_text(text)
    assert race.entries[0].drivers[0].name == "Ann Lee"
    assert (race.date, race.year, race.circuit) == ("", None, "")


def test_without_interval_the_kind_is_left_to_the_file_name() -> None:
    header = HEADER.replace('"Interval",', "")
    cells = row().split(",")
    del cells[12]
    [session] = read_text(csv_text(",".join(cells), header=header))
    assert (session.kind, session.name) == (None, "")
    assert session.entries[0].behind is None
    assert session.entries[0].time == 1305000


def test_errors_name_the_line() -> None:
    error = failure(csv_text(row(), row(fin="2", interval="two seconds")))
    assert (error.line, "Interval 'two seconds'" in error.problem) == (6, True)
    error = failure(csv_text(row(best="1.12.302")))
    assert (error.line, "Fastest Lap Time '1.12.302'" in error.problem) == (5, True)
    error = failure(csv_text(row(fin="first")))
    assert (error.line, "'fin pos' cell 'first'" in error.problem) == (5, True)
    error = failure(csv_text(row(laps="many")))
    assert (error.line, "'laps comp'" in error.problem) == (5, True)
    error = failure(csv_text(row(), '"2","1","Mazda"'))
    assert error.line == 6
    assert "3 cells" in error.problem
    error = failure(csv_text(row(), '"2","1,"Mazda'))
    assert error.line == 6
    assert error.problem.startswith("cannot read this CSV line")
    assert str(error).startswith(f"{PATH}:6: ")


def test_missing_header_or_rows_are_errors() -> None:
    error = failure(META + '"League Name"\r\n"X"\r\n')
    assert error.line is None
    assert '"Fin Pos", "Car #" and "Name"' in error.problem
    error = failure(csv_text())
    assert (error.line, "no rows after the header" in error.problem) == (4, True)


def test_accepts_only_iracing_csv_exports() -> None:
    others = [
        path
        for path in sorted(FIXTURES.iterdir())
        if path.is_file() and not (path.name.startswith("iracing-") and path.suffix == ".csv")
    ]
    assert others  # the other readers' fixtures
    for path in others:
        assert not iracing_csv.accepts(Source(path, decode_text(path.read_bytes(), path))), path
    assert not iracing_csv.accepts(Source(PATH, "Pos,No,Driver,Car,Team,Time\n1,5,A,B,C,1:00.0\n"))
    assert not iracing_csv.accepts(Source(PATH, '"Start Time","Track"\n"x","y"\n'))
    assert not iracing_csv.accepts(Source(PATH, ""))


def test_real_iracing_phillip_island_race() -> None:
    path = REAL / "2019-iracing-phillip-island-race.csv"
    if not path.exists():
        pytest.skip(f"the real results files are not here ({REAL})")
    source = Source(path, decode_text(path.read_bytes(), path))
    assert iracing_csv.accepts(source)
    [race] = iracing_csv.read(source)
    assert race.kind == RACE
    assert race.circuit == "Phillip Island Circuit"
    assert race.date == "2019-01-21"
    winner, second = race.entries[:2]
    assert (winner.position, winner.number, winner.drivers[0].name) == (1, "24", "Sai Andra")
    assert (winner.behind, winner.status) == (0, "")
    assert (second.number, second.behind) == ("19", 29910)  # 2.991 s at the finish
    fastest = min((e for e in race.entries if e.time is not None), key=lambda e: e.time or 0)
    assert (fastest.number, fastest.drivers[0].name, fastest.time) == (
        "19",
        "Jason DeVriese",
        721250,  # 1:12.125
    )
    classes = {e.extra["class"] for e in race.entries}
    assert classes == {"LMP1 Class", "HPD ARX-01c", "GTE Class"}
    assert any(e.number == "077" for e in race.entries)
