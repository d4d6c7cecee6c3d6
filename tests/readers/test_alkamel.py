"""Al Kamel Systems classification CSV: BOM, CRLF, ``;`` with one at the end of each line,
``DRIVER_1..n`` (or IMSA's first and second names), times like ``1'36.144`` and
``4:00'04.690``, gaps in seconds or laps, statuses, classes; errors that name the line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.core.errors import GridFileError
from bot.core.model import RACE
from bot.core.readers import alkamel
from bot.core.readers.common import Session, Source, decode_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "results"
REAL = Path(__file__).resolve().parents[2].parent / "shared" / "real-results"
PATH = Path("results/classification.csv")
HEADER = (
    "POSITION;NUMBER;TEAM;DRIVER_1;DRIVER_2;VEHICLE;CLASS;STATUS;LAPS;TOTAL_TIME;GAP_FIRST;FL_TIME;"
)


def fixture(name: str) -> Source:
    path = FIXTURES / name
    return Source(path, decode_text(path.read_bytes(), path))


def one(source: Source) -> Session:
    [session] = alkamel.read(source)
    return session


def failure(*rows: str, header: str = HEADER) -> GridFileError:
    text = "\n".join([header, *rows]) + "\n"
    with pytest.raises(GridFileError) as caught:
        alkamel.read(Source(PATH, text))
    assert caught.value.path == PATH
    return caught.value


def real(name: str) -> Source:
    path = REAL / name
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the real results files are missing under CI ({REAL})")
        pytest.skip(f"the real results files are not here ({REAL})")
    return Source(path, decode_text(path.read_bytes(), path))


def test_race_with_bom_crlf_and_trailing_semicolons() -> None:
    race = one(fixture("alkamel-race.csv"))
    assert (race.kind, race.name, race.format) == (RACE, "Race", "Al Kamel Systems CSV")
    assert race.unique_numbers
    assert [e.position for e in race.entries] == [1, 2, 3, 4, 5, 6, 7]
    assert [e.number for e in race.entries] == ["7", "22", "31", "88", "90", "14", "63"]
    winner = race.entries[0]
    assert [d.name for d in winner.drivers] == ["Anna KOVÁCS", "Pierre-Luc MARTIN", "Tom O'NEILL"]
    assert (winner.team, winner.car) == ("Harbour Lane Racing", "Oreca 07 - Gibson")
    assert winner.extra["class"] == "LMP2"
    assert winner.extra["tyres"] == "M"
    assert (winner.laps, winner.total, winner.behind) == (112, 144_312_080, 0)  # 4:00:31.208
    assert winner.time == 984_170  # 1'38.417
    assert winner.status == ""
    assert winner.line == 2


def test_four_drivers_and_accents() -> None:
    race = one(fixture("alkamel-race.csv"))
    third = race.entries[2]
    assert [d.name for d in third.drivers] == [
        "Sam OKAFOR",
        "Lena BRANDT",
        "Ravi MENON",
        "Chris HALE",
    ]
    assert race.entries[1].team == "Équipe Brise"
    assert third.extra["group"] == "PRO/AM"


def test_gaps_in_seconds_minutes_and_laps() -> None:
    entries = one(fixture("alkamel-race.csv")).entries
    assert entries[1].behind == 313_440  # 31.344
    assert entries[2].behind == 621_100  # 1'02.110
    assert [e.behind for e in entries[3:]] == [None, None, None, None]  # 8 Laps, 9 Laps...
    assert [e.laps for e in entries[3:]] == [104, 103, 61, 2]


def test_statuses() -> None:
    entries = one(fixture("alkamel-race.csv")).entries
    assert [e.status for e in entries] == ["", "", "", "", "", "NC", "DNF"]
    retired = entries[-1]
    assert (retired.number, retired.time, retired.total) == ("63", None, 2_421_140)  # 4'02.114
    assert retired.drivers[0].name == "Luca MORETTI"


def test_qualifying_columns_leave_the_kind_to_the_file_name() -> None:
    qualifying = one(fixture("alkamel-qualifying.csv"))
    assert (qualifying.kind, qualifying.name) == (None, "")
    assert [(e.position, e.number, e.time) for e in qualifying.entries] == [
        (1, "22", 968_810),
        (2, "7", 970_040),
        (3, "88", 1_052_700),
        (4, "63", None),
    ]
    assert all(e.laps is None and e.total is None and e.behind is None for e in qualifying.entries)
    assert qualifying.entries[2].extra["class"] == "LMGTE"


def test_imsa_first_and_second_names() -> None:
    race = one(fixture("alkamel-imsa.csv"))
    assert race.kind == RACE
    first, second, third = race.entries
    assert [d.name for d in first.drivers] == ["Rick TAYLOR", "Nora HOLM"]
    assert [d.name for d in second.drivers] == ["Ollie GRANT"]
    assert (first.status, first.behind, second.behind, third.behind) == ("", 0, 224_810, None)
    assert first.total == 60_374_810  # 1:40'37.481
    assert third.extra["class"] == "GTLM"
    assert third.car == "Chevrolet Corvette C8.R"


def test_rows_out_of_order_are_sorted_and_unplaced_rows_come_last() -> None:
    text = "\n".join(
        [
            HEADER,
            "2;8;B;Bo BEE;;Car;GT;Classified;10;20'00.000;5.000;1'50.000;",
            ";9;C;Cy SEA;;Car;GT;Did not start;;;;;",
            "1;7;A;Al AY;;Car;GT;Classified;10;19'55.000;;1'49.000;",
        ]
    )
    race = one(Source(PATH, text))
    assert [(e.position, e.number, e.status) for e in race.entries] == [
        (1, "7", ""),
        (2, "8", ""),
        (3, "9", "DNS"),
    ]
    assert race.entries[2].line == 3


def test_other_status_words_are_kept() -> None:
    text = HEADER + "\n1;7;A;Al AY;;Car;GT;Black flagged;3;5'00.000;;1'40.000;\n"
    assert one(Source(PATH, text)).entries[0].status == "Black flagged"


def test_errors_name_the_line() -> None:
    error = failure("1;7;A;Al AY;;Car;GT;Classified;10;19'55.000;;1:4x.000;")
    assert error.line == 2
    assert "1:4x.000" in error.problem and "FL_TIME" in error.problem
    error = failure(
        "1;7;A;Al AY;;Car;GT;Classified;10;19'55.000;;1'49.000;",
        "2;7;B;Bo BEE;;Car;GT;Classified;10;20'00.000;5.000;1'50.000;",
    )
    assert (error.line, error.problem) == (3, "duplicate car number #7 (already on line 2)")
    error = failure(
        "1;7;A;Al AY;;Car;GT;Classified;10;19'55.000;;1'49.000;",
        "1;8;B;Bo BEE;;Car;GT;Classified;10;20'00.000;5.000;1'50.000;",
    )
    assert (error.line, error.problem) == (3, "duplicate position 1 (already on line 2)")
    error = failure("1;7;A;Al AY;;Car;GT;Classified;ten;19'55.000;;1'49.000;")
    assert (error.line, error.problem) == (2, "cannot read the laps 'ten'")
    error = failure("1;7;A;Al AY;;Car;GT;Classified;10;19'55.000;;1'49.000;;x;y;z;w")
    assert error.line == 2 and "expected 12 cells as in the header on line 1" in error.problem
    error = failure()
    assert (error.line, error.problem) == (1, "the file has a header but no rows")
    error = failure("1;7;\"A;Al AY;;Car;GT;Classified;10;19'55.000;;1'49.000;", *["x;y"] * 20)
    assert error.line == 2 and "never closed" in error.problem


def test_accepts_by_content() -> None:
    for name in ("alkamel-race.csv", "alkamel-qualifying.csv", "alkamel-imsa.csv"):
        assert alkamel.accepts(fixture(name)), name
    others = [p for p in FIXTURES.iterdir() if not p.name.startswith("alkamel-")]
    assert len(others) > 10
    for path in others:
        assert not alkamel.accepts(Source(path, decode_text(path.read_bytes(), path))), path
    assert not alkamel.accepts(Source(PATH, ""))
    assert not alkamel.accepts(Source(PATH, "POSITION,NUMBER,TEAM,DRIVER_1\n1,7,A,B\n"))
    assert not alkamel.accepts(Source(PATH, "Pos;No;Driver;Team\n1;7;A;B\n"))


def test_real_elms_imola_race() -> None:
    race = one(real("2014-elms-4h-imola-race.csv"))
    assert race.kind == RACE
    winner = race.entries[0]
    assert (winner.position, winner.number, winner.team) == (1, "38", "Jota Sport")
    assert [d.name for d in winner.drivers] == [
        "Simon DOLAN",
        "Harry TINCKNELL",
        "Filipe ALBUQUERQUE",
    ]
    assert (winner.laps, winner.behind, winner.status) == (139, 0, "")
    second = next(e for e in race.entries if e.number == "24")
    assert second.behind == 288_690  # 28.869 s at the finish
    assert (winner.time, second.time) == (961_440, 969_770)  # 1:36.144, 1:36.977
    fastest = min((e for e in race.entries if e.time is not None), key=lambda e: e.time or 0)
    assert fastest.number == "38"
    assert {e.extra["class"] for e in race.entries} == {"LMP2", "LMGTE", "GTC"}
    assert [e.status for e in race.entries].count("NC") == 5


def test_one_driver_column_and_limits() -> None:
    header = "POSITION;NUMBER;TEAM;DRIVER;VEHICLE;CLASS;TIME;"
    quali = one(Source(PATH, header + "\n1;7;A;Al AY;Car;GT;1'49.000;\n"))
    assert [d.name for d in quali.entries[0].drivers] == ["Al AY"]
    assert quali.entries[0].time == 1_090_000
    rows = [f"{n};{n};A;Al AY;Car;GT;1'49.000;" for n in range(1, 1002)]
    error = failure(*rows, header=header)
    assert (error.line, error.problem) == (1002, "more than 1000 cars")
