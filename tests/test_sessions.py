"""Sessions beyond qualifying: races, qualifying in parts, cars without a unique number, and
files that hold several sessions, from the model to the stored library and the answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core import queries
from bot.core.answers import TableAnswer
from bot.core.complete import complete_car
from bot.core.errors import GridFileError, QueryError
from bot.core.gaps import finish_between, gap_between
from bot.core.loader import load_catalog, parse_grids, session_keys
from bot.core.lookup import find_car
from bot.core.model import PRACTICE, QUALIFYING, RACE, Grid, GridMeta
from bot.core.readers.common import make_entry
from bot.core.store import GridStore
from bot.offline import ask
from bot.render.cards import card_for, table_pages
from bot.render.text import to_text as card_text
from tests.conftest import open_test_libraries

FIXTURES = Path(__file__).parent / "fixtures" / "results"


def grid_of(kind: str, *entries: object) -> Grid:
    return Grid(GridMeta(event="Test", session=kind.title(), kind=kind), tuple(entries))  # type: ignore[arg-type]


def race() -> Grid:
    return grid_of(
        RACE,
        make_entry(
            1, number="38", drivers=["A"], team="Jota", laps=139, total=144_046_900, time=961_440
        ),
        make_entry(
            2, number="24", drivers=["B"], team="Loeb", laps=139, total=144_335_590, time=969_770
        ),
        make_entry(3, number="41", drivers=["C"], team="Greaves", laps=137, time=970_000),
        make_entry(4, number="9", drivers=["D"], team="Retired", laps=80, status="DNF"),
    )


def test_finish_gap_is_the_race_time_between_cars_on_the_same_lap() -> None:
    grid = race()
    finish = finish_between(grid.entries[1], grid.entries[0])
    assert (finish.ahead.number, finish.ticks, finish.laps) == ("38", 288_690, None)


def test_finish_gap_is_in_laps_when_they_differ() -> None:
    grid = race()
    finish = finish_between(grid.entries[0], grid.entries[2])
    assert (finish.ticks, finish.laps) == (None, 2)


def test_finish_gap_from_each_cars_time_behind_the_winner() -> None:
    grid = grid_of(
        RACE,
        make_entry(1, number="24", drivers=["A"], laps=72, behind=0),
        make_entry(2, number="19", drivers=["B"], laps=72, behind=29_910),
        make_entry(3, number="7", drivers=["C"], laps=72, behind=45_000),
    )
    assert finish_between(grid.entries[0], grid.entries[1]).ticks == 29_910
    assert finish_between(grid.entries[2], grid.entries[1]).ticks == 15_090


def test_race_answers_speak_of_the_finish() -> None:
    grid = race()
    text = card_text(card_for(queries.car_entry(grid, "24")))
    assert "Finished 2nd · 28.869 s behind #38, P1" in text
    assert "qualified" not in text.casefold() and "pole" not in text.casefold()
    gap = card_text(card_for(queries.car_gap(grid, "41", "38")))
    assert "#38 finished 2 laps ahead of #41" in gap
    dnf = card_text(card_for(queries.grid_slot(grid, 4)))
    assert "DNF" in dnf
    table = card_text(table_pages(TableAnswer(grid))[0])
    assert "+28.869" in table and "+2 laps" in table and "DNF" in table


def f1() -> Grid:
    return grid_of(
        QUALIFYING,
        make_entry(
            1,
            number="44",
            drivers=["H"],
            time=804_860,
            parts=(("Q1", 820_430), ("Q2", 810_140), ("Q3", 804_860)),
        ),
        make_entry(
            2,
            number="77",
            drivers=["B"],
            time=805_980,
            parts=(("Q1", 823_670), ("Q2", 811_930), ("Q3", 805_980)),
        ),
        make_entry(
            3,
            number="27",
            drivers=["N"],
            time=825_620,
            parts=(("Q1", 823_000), ("Q2", 825_620), ("Q3", None)),
        ),
    )


def test_a_gap_in_qualifying_in_parts_is_measured_in_the_last_part_both_reached() -> None:
    grid = f1()
    both_q3 = gap_between(grid.entries[0], grid.entries[1])
    assert both_q3 is not None and (both_q3.ticks, both_q3.part) == (1_120, "Q3")
    q2 = gap_between(grid.entries[0], grid.entries[2])
    assert q2 is not None and (q2.ticks, q2.part) == (15_480, "Q2")
    text = card_text(card_for(queries.car_gap(grid, "44", "27")))
    assert "#44 was faster by 1.548 s" in text and "in Q2" in text


def test_practice_has_no_pole() -> None:
    grid = grid_of(
        PRACTICE,
        make_entry(1, number="1", drivers=["A"], time=900_000),
        make_entry(2, number="2", drivers=["B"], time=901_000),
    )
    text = card_text(card_for(queries.grid_slot(grid, 2)))
    assert "Gap to P1: +0.100 s" in text and "pole" not in text.casefold()


def shared_numbers() -> Grid:
    return grid_of(
        QUALIFYING,
        make_entry(1, number="01", drivers=["Jo Bonnier"], time=1_221_243),
        make_entry(2, number="01", drivers=["Tig Green"], time=1_242_651),
        make_entry(3, number="31", drivers=["Gérard Larrousse"], time=1_248_000),
    )


def test_a_shared_number_asks_for_a_driver() -> None:
    grid = shared_numbers()
    with pytest.raises(QueryError) as caught:
        find_car(grid, "01")
    assert "2 cars are #01" in caught.value.message
    assert caught.value.suggestions == ("Jo Bonnier", "Tig Green")
    assert find_car(grid, "Tig Green").position == 2
    assert find_car(grid, "gerard").number == "31"  # accents and case do not matter
    assert find_car(grid, "31").position == 3


def test_autocomplete_offers_a_driver_for_a_car_its_number_does_not_find() -> None:
    values = [s.value for s in complete_car(shared_numbers(), "")]
    assert values == ["Jo Bonnier", "Tig Green", "31"]


def test_a_grid_without_numbers_is_asked_by_driver() -> None:
    grid = grid_of(
        QUALIFYING,
        make_entry(1, drivers=["Timo Haapala"], time=974_350),
        make_entry(2, drivers=["Andrea Sorlini"], time=987_450),
    )
    answer = queries.car_gap(grid, "Haapala", "Sorlini")
    assert answer.gap is not None and answer.gap.ticks == 13_100
    with pytest.raises(QueryError, match="no car numbers"):
        find_car(grid, "#")
    assert [s.value for s in complete_car(grid, "sor")] == ["Andrea Sorlini"]
    assert "Timo Haapala vs Andrea Sorlini" in card_text(card_for(answer))


def test_a_file_of_several_sessions_is_a_grid_per_session(tmp_path: Path) -> None:
    data = (FIXTURES / "iracing-team-race.json").read_bytes()
    grids = parse_grids(data, Path("round-3.json"))
    assert len(grids) > 1
    keys = [key for key, _grid in session_keys("round-3", grids)]
    assert len(set(keys)) == len(keys) and all(k.startswith("round-3/") for k in keys)
    assert len({grid.digest for grid in grids}) == len(grids)
    (tmp_path / "round-3.json").write_bytes(data)
    catalog = load_catalog(tmp_path)
    assert sorted(catalog.grids) == sorted(keys)


def test_a_refused_results_file_names_the_formats_tried() -> None:
    with pytest.raises(GridFileError) as caught:
        parse_grids(b'{"players": []}', Path("stats.json"))
    assert "JSON, but not a results file" in caught.value.problem
    assert "ACC server JSON" in caught.value.problem


def test_offline_answers_from_a_results_folder(tmp_path: Path) -> None:
    for name in ("alkamel-race.csv", "f1-qualifying.tsv"):
        (tmp_path / name).write_bytes((FIXTURES / name).read_bytes())
    text, refused = ask(GridStore(tmp_path), "/grid 1 event:alkamel-race")
    assert not refused and "Won" in text, text


@pytest.mark.asyncio
async def test_an_imported_file_of_several_sessions_serves_each(database_url: str) -> None:
    libraries = await open_test_libraries(database_url)
    try:
        data = (FIXTURES / "iracing-team-race.json").read_bytes()
        answer = await libraries.import_file(1, 2, "round-3.json", data, replace=False)
        assert answer.action == "Imported" and "·" in answer.title
        view = await libraries.view(1)
        keys = [key for key in view.catalog.grids if key.startswith("round-3/")]
        assert len(keys) == len(parse_grids(data, Path("round-3.json")))
        for key in keys:
            assert len(view.catalog.grids[key]) > 0
        libraries.forget(1)  # read again from the database, as after a restart
        again = await libraries.view(1)
        assert sorted(k for k in again.catalog.grids if k.startswith("round-3/")) == sorted(keys)
    finally:
        await libraries.close()


@pytest.mark.asyncio
async def test_a_session_key_names_its_file_for_remove(database_url: str) -> None:
    libraries = await open_test_libraries(database_url)
    try:
        data = (FIXTURES / "iracing-team-race.json").read_bytes()
        await libraries.import_file(1, 2, "round-3.json", data, replace=False)
        session = next(k for k in (await libraries.view(1)).catalog.grids if "/" in k)
        removed = await libraries.remove(1, 2, session)
        assert (removed.action, removed.key) == ("Removed", "round-3")
        assert not [k for k in (await libraries.view(1)).catalog.grids if k.startswith("round-3")]
    finally:
        await libraries.close()


def test_race_answers_at_the_edges() -> None:
    grid = grid_of(
        RACE,
        make_entry(1, drivers=["Ann"], laps=20, behind=0, time=900_000),
        make_entry(2, drivers=["Bo"], laps=20, behind=0, time=900_000),
        make_entry(3, drivers=["Cy"], laps=20),
        make_entry(4, drivers=["Di"], laps=20, status="DSQ"),
    )
    level = card_text(card_for(queries.car_gap(grid, "Ann", "Bo")))
    assert "the same fastest lap, 1:30.000" in level
    unknown = card_text(card_for(queries.car_gap(grid, "Bo", "Cy")))
    assert "the file gives no time between them" in unknown
    assert "no comparison: Cy set no lap time" in unknown
    disqualified = card_text(card_for(queries.car_gap(grid, "Cy", "Di")))
    assert "Di: DSQ" in disqualified
    second = card_text(card_for(queries.grid_slot(grid, 2)))
    assert "level with Ann, P1 at the finish" in second
    table = card_text(table_pages(TableAnswer(grid))[0])
    assert "Ann" in table and "DSQ" in table and "winner" in table
    with pytest.raises(QueryError, match="same car twice"):
        queries.car_gap(grid, "Ann", "ann")


def test_a_race_table_from_gaps_behind_the_winner() -> None:
    grid = grid_of(
        RACE,
        make_entry(1, number="1", drivers=["A"], laps=10, behind=0),
        make_entry(2, number="2", drivers=["B"], laps=10, behind=12_345),
    )
    table = card_text(table_pages(TableAnswer(grid))[0])
    assert "+1.235" in table  # 1.2345 s shown once, rounded half up


def test_qualifying_in_parts_without_a_common_part_and_level() -> None:
    grid = grid_of(
        QUALIFYING,
        make_entry(
            1, number="1", drivers=["A"], time=800_000, parts=(("Q1", None), ("Q2", 800_000))
        ),
        make_entry(
            2, number="2", drivers=["B"], time=810_000, parts=(("Q1", 810_000), ("Q2", None))
        ),
        make_entry(
            3, number="3", drivers=["C"], time=800_000, parts=(("Q1", None), ("Q2", 800_000))
        ),
    )
    assert gap_between(grid.entries[0], grid.entries[1]) is None
    text = card_text(card_for(queries.car_gap(grid, "1", "2")))
    assert "No gap: they set no time in the same part." in text
    level = card_text(card_for(queries.car_gap(grid, "1", "3")))
    assert "set the same time, 1:20.000 in Q2" in level


def test_xml_and_tables_no_reader_accepts_are_refused_with_what_was_tried() -> None:
    with pytest.raises(GridFileError) as caught:
        parse_grids(b"<html><body>hello</body></html>", Path("page.xml"))
    assert "XML, but not a results file" in caught.value.problem
    with pytest.raises(GridFileError) as caught:
        parse_grids(b"[1, 2, 3]", Path("list.json"))
    assert "a JSON list" in caught.value.problem


def test_utf16_results_files_are_read_and_bad_ones_named(tmp_path: Path) -> None:
    text = (FIXTURES / "ac-qualifying.json").read_bytes().decode("utf-8")
    for codec in ("utf-16-be", "utf-16"):
        grids = parse_grids(text.encode(codec), Path("ac.json"))
        assert grids[0].pole.drivers
    broken = text.encode("utf-16-le") + b"\x00\xd8A\x00"  # a lone surrogate, then "A"
    with pytest.raises(GridFileError, match="not valid UTF-16"):
        parse_grids(broken, Path("ac.json"))


def test_a_gap_at_the_finish_past_a_minute_reads_as_a_time() -> None:
    grid = grid_of(
        RACE,
        make_entry(1, number="8", drivers=["A"], laps=163, total=216_995_430),
        make_entry(2, number="7", drivers=["B"], laps=163, behind=1_134_050),
    )
    text = card_text(card_for(queries.car_gap(grid, "8", "7")))
    assert "#8 finished 1:53.405 ahead of #7" in text
    assert "Fastest laps" not in text, "no lap times in the file: nothing to compare"
    assert "+1:53.405" in card_text(table_pages(TableAnswer(grid))[0])


def test_a_pasted_table_may_be_imported_as_txt() -> None:
    from bot.core.imports import safe_name

    assert safe_name("monaco-qualifying.txt") == "monaco-qualifying.txt"
