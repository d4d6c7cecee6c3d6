"""Results tables copied from web pages: Wikipedia's Le Mans qualifying and race tables,
headers in French, German, Italian, Spanish, Portuguese and Dutch, no car-number column, numbers
inside team and car cells, footnote marks, entries over two rows, Markdown without pipes at
the ends or a ``|---|`` line, tables without a header or with one in unknown words; and
refusals that name the line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.core.errors import GridFileError
from bot.core.model import QUALIFYING, RACE, Entry
from bot.core.parser import parse_grid_text
from bot.core.readers import tables, webtable
from bot.core.readers.common import Session, Source, decode_text
from bot.core.times import TimeFormatError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "results"
REAL = Path(__file__).resolve().parents[2].parent / "shared" / "real-results"
SEED = Path(__file__).resolve().parents[2] / "data" / "2003-1000km-le-mans-qualifying.md"
PATH = Path("results/table.txt")


def fixture(name: str) -> Source:
    path = FIXTURES / name
    return Source(path, decode_text(path.read_bytes(), path))


def one(source: Source) -> Session:
    [session] = webtable.read(source)
    assert session.format == "results table"
    assert [e.position for e in session.entries] == list(range(1, len(session.entries) + 1))
    return session


def table(*lines: str) -> Session:
    return one(Source(PATH, "\n".join(lines) + "\n"))


def failure(*lines: str) -> GridFileError:
    with pytest.raises(GridFileError) as caught:
        webtable.read(Source(PATH, "\n".join(lines) + "\n"))
    assert caught.value.path == PATH
    return caught.value


def names(entry: Entry) -> list[str]:
    return [driver.name for driver in entry.drivers]


def test_wikipedia_le_mans_qualifying() -> None:
    quali = one(fixture("web-lemans-qualifying-en.txt"))
    assert (quali.kind, quali.name) == (QUALIFYING, "Qualifying")  # "Qualifying Driver"
    assert len(quali.entries) == 7
    pole = quali.entries[0]
    assert (pole.number, names(pole), pole.team, pole.time) == (
        "3",
        ["Stéphane Sarrazin"],
        "Team Peugeot Total",
        1_997_110,  # 3:19.711
    )
    assert pole.extra["class"] == "LMP1"
    assert pole.extra["grid"] == "1"
    assert names(quali.entries[2]) == ["Tom Kristensen"]  # footnote mark dropped
    assert quali.entries[3].extra["class"] == "LMP2"
    last = quali.entries[-1]
    assert (last.number, last.time) == ("97", None)  # "No time"
    assert all(e.laps is None and e.behind is None for e in quali.entries)


def test_wikipedia_le_mans_race_as_a_browser_copies_it() -> None:
    race = one(fixture("web-lemans-race-en.txt"))
    assert (race.kind, race.name) == (RACE, "Race")
    assert [e.number for e in race.entries] == ["8", "7", "3", "26", "1", "61"]
    winner = race.entries[0]
    assert names(winner) == ["Sébastien Buemi", "Kazuki Nakajima", "Fernando Alonso"]
    assert (winner.car, winner.team) == ("Toyota TS050 Hybrid", "Toyota Gazoo Racing")
    assert winner.extra["engine"] == "Toyota H8909 2.4 L Turbo V6"
    assert winner.extra["class"] == "LMP1"
    assert (winner.laps, winner.total, winner.status) == (388, 864_590_460, "")
    second = race.entries[1]
    assert names(second) == ["Mike Conway", "Kamui Kobayashi", "José María López"]
    assert (second.laps, second.behind, second.status) == (386, None, "")  # +2 Laps
    retired = race.entries[4]
    assert (retired.number, retired.laps, retired.status) == ("1", 283, "DNF")
    assert retired.extra["retired"] == "Accident"
    assert retired.extra["engine"] == "Gibson GL458 4.5 L V8"
    last = race.entries[5]  # a one-line DNF entry, then its engine
    assert (names(last), last.car, last.status) == (["Weng Sun Mok"], "Ferrari 488 GTE", "DNF")
    assert last.extra["engine"] == "Ferrari F154CB 3.9 L Turbo V8"
    assert last.extra["class"] == "LMGTE Am"


def test_french_markdown_grid() -> None:
    grid = one(fixture("web-fr.md"))
    assert grid.kind is None
    assert [(e.position, e.number, e.time) for e in grid.entries] == [
        (1, "5", 878_980),
        (2, "8", 883_800),
        (3, "2", 899_320),  # 1'29.932
    ]
    first = grid.entries[0]
    assert names(first) == ["Seiji Ara", "Tom Kristensen"]
    assert (first.car, first.team) == ("Audi R8", "Audi Japan Team Goh")


def test_german_race_csv() -> None:
    race = one(fixture("web-de.csv"))
    assert race.kind == RACE
    first, second, third, out = race.entries
    assert names(first) == ["Lena Vogt", "Paul Krämer"]
    assert (first.laps, first.total, first.behind) == (36, 216_723_450, 0)
    assert (second.number, second.behind) == ("911", 333_330)
    assert (third.laps, third.behind, third.status) == (35, None, "")  # +1 Runde
    assert (out.number, out.status, out.laps) == ("12", "DNF", 20)  # Ausfall
    assert first.extra["class"] == "SP9"
    assert (first.car, first.team) == ("Porsche 911 GT3 R", "Team Nordring")


def test_italian_spanish_portuguese_and_dutch_headers() -> None:
    italian = one(fixture("web-it.txt"))
    assert [(e.number, e.time) for e in italian.entries] == [
        ("51", 1_182_140),
        ("6", 1_184_100),
        ("50", 1_185_520),  # 1’58.552
    ]
    assert (italian.entries[1].team, italian.entries[1].car) == (
        "Porsche Penske Motorsport",
        "Porsche 963",
    )
    spanish = one(fixture("web-es.txt"))
    assert [(e.position, e.number, e.time) for e in spanish.entries] == [
        (1, "14", 920_040),  # 1º, 1″32.004
        (2, "55", 923_110),
        (3, "18", 930_000),
    ]
    assert names(spanish.entries[2]) == ["Pedro de la Rosa"]
    portuguese = one(fixture("web-pt.csv"))
    assert names(portuguese.entries[0]) == ["Felipe Nasr", "Pipo Derani"]
    assert portuguese.entries[0].team == "Equipa Azul, Lda"
    assert portuguese.entries[2].time == 950_200  # "1:35,020"
    dutch = one(fixture("web-nl.md"))
    assert [(e.number, names(e)[0], e.time) for e in dutch.entries] == [
        ("33", "Max Verstappen", 810_010),
        ("17", "Robin Frijns", 812_500),
        ("4", "Nyck de Vries", 817_770),
    ]
    assert dutch.entries[0].car == "Dallara F2 2018"


def test_no_car_number_column() -> None:
    grid = one(fixture("web-no-number.txt"))
    assert [e.number for e in grid.entries] == ["", "", ""]
    assert [names(e)[0] for e in grid.entries] == ["Timo Haapala", "Andrea Sorlini", "Marek Nowak"]
    assert [e.team for e in grid.entries] == ["Lotus Club", "", "Lotus Club"]
    assert [e.time for e in grid.entries] == [974_350, 987_450, None]


def test_numbers_inside_team_and_car_cells() -> None:
    grid = one(fixture("web-numbers-inside.txt"))
    assert [(e.number, e.team, e.car) for e in grid.entries] == [
        ("3", "Team Peugeot Total", "Peugeot 908 HDi FAP"),
        ("9", "Patrón Highcroft Racing", "HPD ARX-01c"),
        ("8", "Toyota Gazoo Racing", "Toyota TS050 Hybrid"),
    ]
    assert names(grid.entries[0]) == ["Sarrazin", "Montagny", "Minassian"]


def test_footnote_marks_and_constructor() -> None:
    grid = one(fixture("web-footnotes.txt"))
    first, second, third = grid.entries
    assert (first.number, names(first), first.time) == ("44", ["Lewis Hamilton"], 919_990)
    assert first.car == first.team == "Mercedes"  # a constructor is the team too
    assert names(third) == ["Lando Norris"]
    assert second.extra["gap"] == "+0.151"


def test_entries_over_two_rows_in_columns() -> None:
    race = one(fixture("web-two-row.csv"))
    assert race.kind == RACE
    first, second, third = race.entries
    assert names(first) == ["Mike Conway", "Kamui Kobayashi", "José María López"]
    assert first.extra["engine"] == "Toyota 2.4 L V6"
    assert (first.total, first.behind) == (864_390_000, 0)
    assert (second.number, names(second), second.behind) == (
        "8",
        ["Sébastien Buemi", "Kazuki Nakajima"],
        660_000,  # +1:06.000
    )
    assert (third.laps, third.behind, names(third)[-1]) == (352, None, "Sean Gelael")


def test_markdown_without_outer_pipes_or_separator() -> None:
    grid = one(fixture("web-markdown-bare.md"))
    assert [(e.number, e.team, e.time) for e in grid.entries] == [
        ("27", "Ruiz Racing", 1_050_020),
        ("4", "Ward Motorsport", 1_053_100),
        ("81", "Ruiz Racing", 1_060_900),
    ]
    assert names(grid.entries[1]) == ["Ben Ward", "Cal Ives"]


def test_no_header_columns_from_content() -> None:
    grid = one(fixture("web-no-header.txt"))
    assert [(e.number, names(e)[0], e.team, e.car, e.time) for e in grid.entries] == [
        ("12", "Jan Novák", "Skoda Motorsport", "Skoda Fabia R5", 1_231_140),
        ("3", "Petr Dvořák", "Rally Team Brno", "Ford Fiesta R5", 1_238_700),
        ("27", "Eva Horáková", "Skoda Motorsport", "Skoda Fabia R5", 1_240_010),
        ("5", "Tomáš Král", "Rally Team Brno", "Ford Fiesta R5", None),
    ]


def test_unknown_header_words_columns_from_content() -> None:
    grid = one(fixture("web-unknown-header.txt"))
    assert [(e.position, e.number, names(e)[0], e.team, e.time) for e in grid.entries] == [
        (1, "11", "Robert Kubica", "Orlen Team", 1_001_000),
        (2, "9", "Kuba Przygoński", "Orlen Team", 1_009_000),
        (3, "21", "Karol Basz", "Kuba Racing", 1_012_500),
    ]


def test_f1_race_with_time_retired_and_unclassified_cars() -> None:
    race = one(fixture("web-f1-race.txt"))
    assert race.kind == RACE
    assert [(e.number, e.laps, e.behind, e.status) for e in race.entries] == [
        ("63", 70, 0, ""),
        ("1", 70, 2_280, ""),  # +0.228s
        ("12", 70, 10_140, ""),
        ("81", 69, None, ""),  # +1 lap
        ("4", 66, None, "NC"),
        ("22", 70, None, "DSQ"),  # DQ
    ]
    assert race.entries[0].total == 55_047_420  # 1:31:44.742
    assert "pts" not in race.entries[0].extra


def test_gridbot_markdown_grid_reads_as_the_native_parser_does() -> None:
    text = SEED.read_text(encoding="utf-8")
    native = parse_grid_text(text, SEED)
    grid = one(Source(SEED, text))
    assert len(grid.entries) == len(native.entries)
    for read, expected in zip(grid.entries, native.entries, strict=True):
        assert (read.position, read.number, read.drivers, read.car, read.team, read.time) == (
            expected.position,
            expected.number,
            expected.drivers,
            expected.car,
            expected.team,
            expected.time,
        )


def test_two_row_header_title_and_notes_under_the_table() -> None:
    race = table(
        "Results",
        "",
        "Pos\tNo\tDriver\tCar\tLaps\tTime/Retired",
        "1\t7\tAl Ay\tMazda\t20\t40:00.000",
        "2\t8\tBo Bee\tMazda\t20\t+5.500",
        "Ret\t9\tCy Sea\tMazda\t3\tGearbox",
        "",
        "Fastest lap: Al Ay 1:59.000",
        "Source: the series",
    )
    assert race.kind == RACE
    assert [(e.number, e.behind, e.status) for e in race.entries] == [
        ("7", 0, ""),
        ("8", 55_000, ""),
        ("9", None, "DNF"),
    ]
    assert race.entries[2].extra["retired"] == "Gearbox"


def test_practice_table_is_not_a_race() -> None:
    practice = table(
        "Free practice 1",
        "Pos\tNo\tDriver\tCar\tTime\tGap\tLaps",
        "1\t44\tLewis Hamilton\tMercedes\t1:23.599\t\t26",
        "2\t5\tSebastian Vettel\tFerrari\t1:23.637\t+0.038s\t18",
    )
    assert (practice.kind, practice.name) == ("practice", "Practice")
    assert [(e.time, e.laps, e.behind) for e in practice.entries] == [
        (835_990, None, None),
        (836_370, None, None),
    ]
    assert practice.entries[0].extra["laps"] == "26"


def test_times_given_as_gaps_to_the_first_car() -> None:
    grid = table("Pos | No | Driver | Time", "1 | 7 | Al Ay | 1:37.435", "2 | 8 | Bo Bee | +1.310")
    assert [e.time for e in grid.entries] == [974_350, 987_450]


def test_grid_column_as_the_position_and_no_position_column() -> None:
    grid = table("Grid\tNo.\tDriver\tTeam", "2\t4\tCy Dee\tY", "1\t3\tAl Bee\tX")
    assert [(e.position, e.number, e.line) for e in grid.entries] == [(1, "3", 3), (2, "4", 2)]
    unplaced = table(
        "44\tLewis Hamilton\tMercedes\t1:20.486", "5\tSebastian Vettel\tFerrari\t1:21.190"
    )
    assert [(e.position, e.number, names(e)[0]) for e in unplaced.entries] == [
        (1, "44", "Lewis Hamilton"),
        (2, "5", "Sebastian Vettel"),
    ]


def test_refuses_prose_naming_the_line() -> None:
    with pytest.raises(GridFileError) as caught:
        webtable.read(fixture("web-prose.txt"))
    assert caught.value.line == 3
    assert "expected rows starting with a position" in caught.value.problem
    error = failure("Results", "", "nothing here but words")
    assert error.line == 1 and "expected a table" in error.problem


def test_refuses_inconsistent_rows_naming_the_line() -> None:
    header = "Pos\tNo\tDriver\tCar\tTeam\tTime"
    error = failure(
        header, "1\t7\tAl Ay\tMazda\tA\t1:00.000", "2\t8\tBo Bee\tMazda\tB\t1:01.000\tx"
    )
    assert error.line == 3
    assert "expected 6 cells as in the header on line 1, found 7" in error.problem
    error = failure(header, "1\t7\tAl Ay\tMazda\tA\t1:00.000", "2\t8")
    assert (error.line, error.problem) == (
        3,
        "expected 6 cells as in the header on line 1, found 2",
    )
    error = failure(header, "1\t7\tAl Ay\tMazda\tA\t1:0x.000")
    assert error.line == 2 and "cannot read the time '1:0x.000'" in error.problem
    error = failure(header, "1\t7\tAl Ay\tMazda\tA\t1:00.000", "x\t8\tBo Bee\tMazda\tB\t1:01.000")
    assert error.line == 3 and "cannot read the position 'x'" in error.problem
    error = failure(header, "1\t7\tAl Ay\tMazda\tA\t1:00.000", "1\t8\tBo Bee\tMazda\tB\t1:01.000")
    assert (error.line, error.problem) == (3, "duplicate position 1 (already on line 2)")
    error = failure(header, "first\t7\tAl Ay\tMazda\tA\t1:00.000", "1\t8\tBo\tMazda\tB\t1:01.000")
    assert error.line == 2 and "'first'" in error.problem
    error = failure("Pos,No,Driver,Car,Laps,Time", "1,7,Al Ay,Mazda,ten,40:00.000")
    assert error.line == 2 and "cannot read the laps 'ten'" in error.problem


def test_refuses_what_it_cannot_place() -> None:
    error = failure("Pos\tTime", "1\t1:00.000", "2\t1:01.000")
    assert error.line == 1 and "drivers, team or car number" in error.problem
    error = failure("Pos | No | Driver | Time", "1 | 7 | Al Ay |", "2 | 8 | Bo Bee | +1.310")
    assert error.line == 2 and "gap (+0.243)" in error.problem
    error = failure(
        "Pos,No,Drivers,Car,Team,Laps,Time",
        "1,7,Al Ay,Mazda,A,20,40:00.000",
        ",,Bo Bee,,,,1:00.000",
    )
    assert error.line == 3 and "continues the entry on line 2" in error.problem
    error = failure("Pos,No,Driver,Time", '1,7,"Al Ay,1:00.000', *["2,8,x,1:00.000"] * 20)
    assert error.line == 2 and "never closed" in error.problem


def test_accepts_tables_only() -> None:
    for path in FIXTURES.glob("web-*"):
        assert webtable.accepts(fixture(path.name)), path
    assert not webtable.accepts(Source(PATH, ""))
    assert not webtable.accepts(Source(PATH, "Hamilton took pole.\nBottas was second.\n"))
    assert not webtable.accepts(Source(PATH, "1\t44\tLewis Hamilton\n"))


def test_real_f1_qualifying_table_read_as_a_web_table() -> None:
    path = REAL / "2019-australian-gp-qualifying.tsv"
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the real results files are missing under CI ({REAL})")
        pytest.skip(f"the real results files are not here ({REAL})")
    quali = one(Source(path, decode_text(path.read_bytes(), path)))
    pole, second = quali.entries[:2]
    assert (pole.number, names(pole), pole.time) == ("44", ["Lewis Hamilton"], 804_860)
    assert (second.number, (second.time or 0) - (pole.time or 0)) == ("77", 1_120)


def test_caption_blank_lines_and_quoted_cells() -> None:
    captioned = table("Results, Round 3", "Pos,No,Driver,Team,Time", "1,7,Al Ay,A,1:00.000")
    assert [(e.number, e.team, e.time) for e in captioned.entries] == [("7", "A", 600_000)]
    spaced = table(
        "Pos\tNo\tDriver\tTeam\tTime", "", "1\t7\tAl Ay\tA\t1:00.000", "", "2\t8\tBo\tB\t"
    )
    assert [(e.position, e.number, e.line) for e in spaced.entries] == [(1, "7", 3), (2, "8", 5)]
    quoted = table("Pos\tNo\tDrivers\tTime", '1\t7\t"Al Ay', 'Cy Sea"\t1:00.000', "2\t8\tBo\t")
    assert [names(e) for e in quoted.entries] == [["Al Ay", "Cy Sea"], ["Bo"]]
    assert quoted.entries[1].line == 4


@pytest.mark.parametrize(
    ("cell", "role"),
    [
        ("No.", "number"),
        ("#", "number"),
        ("Car No.", "number"),
        ("Car #", "number"),
        ("N°", "number"),
        ("Nr.", "number"),
        ("N.", "number"),
        ("Nº", "number"),
        ("Entrant", "team"),
        ("Chassis", "car"),
        ("Qualifying Driver", "drivers"),
        ("Lap Time", "best"),
        ("Gap", "gap"),
        ("Grid", "grid"),
        ("Class", "class"),
        ("Laps", "laps"),
        ("Time/Retired", "retired"),
        ("Pts", "points"),
        ("Time[1]", "time"),
        ("Pos.", "position"),
        ("Place", "position"),
        ("Posizione", "position"),
        ("Posición", "position"),
        ("Posição", "position"),
        ("Positie", "position"),
        ("Équipe", "team"),
        ("Écurie", "team"),
        ("Squadra", "team"),
        ("Equipo", "team"),
        ("Equipe", "team"),
        ("Equipa", "team"),
        ("Pilote(s)", "drivers"),
        ("Pilote", "drivers"),
        ("Fahrer", "drivers"),
        ("Pilota", "drivers"),
        ("Piloti", "drivers"),
        ("Piloto(s)", "drivers"),
        ("Coureur(s)", "drivers"),
        ("Voiture", "car"),
        ("Fahrzeug", "car"),
        ("Vettura", "car"),
        ("Coche", "car"),
        ("Carro", "car"),
        ("Auto", "car"),
        ("Temps", "time"),
        ("Chrono", "time"),
        ("Zeit", "time"),
        ("Tempo", "time"),
        ("Tiempo", "time"),
        ("Tijd", "time"),
        ("Écart", "gap"),
        ("Abstand", "gap"),
        ("Rückstand", "gap"),
        ("Distacco", "gap"),
        ("Diferencia", "gap"),
        ("Diferença", "gap"),
        ("Verschil", "gap"),
        ("Classe", "class"),
        ("Klasse", "class"),
        ("Clase", "class"),
        ("Tours", "laps"),
        ("Runden", "laps"),
        ("Giri", "laps"),
        ("Vueltas", "laps"),
        ("Voltas", "laps"),
        ("Ronden", "laps"),
        ("Q3²", "q3"),
        ("Remarks", None),
    ],
)
def test_header_words(cell: str, role: str | None) -> None:
    assert tables.header_role(cell) == role


@pytest.mark.parametrize(
    ("cell", "ticks"),
    [
        ("1:23.456", 834_560),
        ("1'23.456", 834_560),
        ("1’23.456", 834_560),
        ("1\u203323.456", 834_560),
        ("1'23\"456", 834_560),
        ("1m23.456s", 834_560),
        ("1m3.5s", 635_000),
        ("1:23,456", 834_560),
        ("58.120s", 581_200),
        ("4:00'04.690", 144_046_900),
        ("1:31.999[3]", 919_990),
    ],
)
def test_times_as_pages_write_them(cell: str, ticks: int) -> None:
    assert tables.time_of(cell) == ticks


def test_cells_as_pages_write_them() -> None:
    assert [tables.position_of(c) for c in ("1", "2.", "3rd", "P4", "5º", "1er", "2e", "x")] == [
        1,
        2,
        3,
        4,
        5,
        1,
        2,
        None,
    ]
    assert [tables.status_of(c) for c in ("Ret", "NC", "DQ", "Ausfall", "DNS", "12")] == [
        "DNF",
        "NC",
        "DSQ",
        "DNF",
        "DNS",
        None,
    ]
    assert [tables.laps_down(c) for c in ("+1 lap", "2 Laps", "+3 Tours", "1 Runde", "+2L")] == [
        1,
        2,
        3,
        1,
        2,
    ]
    assert tables.laps_down("+1.234") is None
    assert tables.gap_of("+0.112") == tables.gap_of("+0.112s") == 1_120
    assert tables.gap_of("+1:02.345") == 623_450
    with pytest.raises(TimeFormatError):
        tables.time_of("+0.112")  # a gap is not a lap time
    assert tables.number_in("No. 3 Team Peugeot Total") == ("3", "Team Peugeot Total")
    assert tables.number_in("#9 Patrón Highcroft Racing") == ("9", "Patrón Highcroft Racing")
    assert tables.number_in("Toyota TS050 Hybrid #8") == ("8", "Toyota TS050 Hybrid")
    assert tables.number_in("Porsche 963 (#6)") == ("6", "Porsche 963")
    assert tables.number_in("Porsche 911 RSR") == ("", "Porsche 911 RSR")
    assert tables.split_drivers("Lewis Hamilton HAM / Nyck de Vries DEV<br>*Romain Dumas[1]") == [
        "Lewis Hamilton",
        "Nyck de Vries",
        "*Romain Dumas",
    ]
    assert tables.split_drivers("Mikkel MAC") == ["Mikkel MAC"]  # a surname, not a code


def test_race_without_a_header() -> None:
    race = table(
        "1\tLMP2\t38\tSimon Dolan / Harry Tincknell\tJota Sport\tZytek Z11SN\t139\t4:00:04.690",
        "2\tLMP2\t24\tJan Charouz\tLoeb Racing\tOreca 03\t139\t+28.869",
        "3\tGTE\t72\tAndrea Bertolini\tSMP Racing\tFerrari 458\t134\t+5 Laps",
        "4\tGTE\t81\tMatteo Cressoni\tKessel Racing\tFerrari 458\t100\tDNF",
    )
    assert race.kind == RACE
    assert [(e.number, e.laps, e.behind, e.status) for e in race.entries] == [
        ("38", 139, 0, ""),
        ("24", 139, 288_690, ""),
        ("72", 134, None, ""),
        ("81", 100, None, "DNF"),
    ]
    first = race.entries[0]
    assert (first.team, first.car, first.extra["class"]) == ("Jota Sport", "Zytek Z11SN", "LMP2")
    assert names(first) == ["Simon Dolan", "Harry Tincknell"]
    assert first.total == 144_046_900


def test_race_columns_and_continuations() -> None:
    race = table(
        "Pos,No,Driver,Team,Class,Laps,Total time,Best lap,Gap,Status",
        "1,5,Al Ay,Red,GT3,20,40:00.000,1:59.000,Leader,Running",
        ",,,Racing,,,,,,",
        "2,6,Bo Bee,Blue,GT3,20,40:05.000,1:59.500,+5.000,Finished",
        "3,7,Cy Sea,Green,,3,6:10.000,2:01.000,,Disqualified",
        ",,,,GT4,,,,,",
        "4,8,Di Dee,Grey,GT4,2,4:30.000,,,Black flag",
    )
    assert [(e.team, e.total, e.time, e.behind, e.status) for e in race.entries] == [
        ("Red Racing", 24_000_000, 1_190_000, 0, ""),
        ("Blue", 24_050_000, 1_195_000, 50_000, ""),
        ("Green", 3_700_000, 1_210_000, None, "DSQ"),
        ("Grey", 2_700_000, None, None, "Black flag"),
    ]
    assert race.entries[2].extra["class"] == "GT4"


def test_more_than_the_most_cars() -> None:
    rows = [f"{n}\t{n}\tDriver Number\t1:{n % 60:02d}.000" for n in range(1, 1003)]
    error = failure("Pos\tNo\tDriver\tTime", *rows)
    assert (error.line, error.problem) == (1002, "more than 1000 cars")  # car 1001
    error = failure("Pos\tNo", *["1\t2"] * 50_001)
    assert error.line == 50_001 and "more than 50,000 lines" in error.problem
