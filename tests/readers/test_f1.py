"""Formula 1-style qualifying with Q1/Q2/Q3: pasted tab-separated from a results page (a space
before each tab, empty cells for parts not reached), Markdown, CSV, a two-line Wikipedia
header; the grid order, each part's time, the time of the last part reached."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.core.errors import GridFileError
from bot.core.model import QUALIFYING
from bot.core.readers import f1
from bot.core.readers.common import Session, Source, decode_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "results"
REAL = Path(__file__).resolve().parents[2].parent / "shared" / "real-results"
PATH = Path("results/quali.tsv")
HEADER = "Pos\tNo\tDriver\tCar\tQ1\tQ2\tQ3"


def fixture(name: str) -> Source:
    path = FIXTURES / name
    return Source(path, decode_text(path.read_bytes(), path))


def one(source: Source) -> Session:
    [session] = f1.read(source)
    return session


def text_of(*rows: str, header: str = HEADER) -> Source:
    return Source(PATH, "\n".join([header, *rows]) + "\n")


def failure(*rows: str, header: str = HEADER) -> GridFileError:
    with pytest.raises(GridFileError) as caught:
        f1.read(text_of(*rows, header=header))
    assert caught.value.path == PATH
    return caught.value


def real(name: str) -> Source:
    path = REAL / name
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the real results files are missing under CI ({REAL})")
        pytest.skip(f"the real results files are not here ({REAL})")
    return Source(path, decode_text(path.read_bytes(), path))


def test_pasted_from_a_results_page() -> None:
    quali = one(fixture("f1-qualifying.tsv"))
    assert (quali.kind, quali.name, quali.format) == (
        QUALIFYING,
        "Qualifying",
        "qualifying table with Q1/Q2/Q3",
    )
    assert quali.unique_numbers
    assert [e.position for e in quali.entries] == list(range(1, 10))
    pole = quali.entries[0]
    assert (pole.number, pole.drivers[0].name, pole.car, pole.team) == (
        "16",
        "Charles Leclerc",
        "Ferrari",
        "Ferrari",
    )
    assert pole.parts == (("Q1", 891_980), ("Q2", 887_460), ("Q3", 883_210))
    assert pole.time == 883_210  # Q3
    assert pole.extra["laps"] == "17"
    assert pole.line == 2


def test_time_of_the_last_part_with_a_time() -> None:
    entries = one(fixture("f1-qualifying.tsv")).entries
    hamilton = entries[3]  # reached Q3, "No time set" there
    assert hamilton.parts == (("Q1", 896_010), ("Q2", 890_240), ("Q3", None))
    assert hamilton.time == 890_240
    tsunoda = entries[4]  # knocked out in Q2: empty Q3 cell
    assert (tsunoda.time, tsunoda.parts[2]) == (893_300, ("Q3", None))
    bottas = entries[6]  # knocked out in Q1
    assert bottas.parts == (("Q1", 904_150), ("Q2", None), ("Q3", None))
    assert bottas.time == 904_150
    sargeant = entries[7]  # DNF in Q1
    assert (sargeant.position, sargeant.time) == (8, None)
    assert sargeant.parts == (("Q1", None), ("Q2", None), ("Q3", None))


def test_a_row_without_a_position_goes_last() -> None:
    last = one(fixture("f1-qualifying.tsv")).entries[-1]
    assert (last.position, last.number, last.drivers[0].name, last.time) == (
        9,
        "18",
        "Lance Stroll",
        None,
    )
    assert last.line == 10


def test_markdown_with_constructor_and_driver_codes() -> None:
    quali = one(fixture("f1-qualifying.md"))
    names = [e.drivers[0].name for e in quali.entries]
    assert names == [
        "George Russell",
        "Max Verstappen",
        "Oscar Piastri",
        "Pierre Gasly",
        "Franco Colapinto",
    ]
    assert quali.entries[1].team == quali.entries[1].car == "Red Bull Racing Honda RBPT"
    assert quali.entries[0].time == quali.entries[1].time == 720_000  # a tie in Q3
    assert quali.entries[3].time == 730_500  # Q2, empty Q3 cell at the end of the row
    dnq = quali.entries[4]
    assert (dnq.position, dnq.status, dnq.time) == (5, "DNQ", 749_000)


def test_csv_with_quotes_two_parts_and_a_comma_decimal() -> None:
    quali = one(fixture("f1-qualifying.csv"))
    assert [e.number for e in quali.entries] == ["5", "33", "8", "20"]
    assert quali.entries[1].team == "Red Bull Racing, Honda"
    assert quali.entries[0].parts == (("Q1", 828_850), ("Q2", 819_120))
    assert quali.entries[2].parts == (("Q1", 829_590), ("Q2", None))  # 1:22,959
    assert quali.entries[2].time == 829_590


def test_wikipedia_table_with_a_two_line_header_and_notes_under_it() -> None:
    quali = one(fixture("f1-wikipedia.txt"))
    assert len(quali.entries) == 5
    first, *_rest, last = quali.entries
    assert (first.number, first.drivers[0].name, first.time) == ("3", "Daniel Ricciardo", 726_140)
    assert first.car == first.team == "Red Bull Racing-TAG Heuer"
    assert first.extra["grid"] == "1"
    assert last.parts == (("Q1", 754_890), ("Q2", None), ("Q3", None))  # N/A
    assert last.extra["grid"] == "20"
    assert quali.entries[2].drivers[0].name == "Kimi Räikkönen"


def test_header_without_q3() -> None:
    quali = one(
        text_of("1\t1\tA Bee\tX\t1:10.000\t1:09.500", header="Pos\tNo\tDriver\tCar\tQ1\tQ2")
    )
    assert quali.entries[0].parts == (("Q1", 700_000), ("Q2", 695_000))
    assert quali.entries[0].time == 695_000


def test_rows_out_of_order_follow_the_positions() -> None:
    quali = one(text_of("2\t8\tB Bee\tX\t1:10.000\t\t", "1\t7\tA Ay\tX\t1:09.000\t1:08.000\t"))
    assert [(e.position, e.number, e.line) for e in quali.entries] == [(1, "7", 3), (2, "8", 2)]


def test_errors_name_the_line() -> None:
    error = failure("1\t7\tA Ay\tX\t1:09.000\t1:0x.000\t")
    assert error.line == 2 and "Q2" in error.problem and "1:0x.000" in error.problem
    error = failure("1\t7\tA Ay\tX\t1:09.000\t\t", "1\t8\tB Bee\tX\t1:10.000\t\t")
    assert (error.line, error.problem) == (3, "duplicate position 1 (already on line 2)")
    error = failure("1\t7\tA Ay\tX\t1:09.000\t\t", "2\t7\tB Bee\tX\t1:10.000\t\t")
    assert (error.line, error.problem) == (3, "duplicate car number #7 (already on line 2)")
    error = failure("1\t7\tA Ay\tX\t1:09.000\t\t", "3\t8\tB Bee\tX\t1:10.000\t\t")
    assert error.line == 3 and "found 3, but 2 is missing" in error.problem
    error = failure("first\t7\tA Ay\tX\t1:09.000\t\t", "1\t8\tB Bee\tX\t1:10.000\t\t")
    assert error.line == 2 and "'first'" in error.problem
    error = failure("1\t7\tA Ay\tX\t1:09.000\t\t", "foo\tbar")
    assert error.line == 3 and "expected a results row" in error.problem
    error = failure("1\t7\tA Ay\tX\t1:09.000\t\t\tx\ty")
    assert error.line == 2 and "expected 7 cells as in the header on line 1" in error.problem
    error = failure("1\t7\t\tX\t1:09.000\t\t")
    assert (error.line, error.problem) == (2, "the driver cell is empty")
    error = failure("1\t7\tA Ay\tX\t1:09.000\t\t", header="Pos\tNo\tWho\tCar\tQ1\tQ2\tQ3")
    assert error.line == 1 and "no position (Pos) or driver (Driver) column" in error.problem


def test_accepts_by_content() -> None:
    for name in ("f1-qualifying.tsv", "f1-qualifying.md", "f1-qualifying.csv", "f1-wikipedia.txt"):
        assert f1.accepts(fixture(name)), name
    others = [p for p in FIXTURES.iterdir() if not p.name.startswith("f1-")]
    assert len(others) > 10
    for path in others:
        assert not f1.accepts(Source(path, decode_text(path.read_bytes(), path))), path
    assert not f1.accepts(Source(PATH, ""))
    assert not f1.accepts(Source(PATH, "Q1 was wet; Q2 was dry\n"))


def test_real_australian_gp_qualifying() -> None:
    quali = one(real("2019-australian-gp-qualifying.tsv"))
    assert quali.kind == QUALIFYING
    pole, second = quali.entries[:2]
    assert (pole.position, pole.number, pole.drivers[0].name) == (1, "44", "Lewis Hamilton")
    assert pole.time == 804_860  # 1:20.486, in Q3
    assert pole.parts[2] == ("Q3", 804_860)
    assert second.number == "77"
    assert (second.time or 0) - pole.time == 1_120  # 0.112 s
    assert len(quali.entries) == 20
    assert quali.entries[-1].parts == (("Q1", 860_670), ("Q2", None), ("Q3", None))


def test_more_errors() -> None:
    error = failure("1\t7 or 8\tA Ay\tX\t1:09.000\t\t")
    assert (error.line, error.problem) == (2, "cannot read the car number '7 or 8'")
    with pytest.raises(GridFileError) as caught:
        f1.read(Source(PATH, "1\t7\tA Ay\tX\t1:09.000\t1:08.000\n2\t8\tB Bee\tY\t1:10.000\t\n"))
    assert caught.value.line == 1 and "Q1 and Q2" in caught.value.problem
